"""The post-crisis watch over GraphQL: the same selector, service and fields as GET /api/v1/cases/{id}/watch,
POST /api/v1/cases/{id}/watch/end and /api/v1/watch-settings."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql.permissions import actor
from monitoring.models import Level
from responses.watch import settings as watch_settings
from responses.watch.selectors import case_watch
from responses.watch.services import case_watch_end


@strawberry.type(description="An alert the watch opened: the crisis may be recurring.")
class Recurrence:
    alert: int
    level: Level = strawberry.field(description="Its peak level.")
    opened_at: datetime


@strawberry.type(description="A case's post-crisis watch: a warning policy on its scope after its resolution.")
class CaseWatch:
    policy: int | None = strawberry.field(description="The watch's warning policy; null before a resolution.")
    active: bool = strawberry.field(description="The watch is evaluated now (not ended, expired or switched off).")
    started_at: datetime | None
    expires_at: datetime | None
    recurrences: list[Recurrence]


@strawberry.type(description="How many days after its resolution a case's scope is watched (0: no watch).")
class WatchSettings:
    watch_days: int
    is_default: bool


def _watch(found: dict[str, Any]) -> CaseWatch:
    return CaseWatch(
        **{k: v for k, v in found.items() if k != "recurrences"},
        recurrences=[Recurrence(**{**r, "level": Level(r["level"])}) for r in found["recurrences"]],
    )


@strawberry.type
class WatchQuery:
    @strawberry.field(description="A case's post-crisis watch (as GET /api/v1/cases/{id}/watch).")
    def case_watch(self, info: Info, case_id: int) -> CaseWatch:
        return _watch(case_watch(actor=actor(info), case_id=case_id))

    @strawberry.field(description="The post-crisis watch period (as GET /api/v1/watch-settings).")
    def watch_settings(self, info: Info) -> WatchSettings:
        return WatchSettings(**vars(watch_settings.watch_settings_get(actor=actor(info))))


@strawberry.type
class WatchMutation:
    @strawberry.mutation(description="End a case's post-crisis watch now (as POST /api/v1/cases/{id}/watch/end).")
    def end_case_watch(self, info: Info, case_id: int) -> CaseWatch:
        return _watch(case_watch_end(actor=actor(info), case_id=case_id))

    @strawberry.mutation(
        description="Set the post-crisis watch period for cases resolved from now on (as PATCH /api/v1/watch-settings)."
    )
    def update_watch_settings(self, info: Info, watch_days: int) -> WatchSettings:
        found = watch_settings.watch_settings_update(actor=actor(info), watch_days=watch_days)
        return WatchSettings(**vars(found))
