"""Early warning over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.enums import AlertResolution, PolicyWeighting
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from config.timestamps import format_timestamp
from monitoring import models
from monitoring.warning import selectors, services
from monitoring.warning.backtest import backtest
from responses.models import Scenario
from responses.promotion import services as promotion_services
from responses.promotion.selectors import promotion_rule_of


@strawberry_django.type(models.WarningPolicy)
class WarningPolicy:
    id: strawberry.auto
    name: strawberry.auto
    description: strawberry.auto
    is_active: strawberry.auto
    scope_kind: models.ScopeKind
    scope_ids: list[int]
    indicators: JSON
    weighting: PolicyWeighting
    ahp_matrix: JSON | None
    consistency_ratio: float | None
    thresholds: JSON
    realert_minutes: int
    resolve_below: float
    resolve_after: int
    expires_at: datetime | None = strawberry_django.field(
        description="Not evaluated from this time on (a post-crisis watch); null: never expires."
    )
    created_at: strawberry.auto
    updated_at: strawberry.auto
    archived_at: datetime | None
    archived_by: str

    # The promotion settings are kept by responses, on the policy's promotion rule.
    @strawberry_django.field(
        select_related=["promotion_rule"], description="Alerts from this level up open a case; null: never."
    )
    def promote_level(self, root: models.WarningPolicy) -> models.Level | None:
        level = promotion_rule_of(root).level
        return models.Level(level) if level else None

    @strawberry_django.field(select_related=["promotion_rule"])
    def promote_own_brands_only(self, root: models.WarningPolicy) -> bool:
        return promotion_rule_of(root).own_brands_only

    @strawberry_django.field(select_related=["promotion_rule"])
    def promote_scenario(self, root: models.WarningPolicy) -> Scenario | None:
        scenario = promotion_rule_of(root).scenario
        return Scenario(scenario) if scenario else None


@strawberry_django.type(models.AlertEvent)
class AlertEvent:
    kind: str = strawberry.field(description="What happened: opened, escalated, acknowledged, silenced, resolved, …")
    index_value: float | None
    actor: str
    note: str
    at: datetime

    @strawberry_django.field
    def level(self, root: models.AlertEvent) -> models.Level | None:
        return models.Level(root.level) if root.level else None


@strawberry_django.type(models.Alert)
class Alert:
    id: strawberry.auto
    scope: str
    status: models.AlertStatus
    level: models.Level
    peak_level: models.Level
    index_value: float
    peak_index: float
    indicators: JSON
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str
    resolved_at: datetime | None
    resolved_by: str
    last_evaluated_at: datetime
    policy: WarningPolicy
    events: Connection[AlertEvent] = connection(description="The alert's history, oldest first.")

    @strawberry_django.field
    def resolution(self, root: models.Alert) -> AlertResolution | None:
        return AlertResolution(root.resolution) if root.resolution else None


@strawberry_django.type(models.Silence)
class Silence:
    id: strawberry.auto
    scope: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    ended_at: datetime | None
    ended_by: str


@strawberry.type
class IndicatorType:
    name: str
    description: str
    defaults: JSON


@strawberry.input
class WarningPolicyInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET
    scope_kind: models.ScopeKind | None = strawberry.UNSET
    scope_ids: list[int] | None = strawberry.UNSET
    indicators: JSON | None = strawberry.UNSET
    weighting: PolicyWeighting | None = strawberry.UNSET
    ahp_matrix: JSON | None = strawberry.UNSET
    thresholds: JSON | None = strawberry.UNSET
    realert_minutes: int | None = strawberry.UNSET
    resolve_below: float | None = strawberry.UNSET
    resolve_after: int | None = strawberry.UNSET
    promote_level: models.Level | None = strawberry.field(
        default=strawberry.UNSET, description="null: alerts of this policy never open a case."
    )
    promote_own_brands_only: bool | None = strawberry.UNSET
    promote_scenario: Scenario | None = strawberry.UNSET


# Arguments where null means "none" rather than "leave as it is".
_NULLABLE = {"ahp_matrix": None, "promote_level": ""}


def _given(data: WarningPolicyInput) -> dict[str, Any]:
    given = {k: v for k, v in vars(data).items() if v is not strawberry.UNSET}
    return {k: _NULLABLE[k] if v is None else v for k, v in given.items() if v is not None or k in _NULLABLE}


@strawberry.type
class WarningQuery:
    @connection(
        Connection[WarningPolicy], description="Live policies by id; `archived: true` includes archived (deleted) ones."
    )
    def warning_policies(self, info: Info, archived: bool = False) -> QuerySet[models.WarningPolicy]:
        return selectors.policy_list(actor=actor(info), archived=archived)

    @connection(Connection[Alert], description="Alerts, newest first, filterable by status and level.")
    def alerts(
        self,
        info: Info,
        status: list[models.AlertStatus] | None = None,
        level: list[models.Level] | None = None,
        scope: str = "",
    ) -> QuerySet[models.Alert]:
        found = selectors.alert_list(
            actor=actor(info), status=[s.value for s in status or []], level=[v.value for v in level or []], scope=scope
        )
        # The selector fetches what REST shows; here the optimizer fetches what the query asks for.
        return found.select_related(None).prefetch_related(None)

    @strawberry.field
    def alert(self, info: Info, id: int) -> Alert:
        return cast(Alert, selectors.alert_get(actor=actor(info), alert_id=id))

    @connection(Connection[Silence], description="Silences, the latest ending first.")
    def silences(self, info: Info) -> QuerySet[models.Silence]:
        return selectors.silence_list(actor=actor(info))

    @strawberry.field(description="The indicator types a policy can use (a fixed catalogue), with their defaults.")
    def indicator_types(self, info: Info) -> list[IndicatorType]:
        types = selectors.indicator_types(actor=actor(info))
        return [
            IndicatorType(name=n, description=t.description, defaults=cast(JSON, t.defaults)) for n, t in types.items()
        ]

    @strawberry.field(description="Alerts a policy would have raised over a past period; nothing is notified.")
    def backtest_policy(
        self,
        info: Info,
        id: int,
        start: datetime,
        end: datetime,
        step_minutes: int = 1,
        scopes: list[str] | None = None,
    ) -> JSON:
        caller = actor(info)
        policy = selectors.policy_get(actor=caller, policy_id=id)
        result = backtest(actor=caller, policy=policy, start=start, end=end, step_minutes=step_minutes, scopes=scopes)
        return cast(JSON, _jsonable(result))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@strawberry.type
class WarningMutation:
    @strawberry.mutation
    def create_warning_policy(self, info: Info, input: WarningPolicyInput) -> WarningPolicy:
        return cast(WarningPolicy, promotion_services.warning_policy_create(actor=actor(info), **_given(input)))

    @strawberry.mutation
    def update_warning_policy(self, info: Info, id: int, input: WarningPolicyInput) -> WarningPolicy:
        policy = promotion_services.warning_policy_update(actor=actor(info), policy_id=id, **_given(input))
        return cast(WarningPolicy, policy)

    @strawberry.mutation(description="Archive: no longer evaluated; its alerts and their case links stay.")
    def delete_warning_policy(self, info: Info, id: int) -> bool:
        services.policy_archive(actor=actor(info), policy_id=id)
        return True

    @strawberry.mutation(description="Bring back an archived warning policy.")
    def restore_warning_policy(self, info: Info, id: int) -> WarningPolicy:
        return cast(WarningPolicy, services.policy_restore(actor=actor(info), policy_id=id))

    @strawberry.mutation
    def acknowledge_alert(self, info: Info, id: int, note: str = "") -> Alert:
        services.alert_acknowledge(actor=actor(info), alert_id=id, note=note)
        return cast(Alert, selectors.alert_get(actor=actor(info), alert_id=id))

    @strawberry.mutation
    def resolve_alert(self, info: Info, id: int, note: str = "") -> Alert:
        services.alert_resolve(actor=actor(info), alert_id=id, note=note)
        return cast(Alert, selectors.alert_get(actor=actor(info), alert_id=id))

    @strawberry.mutation
    def silence_alert(self, info: Info, id: int, minutes: int, reason: str = "") -> Silence:
        return cast(Silence, services.alert_silence(actor=actor(info), alert_id=id, minutes=minutes, reason=reason))

    @strawberry.mutation
    def silence_scope(
        self, info: Info, scope: str, minutes: int, reason: str = "", policy_id: int | None = None
    ) -> Silence:
        return cast(
            Silence,
            services.scope_silence(actor=actor(info), scope=scope, minutes=minutes, reason=reason, policy_id=policy_id),
        )

    @strawberry.mutation(description="End a silence now, before its planned end.")
    def end_silence(self, info: Info, id: int, note: str = "") -> Silence:
        return cast(Silence, services.silence_end(actor=actor(info), silence_id=id, note=note))
