"""Follow-ups over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from django.utils import timezone
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from responses import models
from responses.aftercare import follow_up_selectors as selectors
from responses.aftercare import follow_up_services as services
from responses.aftercare import settings as aftercare_settings
from responses.aftercare.follow_up_selectors import ReplyTexts


@strawberry.enum(description="A step in a follow-up's lifecycle (responses.aftercare.follow_up_services).")
class FollowUpTransition(StrEnum):
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


@strawberry.enum(description="What a bulk action does to each follow-up (responses.aftercare.follow_up_services).")
class FollowUpBulkAction(StrEnum):
    ASSIGN = "assign"
    SEND_SCRIPT = "send_script"
    CLOSE = "close"


@strawberry.enum(description="A decision on a compensation waiting for approval.")
class CompensationDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def _texts(info: Info) -> ReplyTexts:
    cache = cast(dict[str, Any], info.context.__dict__.setdefault("vigil_cache", {}))
    if "reply_texts" not in cache:
        cache["reply_texts"] = selectors.reply_texts(actor=actor(info))
    return cast(ReplyTexts, cache["reply_texts"])


@strawberry_django.type(models.FollowUpNote)
class FollowUpNote:
    id: strawberry.auto
    author: str
    text: str
    at: datetime


@strawberry_django.type(models.FollowUpReply)
class FollowUpReply:
    id: strawberry.auto
    channel: models.ReplyChannel
    sent_at: datetime
    sent_by: str

    @strawberry_django.field
    def script_id(self, root: models.FollowUpReply) -> int | None:
        return root.script_id

    @strawberry_django.field(
        select_related=["follow_up"],
        description="The text sent (it carries the person's details): for who may read their contacts, else null.",
    )
    def text(self, root: models.FollowUpReply, info: Info) -> str | None:
        return _texts(info).text(root, root.follow_up.case_id)


@strawberry_django.type(models.FollowUp)
class FollowUp:
    id: strawberry.auto
    type: models.FollowUpType
    status: models.FollowUpStatus
    due_at: datetime
    first_contact_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    compensation_amount: Decimal | None
    compensation_currency: str
    compensation_approval: models.CompensationApproval
    compensation_decided_by: str
    compensation_decided_at: datetime | None
    csat: int | None
    nps: int | None
    created_by: str
    created_at: datetime
    notes: Connection[FollowUpNote] = connection(description="Notes, oldest first.")
    replies: Connection[FollowUpReply] = connection(description="Replies sent, oldest first.")

    @strawberry_django.field
    def case_id(self, root: models.FollowUp) -> int:
        return root.case_id

    @strawberry_django.field
    def affected_user_id(self, root: models.FollowUp) -> int:
        return root.affected_user_id

    @strawberry_django.field
    def owner_id(self, root: models.FollowUp) -> int | None:
        return root.owner_id

    @strawberry_django.field
    def overdue(self, root: models.FollowUp) -> bool:
        open_now = root.status in (models.FollowUpStatus.OPEN, models.FollowUpStatus.IN_PROGRESS)
        return open_now and root.due_at < timezone.now()


@strawberry.type
class FollowUpSettings:
    sla_minutes: JSON = strawberry.field(description="Minutes from opening to due, per follow-up type.")
    compensation_approval_threshold: Decimal
    compensation_threshold_currency: str


def _settings(found: aftercare_settings.AftercareConfig) -> FollowUpSettings:
    return FollowUpSettings(
        sla_minutes=cast(JSON, found.sla_minutes),
        compensation_approval_threshold=found.compensation_approval_threshold,
        compensation_threshold_currency=found.compensation_threshold_currency,
    )


def _bare(found: QuerySet[models.FollowUp]) -> QuerySet[models.FollowUp]:
    return found.prefetch_related(None)


@strawberry.type
class FollowUpsQuery:
    @connection(Connection[FollowUp], description="Follow-ups across cases, soonest due first.")
    def follow_ups(
        self,
        info: Info,
        case_id: int | None = None,
        types: list[models.FollowUpType] | None = None,
        statuses: list[models.FollowUpStatus] | None = None,
        owner_id: int | None = None,
        overdue: bool | None = None,
    ) -> QuerySet[models.FollowUp]:
        filters: dict[str, Any] = {
            "type": [t.value for t in types or []],
            "status": [s.value for s in statuses or []],
        }
        if case_id is not None:
            filters["case"] = str(case_id)
        if owner_id is not None:
            filters["owner"] = str(owner_id)
        if overdue is not None:
            filters["overdue"] = "true" if overdue else "false"
        return _bare(selectors.follow_up_list(actor=actor(info), filters=filters))

    @strawberry.field
    def follow_up(self, info: Info, id: int) -> FollowUp:
        return cast(FollowUp, selectors.follow_up_get(actor=actor(info), follow_up_id=id))

    @strawberry.field(
        description="A case's follow-up board: counts by type and status, overdue, mean times, compensation, "
        "satisfaction (the REST board's fields)."
    )
    def follow_up_board(self, info: Info, case_id: int) -> JSON:
        return cast(JSON, selectors.follow_up_board(actor=actor(info), case_id=case_id))

    @strawberry.field(description="The follow-up SLA per type and the compensation approval threshold.")
    def follow_up_settings(self, info: Info) -> FollowUpSettings:
        return _settings(aftercare_settings.aftercare_settings_get(actor=actor(info)))


@strawberry.type
class FollowUpsMutation:
    @strawberry.mutation(description="Open a follow-up with an affected user; due by the type's SLA by default.")
    def create_follow_up(
        self,
        info: Info,
        case_id: int,
        affected_user_id: int,
        type: models.FollowUpType,
        owner_id: int | None = None,
        due_at: datetime | None = None,
        note: str = "",
        compensation_amount: Decimal | None = None,
        compensation_currency: str = "",
    ) -> FollowUp:
        return cast(
            FollowUp,
            services.follow_up_create(
                actor=actor(info),
                case_id=case_id,
                affected_user_id=affected_user_id,
                type=type.value,
                owner_id=owner_id,
                due_at=due_at,
                note=note,
                compensation_amount=compensation_amount,
                compensation_currency=compensation_currency,
            ),
        )

    @strawberry.mutation(description="Change the owner, due time, compensation or satisfaction (CSAT 1–5, NPS 0–10).")
    def update_follow_up(
        self,
        info: Info,
        id: int,
        owner_id: int | None = None,
        due_at: datetime | None = None,
        compensation_amount: Decimal | None = None,
        compensation_currency: str | None = None,
        csat: int | None = None,
        nps: int | None = None,
    ) -> FollowUp:
        given: dict[str, Any] = {
            "owner_id": owner_id,
            "due_at": due_at,
            "compensation_amount": compensation_amount,
            "compensation_currency": compensation_currency,
            "csat": csat,
            "nps": nps,
        }
        changes = {k: v for k, v in given.items() if v is not None}
        return cast(FollowUp, services.follow_up_update(actor=actor(info), follow_up_id=id, **changes))

    @strawberry.mutation(description="Move a follow-up: start, resolve, close, reopen.")
    def transition_follow_up(self, info: Info, id: int, transition: FollowUpTransition, note: str = "") -> FollowUp:
        return cast(
            FollowUp,
            services.follow_up_transition(actor=actor(info), follow_up_id=id, transition=transition.value, note=note),
        )

    @strawberry.mutation
    def add_follow_up_note(self, info: Info, id: int, text: str) -> FollowUpNote:
        return cast(FollowUpNote, services.follow_up_note_add(actor=actor(info), follow_up_id=id, text=text))

    @strawberry.mutation(description="Record a reply sent: a reply script rendered with the person's variables.")
    def send_follow_up_reply(
        self,
        info: Info,
        id: int,
        channel: models.ReplyChannel,
        script_id: int | None = None,
        variables: JSON | None = None,
        text: str = "",
        sent_at: datetime | None = None,
    ) -> FollowUpReply:
        given: dict[str, Any] = variables if isinstance(variables, dict) else {}
        reply, _text = services.follow_up_reply(
            actor=actor(info),
            follow_up_id=id,
            channel=channel.value,
            script_id=script_id,
            variables={str(k): str(v) for k, v in given.items()},
            text=text,
            sent_at=sent_at,
        )
        return cast(FollowUpReply, reply)

    @strawberry.mutation(description="One action on many follow-ups, all or nothing: assign, send a script, close.")
    def bulk_follow_ups(
        self,
        info: Info,
        ids: list[int],
        action: FollowUpBulkAction,
        owner_id: int | None = None,
        script_id: int | None = None,
        channel: models.ReplyChannel | None = None,
        variables: JSON | None = None,
        note: str = "",
    ) -> list[FollowUp]:
        given: dict[str, Any] = variables if isinstance(variables, dict) else {}
        done = services.follow_ups_bulk(
            actor=actor(info),
            ids=ids,
            action=action.value,
            owner_id=owner_id,
            script_id=script_id,
            channel=channel.value if channel else "",
            variables={str(k): str(v) for k, v in given.items()},
            note=note,
        )
        return cast(list[FollowUp], done)

    @strawberry.mutation(description="Approve or reject a compensation above the tenant's threshold.")
    def decide_compensation(self, info: Info, id: int, decision: CompensationDecision, comment: str = "") -> FollowUp:
        return cast(
            FollowUp,
            services.follow_up_compensation_decide(
                actor=actor(info), follow_up_id=id, decision=decision.value, comment=comment
            ),
        )

    @strawberry.mutation(description="Change the follow-up SLAs or the compensation approval threshold (admins).")
    def update_follow_up_settings(
        self,
        info: Info,
        sla_minutes: JSON | None = None,
        compensation_approval_threshold: Decimal | None = None,
        compensation_threshold_currency: str | None = None,
    ) -> FollowUpSettings:
        given: dict[str, Any] = {
            "sla_minutes": dict(sla_minutes) if isinstance(sla_minutes, dict) else sla_minutes,
            "compensation_approval_threshold": compensation_approval_threshold,
            "compensation_threshold_currency": compensation_threshold_currency,
        }
        changes = {k: v for k, v in given.items() if v is not None}
        return _settings(aftercare_settings.aftercare_settings_update(actor=actor(info), **changes))
