"""Reads of a case's affected users. Their contact details are shown only to callers who may read them on that
case, and each person whose details are shown gets an audit entry (`affected_user.contacts_read`)."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from config.audit import audit
from config.errors import NotFoundError, PermissionDeniedError, ValidationError
from config.timestamps import format_timestamp
from monitoring.models import Mention, Platform
from responses.aftercare.contacts import Contacts, contacts_open
from responses.cases.selectors import case_get
from responses.models import AffectedUser, AffectedUserSource, CaseMember, CrisisCase
from responses.team.permissions import CASE_ACTIONS, check_case_action
from tenants.identity.principals import SYSTEM, Principal, permission_guards_check
from tenants.identity.roles import role_has_permission

EVIDENCE = Prefetch("evidence", queryset=Mention.objects.only("id"))


def affected_user_list(
    *,
    actor: Principal,
    case_id: int,
    include_archived: bool = False,
    source: list[str] | None = None,
    platform: list[str] | None = None,
) -> QuerySet[AffectedUser]:
    """A case's affected users, newest first; archived ones only when asked for."""
    case = case_get(actor=actor, case_id=case_id)
    for name, values, allowed in (
        ("source", source, AffectedUserSource.values),
        ("platform", platform, Platform.values),
    ):
        unknown = [v for v in values or [] if v not in allowed]
        if unknown:
            raise ValidationError(
                f"Unknown {name} '{unknown[0][:40]}'; expected any of {', '.join(allowed)}.", field=name
            )
    people = AffectedUser.objects.filter(case=case).prefetch_related(EVIDENCE).order_by("-created_at", "-id")
    if not include_archived:
        people = people.filter(archived_at__isnull=True)
    if source:
        people = people.filter(source__in=source)
    if platform:
        people = people.filter(platform__in=platform)
    return people


def affected_user_get(*, actor: Principal, case_id: int, affected_user_id: int) -> AffectedUser:
    case = case_get(actor=actor, case_id=case_id)
    person = AffectedUser.objects.filter(case=case, pk=affected_user_id).prefetch_related(EVIDENCE).first()
    if person is None:
        raise NotFoundError(f"No affected user {affected_user_id} on case {case_id}.", field="affected_user_id")
    return person


def may_read_contacts(actor: Principal, case: CrisisCase) -> bool:
    try:
        check_case_action(actor, case, "read_contacts")
    except PermissionDeniedError:
        return False
    return True


def may_read_contacts_everywhere(actor: Principal) -> bool:
    """Whether the tenant role alone lets the caller read contact details (on every case)."""
    if actor is SYSTEM:
        return True
    if not role_has_permission(actor.role, CASE_ACTIONS["read_contacts"][0]):
        return False
    permission_guards_check(actor, CASE_ACTIONS["read_contacts"][0])
    return True


def cases_with_contact_roles(actor: Principal) -> set[int]:
    """The cases on which the caller holds a case role that reads contact details."""
    if actor.user is None:
        return set()
    roles = CASE_ACTIONS["read_contacts"][1]
    return set(CaseMember.objects.filter(user=actor.user, role__in=roles).values_list("case_id", flat=True))


ContactsReader = Callable[[AffectedUser], Contacts]


def contacts_reader(*, actor: Principal, case_id: int) -> ContactsReader | None:
    """A reader of the contact details of the case's people if the caller may read them there, else None. Each
    call decrypts one person's details and audits the read, naming the fields, never their values."""
    case = CrisisCase.objects.filter(pk=case_id).first()
    if case is None or not may_read_contacts(actor, case):
        return None

    def read(person: AffectedUser) -> Contacts:
        assert person.case_id == case_id, "a reader reads one case's people"
        contacts = contacts_open(person)
        if contacts.filled():
            audit(
                actor=actor,
                action="affected_user.contacts_read",
                target=person,
                details={"case_id": case_id, "fields": contacts.filled()},
            )
        return contacts

    return read


def affected_user_contacts(
    *, actor: Principal, case_id: int, people: Iterable[AffectedUser]
) -> dict[int, Contacts] | None:
    """The contact details of these people (of one case) by id, if the caller may read them there, else None."""
    read = contacts_reader(actor=actor, case_id=case_id)
    if read is None:
        return None
    return {person.pk: read(person) for person in people}


def affected_user_export(*, actor: Principal, case_id: int, affected_user_id: int) -> dict[str, Any]:
    """Everything the tenant holds about one person on a case (a data-subject access request), audited."""
    person = affected_user_get(actor=actor, case_id=case_id, affected_user_id=affected_user_id)
    check_case_action(actor, person.case, "read_contacts")
    contacts = contacts_open(person)
    evidence = [
        {
            "mention_id": m.pk,
            "platform": m.platform,
            "url": m.url,
            "text": m.text,
            "published_at": format_timestamp(m.published_at),
        }
        for m in person.evidence.order_by("published_at", "id")
    ]
    audit(
        actor=actor,
        action="affected_user.exported",
        target=person,
        details={"case_id": case_id, "fields": contacts.filled(), "evidence": len(evidence)},
    )
    return {
        "affected_user_id": person.pk,
        "case_id": person.case_id,
        "platform": person.platform,
        "author_id": person.author_external_id,
        "source": person.source,
        "sentiment": person.sentiment,
        "contacts": contacts.as_dict(),
        "evidence": evidence,
        "created_at": format_timestamp(person.created_at),
        "created_by": person.created_by,
        "erased_at": format_timestamp(person.erased_at) if person.erased_at else None,
    }
