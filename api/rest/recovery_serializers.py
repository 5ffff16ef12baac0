"""The shape of GET /api/v1/cases/{id}/recovery (responses.recovery.selectors)."""

from rest_framework import serializers

from api.rest.effects_serializers import EmotionMix


class RecoverySettings(serializers.Serializer):
    baseline_days = serializers.IntegerField()
    volume_tolerance = serializers.FloatField(help_text="Relative: 0.2 lets an hour be 20% above the baseline.")
    negative_share_tolerance = serializers.FloatField(help_text="In share: 0.05 is 5 points.")
    sustained_hours = serializers.IntegerField()


class RecoveryBaseline(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text="The hour of detection (the case's opening).")
    hours = serializers.IntegerField()
    mentions = serializers.IntegerField()
    per_hour = serializers.FloatField()
    negative = serializers.IntegerField()
    negative_share = serializers.FloatField(allow_null=True)
    emotion_mix = EmotionMix(allow_null=True)


class RecoveryInterval(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The hour's start.")
    mentions = serializers.IntegerField()
    negative = serializers.IntegerField()
    negative_share = serializers.FloatField(allow_null=True)
    volume_distance = serializers.FloatField(
        allow_null=True, help_text="(mentions − baseline per hour) / baseline per hour; null with an empty baseline."
    )
    negative_share_distance = serializers.FloatField(allow_null=True, help_text="Share − the baseline's share.")
    emotion_distance = EmotionMix(allow_null=True, help_text="Each emotion's share − the baseline's.")
    within = serializers.BooleanField(help_text="Volume and negative share both within tolerance.")


class CaseRecoveryOutput(serializers.Serializer):
    case_id = serializers.IntegerField()
    scope = serializers.CharField()
    settings = RecoverySettings()
    baseline = RecoveryBaseline()
    since = serializers.DateTimeField(
        allow_null=True, help_text="When the case reached recovering (or was resolved without it); null before."
    )
    intervals = RecoveryInterval(many=True)
    recovered = serializers.BooleanField()
    recovered_at = serializers.DateTimeField(
        allow_null=True, help_text="The first hour of the first sustained run within tolerance."
    )
    hours_to_recovery = serializers.FloatField(allow_null=True)
    explanation = serializers.CharField()
