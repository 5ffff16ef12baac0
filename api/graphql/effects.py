"""The effect of each response on a case over GraphQL: the same selector and fields as
GET /api/v1/cases/{id}/response-effects."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.graphql.analytics import Emotions
from api.graphql.permissions import actor
from responses.cases.effects import case_response_effects

WINDOW_HELP = "Minutes, 15 to 480, a multiple of 5."


@strawberry.type(description="Each emotion's share of a window's mentions.")
class EmotionMix:
    angry: float
    fear: float
    happy: float
    neutral: float
    sad: float
    surprise: float


@strawberry.type(description="The case's talk in the window before or after an action.")
class EffectWindow:
    minutes: int
    mentions: int
    per_hour: float | None
    slope_per_hour: float | None = strawberry.field(
        description="Least-squares slope of the per-minute counts: change of the hourly rate per hour."
    )
    negative: int
    negative_share: float | None
    emotions: Emotions
    emotion_mix: EmotionMix | None
    complete: bool | None = strawberry.field(description="After window only: false while under way.")


@strawberry.type
class EffectWindows:
    before: EffectWindow
    after: EffectWindow


@strawberry.type(description="The after window's size forecast from the before window.")
class EffectForecast:
    model: str
    bin_minutes: int
    history_bins: int
    minutes: int
    mentions: float
    deviation: float


@strawberry.type(description="The numbers behind a verdict.")
class EffectInputs:
    mentions_before: int
    mentions_after: int
    after_minutes_elapsed: int
    forecast_mentions: float
    forecast_deviation: float
    volume_z: float | None
    volume_signal: int
    negative_share_before: float | None
    negative_share_after: float | None
    negative_share_change: float | None
    negative_z: float | None
    negative_signal: int
    slope_before: float | None
    slope_after: float | None
    threshold_z: float
    threshold_share_change: float


@strawberry.type(description="One response on a case and what followed it.")
class ResponseEffect:
    kind: str = strawberry.field(description="`statement_published`, `reply_script_used` or `critical_task_completed`.")
    at: datetime
    summary: str
    statement_id: int | None
    version: int | None
    channel: str | None
    script_id: int | None
    language: str | None
    task_id: int | None
    windows: EffectWindows
    forecast: EffectForecast
    verdict: str = strawberry.field(description="`calmed`, `no_change` or `inflamed`.")
    explanation: str
    inputs: EffectInputs


@strawberry.type(description="Every response on a case with its effect, oldest first.")
class ResponseEffects:
    case_id: int
    scope: str
    before_minutes: int
    after_minutes: int
    until: datetime
    actions: list[ResponseEffect]


def _window(w: dict[str, Any]) -> EffectWindow:
    return EffectWindow(
        **{k: v for k, v in w.items() if k not in ("emotions", "emotion_mix", "complete")},
        emotions=Emotions(**w["emotions"]),
        emotion_mix=EmotionMix(**w["emotion_mix"]) if w["emotion_mix"] else None,
        complete=w.get("complete"),
    )


def _effect(e: dict[str, Any]) -> ResponseEffect:
    inputs = {k: v for k, v in e["inputs"].items() if k != "thresholds"}
    return ResponseEffect(
        kind=e["kind"],
        at=e["at"],
        summary=e["summary"],
        **{k: e.get(k) for k in ("statement_id", "version", "channel", "script_id", "language", "task_id")},
        windows=EffectWindows(before=_window(e["windows"]["before"]), after=_window(e["windows"]["after"])),
        forecast=EffectForecast(**e["forecast"]),
        verdict=e["verdict"],
        explanation=e["explanation"],
        inputs=EffectInputs(
            **inputs,
            threshold_z=e["inputs"]["thresholds"]["z"],
            threshold_share_change=e["inputs"]["thresholds"]["share_change"],
        ),
    )


def response_effects(
    info: Info, case_id: int, before: int | None, after: int | None, window: int | None
) -> ResponseEffects:
    found = case_response_effects(actor=actor(info), case_id=case_id, before=before, after=after, window=window)
    return ResponseEffects(
        **{k: v for k, v in found.items() if k != "actions"}, actions=[_effect(e) for e in found["actions"]]
    )


@strawberry.type
class EffectsQuery:
    @strawberry.field(description="The effect of each response on a case (as GET /api/v1/cases/{id}/response-effects).")
    def case_response_effects(
        self,
        info: Info,
        case_id: int,
        before: Annotated[int | None, strawberry.argument(description=f"Default 120. {WINDOW_HELP}")] = None,
        after: Annotated[int | None, strawberry.argument(description=f"Default 120. {WINDOW_HELP}")] = None,
        window: Annotated[int | None, strawberry.argument(description=f"Both at once. {WINDOW_HELP}")] = None,
    ) -> ResponseEffects:
        return response_effects(info, case_id, before, after, window)
