"""The shapes of GET /api/v1/cases/{id}/response-effects (responses.cases.effects)."""

from rest_framework import serializers

from api.rest.analytics_serializers import Emotions

WINDOW_HELP = "Minutes, 15 to 480, a multiple of 5."


class ResponseEffectsInput(serializers.Serializer):
    before = serializers.IntegerField(
        required=False, default=None, help_text=f"The window before each action. {WINDOW_HELP} Default 120."
    )
    after = serializers.IntegerField(
        required=False, default=None, help_text=f"The window after each action. {WINDOW_HELP} Default 120."
    )
    window = serializers.IntegerField(
        required=False, default=None, help_text=f"Both windows at once (not with before or after). {WINDOW_HELP}"
    )


class EmotionMix(serializers.Serializer):
    angry = serializers.FloatField()
    fear = serializers.FloatField()
    happy = serializers.FloatField()
    neutral = serializers.FloatField()
    sad = serializers.FloatField()
    surprise = serializers.FloatField()


class EffectWindow(serializers.Serializer):
    minutes = serializers.IntegerField(help_text="Minutes read: the after window's elapsed part while under way.")
    mentions = serializers.IntegerField()
    per_hour = serializers.FloatField(allow_null=True)
    slope_per_hour = serializers.FloatField(
        allow_null=True, help_text="Least-squares slope of the per-minute counts: change of the hourly rate per hour."
    )
    negative = serializers.IntegerField()
    negative_share = serializers.FloatField(allow_null=True, help_text="negative / mentions; null with none.")
    emotions = Emotions()
    emotion_mix = EmotionMix(allow_null=True, help_text="Each emotion's share; null with none.")
    complete = serializers.BooleanField(required=False, help_text="After window only: false while under way.")


class EffectWindows(serializers.Serializer):
    before = EffectWindow()
    after = EffectWindow()


class EffectForecast(serializers.Serializer):
    model = serializers.CharField(help_text="`ets_damped_trend`: monitoring's volume forecast model.")
    bin_minutes = serializers.IntegerField()
    history_bins = serializers.IntegerField()
    minutes = serializers.IntegerField(help_text="Minutes of the after window forecast (its elapsed part).")
    mentions = serializers.FloatField(help_text="Mentions forecast for those minutes from the before window.")
    deviation = serializers.FloatField(help_text="The larger of the Poisson and the forecast's own deviation.")


class EffectInputs(serializers.Serializer):
    mentions_before = serializers.IntegerField()
    mentions_after = serializers.IntegerField()
    after_minutes_elapsed = serializers.IntegerField()
    forecast_mentions = serializers.FloatField()
    forecast_deviation = serializers.FloatField()
    volume_z = serializers.FloatField(allow_null=True)
    volume_signal = serializers.IntegerField(help_text="-1 lower than forecast, 0 within noise, 1 higher.")
    negative_share_before = serializers.FloatField(allow_null=True)
    negative_share_after = serializers.FloatField(allow_null=True)
    negative_share_change = serializers.FloatField(allow_null=True)
    negative_z = serializers.FloatField(allow_null=True)
    negative_signal = serializers.IntegerField(help_text="-1 less negative, 0 no clear change, 1 more negative.")
    slope_before = serializers.FloatField(allow_null=True)
    slope_after = serializers.FloatField(allow_null=True)
    thresholds = serializers.DictField(child=serializers.FloatField())


class ResponseEffect(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k, k) for k in ("statement_published", "reply_script_used", "critical_task_completed")]
    )
    at = serializers.DateTimeField()
    summary = serializers.CharField()
    statement_id = serializers.IntegerField(required=False)
    version = serializers.IntegerField(required=False)
    channel = serializers.CharField(required=False)
    script_id = serializers.IntegerField(required=False, allow_null=True)
    language = serializers.CharField(required=False)
    task_id = serializers.IntegerField(required=False)
    windows = EffectWindows()
    forecast = EffectForecast()
    verdict = serializers.ChoiceField(choices=[(v, v) for v in ("calmed", "no_change", "inflamed")])
    explanation = serializers.CharField()
    inputs = EffectInputs()


class ResponseEffectsOutput(serializers.Serializer):
    case_id = serializers.IntegerField()
    scope = serializers.CharField()
    before_minutes = serializers.IntegerField()
    after_minutes = serializers.IntegerField()
    until = serializers.DateTimeField(help_text="Now, to the minute: after windows end here at the latest.")
    actions = ResponseEffect(
        many=True, help_text="Statement publications, reply-script uses and critical tasks done, oldest first."
    )
