"""After the crisis over GraphQL: a case's affected users, with the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import Prefetch, QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from monitoring.models import Mention, Platform, Sentiment
from responses import models
from responses.aftercare import selectors, services
from responses.aftercare.contacts import contacts_held
from responses.aftercare.selectors import ContactsReader


@strawberry.type(description="An affected user's contact details (personal data; every read is audited).")
class Contacts:
    handle: str
    phone: str
    email: str
    order_number: str = strawberry.field(description="Order or ticket number.")


def _reader(info: Info, case_id: int) -> ContactsReader | None:
    """Whether (and how) the caller reads contact details on this case, decided once per request and case."""
    cache = cast(dict[str, Any], info.context.__dict__.setdefault("vigil_cache", {}))
    readers = cast(dict[int, ContactsReader | None], cache.setdefault("contacts_readers", {}))
    if case_id not in readers:
        readers[case_id] = selectors.contacts_reader(actor=actor(info), case_id=case_id)
    return readers[case_id]


@strawberry_django.type(models.AffectedUser)
class AffectedUser:
    id: strawberry.auto
    source: models.AffectedUserSource
    created_by: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    erased_at: datetime | None

    @strawberry_django.field
    def case_id(self, root: models.AffectedUser) -> int:
        return root.case_id

    @strawberry_django.field
    def platform(self, root: models.AffectedUser) -> Platform | None:
        return Platform(root.platform) if root.platform else None

    @strawberry_django.field(description="The account id on the platform (empty once erased).")
    def author_id(self, root: models.AffectedUser) -> str:
        return root.author_external_id

    @strawberry_django.field
    def sentiment(self, root: models.AffectedUser) -> Sentiment | None:
        return Sentiment(root.sentiment) if root.sentiment else None

    @strawberry_django.field(prefetch_related=[Prefetch("evidence", queryset=Mention.objects.only("id"))])
    def evidence_ids(self, root: models.AffectedUser) -> list[int]:
        return [m.pk for m in root.evidence.all()]

    @strawberry_django.field(
        description=(
            "The contact details for callers who may read them on this case (admins, responders; the customer_care, "
            "commander and legal case roles), else null. Each person shown is audited."
        )
    )
    def contacts(self, root: models.AffectedUser, info: Info) -> Contacts | None:
        read = _reader(info, root.case_id)
        return Contacts(**read(root).as_dict()) if read is not None else None

    @strawberry_django.field(description="Which contact details are on file (handle, phone, email, order_number).")
    def contacts_held(self, root: models.AffectedUser) -> list[str]:
        return contacts_held(root)


@strawberry.type
class AffectedUserCreated:
    affected_user: AffectedUser
    created: bool = strawberry.field(description="False: the mention's author was on the case; it gained evidence.")


@strawberry.type
class AffectedUsersFromSearch:
    mentions_matched: int
    added: int
    already_on_case: int
    skipped_erased: int
    evidence_links: int
    truncated: bool
    affected_user_ids: list[int]


@strawberry.type
class AftercareQuery:
    @connection(Connection[AffectedUser], description="A case's affected users, newest first.")
    def affected_users(
        self,
        info: Info,
        case_id: int,
        sources: list[models.AffectedUserSource] | None = None,
        platforms: list[Platform] | None = None,
        archived: bool = False,
    ) -> QuerySet[models.AffectedUser]:
        # `sources`, not `source`: the connection's resolver keeps that name for itself.
        found = selectors.affected_user_list(
            actor=actor(info),
            case_id=case_id,
            include_archived=archived,
            source=[s.value for s in sources or []],
            platform=[p.value for p in platforms or []],
        )
        return found.prefetch_related(None)

    @strawberry.field
    def affected_user(self, info: Info, case_id: int, id: int) -> AffectedUser:
        return cast(AffectedUser, selectors.affected_user_get(actor=actor(info), case_id=case_id, affected_user_id=id))

    @strawberry.field(description="Everything held about one person (a data-subject access request; audited).")
    def affected_user_export(self, info: Info, case_id: int, affected_user_id: int) -> JSON:
        exported = selectors.affected_user_export(actor=actor(info), case_id=case_id, affected_user_id=affected_user_id)
        return cast(JSON, exported)


@strawberry.type
class AftercareMutation:
    @strawberry.mutation(description="Add an affected user by hand or from a mention (its author, with evidence).")
    def create_affected_user(
        self,
        info: Info,
        case_id: int,
        mention_id: int | None = None,
        platform: Platform | None = None,
        author_id: str = "",
        handle: str = "",
        phone: str = "",
        email: str = "",
        order_number: str = "",
    ) -> AffectedUserCreated:
        person, created = services.affected_user_create(
            actor=actor(info),
            case_id=case_id,
            mention_id=mention_id,
            platform=platform.value if platform else "",
            author_id=author_id,
            handle=handle,
            phone=phone,
            email=email,
            order_number=order_number,
        )
        return AffectedUserCreated(affected_user=cast(AffectedUser, person), created=created)

    @strawberry.mutation(description="Add the authors of the case's matching mentions (default: negative, since then).")
    def affected_users_from_search(
        self,
        info: Info,
        case_id: int,
        brand_ids: list[int] | None = None,
        sentiment: list[Sentiment] | None = None,
        platform: list[Platform] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> AffectedUsersFromSearch:
        result = services.affected_users_from_search(
            actor=actor(info),
            case_id=case_id,
            brand_ids=brand_ids,
            sentiment=[s.value for s in sentiment] if sentiment is not None else None,
            platform=[p.value for p in platform or []],
            since=since,
            until=until,
            limit=limit,
        )
        return AffectedUsersFromSearch(**result)

    @strawberry.mutation(description="Change an affected user's contact details; an empty string removes one.")
    def update_affected_user(
        self,
        info: Info,
        case_id: int,
        affected_user_id: int,
        handle: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        order_number: str | None = None,
    ) -> AffectedUser:
        given = {"handle": handle, "phone": phone, "email": email, "order_number": order_number}
        return cast(
            AffectedUser,
            services.affected_user_update(
                actor=actor(info),
                case_id=case_id,
                affected_user_id=affected_user_id,
                **{k: v for k, v in given.items() if v is not None},
            ),
        )

    @strawberry.mutation(description="Archive an affected user (kept, off the lists).")
    def archive_affected_user(self, info: Info, case_id: int, affected_user_id: int) -> AffectedUser:
        return cast(
            AffectedUser,
            services.affected_user_archive(actor=actor(info), case_id=case_id, affected_user_id=affected_user_id),
        )

    @strawberry.mutation(description="Erase a person on request: contacts, account and evidence go, statistics stay.")
    def erase_affected_user(self, info: Info, case_id: int, affected_user_id: int, reason: str = "") -> AffectedUser:
        return cast(
            AffectedUser,
            services.affected_user_erase(
                actor=actor(info), case_id=case_id, affected_user_id=affected_user_id, reason=reason
            ),
        )
