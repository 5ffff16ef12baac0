"""Writes on a case's affected users: adding them (by hand, from a mention, in bulk from the case's scope),
changing their contact details, archiving, and erasing a person on request.

A person is one per case, platform and account id. Contact details are encrypted before they reach the row
(responses.aftercare.contacts); audit entries and the timeline name fields and ids, never values.
"""

from datetime import datetime
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from config.audit import audit
from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET
from monitoring.models import Mention, Platform, Sentiment
from monitoring.selectors import mention_list
from responses.aftercare.contacts import CONTACT_FIELDS, contacts_check, contacts_erase, contacts_store
from responses.cases.timeline import timeline_add
from responses.models import AffectedUser, AffectedUserSource, CrisisCase
from responses.team.permissions import check_case_action
from tenants.identity.principals import Principal

# One bulk import adds at most this many people, reading at most SCAN_LIMIT of the newest matching mentions.
BULK_LIMIT = 1000
SCAN_LIMIT = 20_000


def _erased_digest(platform: str, author_id: str) -> str:
    return salted_hmac("vigil.aftercare.erased", f"{platform}:{author_id}", algorithm="sha256").hexdigest()


def _check_account(errors: ErrorList, platform: str, author_id: str) -> tuple[str, str]:
    platform, author_id = platform.strip(), author_id.strip()
    if platform and platform not in Platform.values:
        errors.add("platform", f"Unknown platform '{platform[:40]}'; expected one of {', '.join(Platform.values)}.")
    if len(author_id) > 128:
        errors.add("author_id", "author_id must be at most 128 characters.")
    if author_id and not platform:
        errors.add("platform", "platform is required with author_id.")
    return platform, author_id


def _existing(case: CrisisCase, platform: str, author_id: str) -> AffectedUser | None:
    if not author_id:
        return None
    return (
        AffectedUser.objects.select_for_update()
        .filter(case=case, platform=platform, author_external_id=author_id)
        .first()
    )


def _refuse_duplicate(person: AffectedUser) -> NoReturn:
    state = " (archived)" if person.archived_at else ""
    raise ConflictError(
        f"This account is already affected user {person.pk}{state} on case {person.case_id}.",
        field="author_id",
        code="duplicate",
    )


@transaction.atomic
def affected_user_create(
    *,
    actor: Principal,
    case_id: int,
    platform: str = "",
    author_id: str = "",
    mention_id: int | None = None,
    handle: str = "",
    phone: str = "",
    email: str = "",
    order_number: str = "",
) -> tuple[AffectedUser, bool]:
    """Add a person by hand, or from a mention (its author, with the mention as evidence). Returns the person and
    whether it is new: the author of a mention who is already on the case gets the mention as more evidence."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "care")
    errors = ErrorList()
    platform, author_id = _check_account(errors, platform, author_id)
    contacts = contacts_check(errors, {"handle": handle, "phone": phone, "email": email, "order_number": order_number})
    errors.raise_if_any()
    mention = None
    if mention_id is not None:
        mention = Mention.objects.select_related("author").filter(pk=mention_id).first()
        if mention is None:
            raise ValidationError(f"Unknown mention id {mention_id}.", field="mention_id")
        if mention.author is None:
            raise ValidationError(f"Mention {mention_id} has no author to add.", field="mention_id")
        if (platform and platform != mention.platform) or (author_id and author_id != mention.author.external_id):
            raise ValidationError(
                "platform and author_id, when given, must be the mention's author.", field="author_id"
            )
        platform, author_id = mention.platform, mention.author.external_id
        contacts["handle"] = contacts["handle"] or mention.author.name[:200]
    elif not author_id and not any(contacts.values()):
        raise ValidationError(
            "Give a mention_id, an account (platform and author_id) or a contact detail.", field="author_id"
        )
    existing = _existing(case, platform, author_id)
    if existing is not None:
        if mention is None or existing.archived_at is not None:
            _refuse_duplicate(existing)
        existing.evidence.add(mention)
        return existing, False
    person = AffectedUser(
        case=case,
        platform=platform,
        author_external_id=author_id,
        source=AffectedUserSource.MENTION if mention else AffectedUserSource.MANUAL,
        sentiment=mention.sentiment if mention else "",
        created_by=actor.name,
    )
    filled = contacts_store(person, {k: v for k, v in contacts.items() if v})
    person.save()
    if mention is not None:
        person.evidence.add(mention)
    how = f"from mention {mention.pk}" if mention else "by hand"
    timeline_add(case, "affected_users_added", actor, f"Affected user #{person.pk} added {how}", ids=[person.pk])
    audit(actor=actor, action="affected_user.created", target=person, details={"case_id": case.pk, "fields": filled})
    return person, True


def _since_detection(case: CrisisCase) -> datetime:
    alert = case.opened_from_alert
    return alert.opened_at if alert is not None else case.created_at


@transaction.atomic
def affected_users_from_search(
    *,
    actor: Principal,
    case_id: int,
    brand_ids: list[int] | None = None,
    sentiment: list[str] | None = None,
    platform: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """Add the authors of the mentions in the case's scope: by default the negative mentions of the case's brands
    since detection (the alert the case was opened from, else the case's opening). People already on the case get
    the new mentions as evidence; people erased from the case on request are not brought back."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "care")
    if not 1 <= limit <= BULK_LIMIT:
        raise ValidationError(f"limit is between 1 and {BULK_LIMIT}.", field="limit")
    brands = list(brand_ids) if brand_ids else list(case.brands.values_list("pk", flat=True))
    if not brands:
        raise ValidationError("The case has no brands: give brand_ids to search.", field="brand_ids")
    sentiments = sentiment if sentiment is not None else [Sentiment.NEGATIVE]
    since = since or _since_detection(case)
    filters: dict[str, Any] = {"sentiment": sentiments, "platform": platform or [], "since": since.isoformat()}
    if until is not None:
        filters["until"] = until.isoformat()
    if until is not None and until < since:
        raise ValidationError("until is before since.", field="until")
    mentions = list(
        mention_list(actor=actor, filters=filters)
        .filter(matched_brands__overlap=brands, author__isnull=False)
        .only("id", "platform", "sentiment", "published_at", "author__external_id", "author__name")[:SCAN_LIMIT]
    )
    # Oldest first, so each person's sentiment is that of the first post found.
    mentions.reverse()
    by_account: dict[tuple[str, str], list[Mention]] = {}
    for mention in mentions:
        assert mention.author is not None
        by_account.setdefault((mention.platform, mention.author.external_id), []).append(mention)
    present = {
        (p.platform, p.author_external_id): p
        for p in AffectedUser.objects.select_for_update().filter(
            case=case, author_external_id__in=[a for _, a in by_account]
        )
    }
    erased = set(
        AffectedUser.objects.filter(case=case, erased_at__isnull=False).values_list("erased_digest", flat=True)
    )
    new: list[AffectedUser] = []
    skipped_erased = 0
    for (platform_name, author_id), found in by_account.items():
        if (platform_name, author_id) in present:
            continue
        if _erased_digest(platform_name, author_id) in erased:
            skipped_erased += 1
            continue
        if len(new) == limit:
            break
        person = AffectedUser(
            case=case,
            platform=platform_name,
            author_external_id=author_id,
            source=AffectedUserSource.SEARCH,
            sentiment=found[0].sentiment,
            created_by=actor.name,
        )
        assert found[0].author is not None
        contacts_store(person, {"handle": found[0].author.name[:200]} if found[0].author.name else {})
        new.append(person)
    AffectedUser.objects.bulk_create(new)
    through = AffectedUser.evidence.through
    keep = [*new, *(p for p in present.values() if p.erased_at is None and p.archived_at is None)]
    linked_before = set(
        through.objects.filter(affecteduser_id__in=[p.pk for p in keep]).values_list("affecteduser_id", "mention_id")
    )
    links = [
        through(affecteduser_id=person.pk, mention_id=mention.pk)
        for person in keep
        for mention in by_account.get((person.platform, person.author_external_id), [])
        if (person.pk, mention.pk) not in linked_before
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)
    linked = len(links)
    if new:
        timeline_add(
            case,
            "affected_users_added",
            actor,
            f"{len(new)} affected users added from a search of {len(mentions)} mentions",
            ids=[p.pk for p in new],
            brand_ids=brands,
            sentiment=sentiments,
            since=since.isoformat(),
        )
    return {
        "mentions_matched": len(mentions),
        "added": len(new),
        "already_on_case": sum(1 for key in by_account if key in present),
        "skipped_erased": skipped_erased,
        "evidence_links": linked,
        "truncated": len(mentions) == SCAN_LIMIT or len(new) == limit,
        "affected_user_ids": [p.pk for p in new],
    }


def _person(case_id: int, affected_user_id: int) -> tuple[CrisisCase, AffectedUser]:
    case = locked_or_404(CrisisCase, case_id, "case")
    person = AffectedUser.objects.select_for_update().filter(case=case, pk=affected_user_id).first()
    if person is None:
        raise NotFoundError(f"No affected user {affected_user_id} on case {case_id}.", field="affected_user_id")
    return case, person


def _refuse_closed(person: AffectedUser) -> None:
    if person.erased_at is not None:
        raise ConflictError(
            f"Affected user {person.pk} was erased on request; nothing about them can be changed.",
            field="affected_user_id",
            code="erased",
        )
    if person.archived_at is not None:
        raise ConflictError(f"Affected user {person.pk} is archived.", field="affected_user_id", code="archived")


@transaction.atomic
def affected_user_update(
    *,
    actor: Principal,
    case_id: int,
    affected_user_id: int,
    handle: str = UNSET,
    phone: str = UNSET,
    email: str = UNSET,
    order_number: str = UNSET,
) -> AffectedUser:
    """Change contact details; an empty string removes one."""
    case, person = _person(case_id, affected_user_id)
    check_case_action(actor, case, "care")
    given = {
        name: value
        for name, value in zip(CONTACT_FIELDS, (handle, phone, email, order_number), strict=True)
        if value is not UNSET
    }
    errors = ErrorList()
    contacts = contacts_check(errors, given)
    errors.raise_if_any()
    _refuse_closed(person)
    changed = contacts_store(person, contacts)
    if changed:
        person.save()
        audit(
            actor=actor,
            action="affected_user.contacts_changed",
            target=person,
            details={"case_id": case.pk, "fields": changed},
        )
    return person


@transaction.atomic
def affected_user_archive(*, actor: Principal, case_id: int, affected_user_id: int) -> AffectedUser:
    """Take a person off the case's lists (added by mistake); the row and its details stay. Idempotent."""
    case, person = _person(case_id, affected_user_id)
    check_case_action(actor, case, "care")
    if person.archived_at is None:
        person.archived_at, person.archived_by = timezone.now(), actor.name
        person.save()
        timeline_add(case, "affected_user_archived", actor, f"Affected user #{person.pk} archived", id=person.pk)
        audit(actor=actor, action="affected_user.archived", target=person, details={"case_id": case.pk})
    return person


@transaction.atomic
def affected_user_erase(*, actor: Principal, case_id: int, affected_user_id: int, reason: str = "") -> AffectedUser:
    """Erase a person on request: the contact details, the account id and the evidence links go; the row stays with
    its platform, source, sentiment and times, so the case's counts do not change. Imports do not bring the account
    back to this case. Idempotent."""
    case, person = _person(case_id, affected_user_id)
    check_case_action(actor, case, "erase_contacts")
    if len(reason) > 2000:
        raise ValidationError("reason must be at most 2000 characters.", field="reason")
    if person.erased_at is not None:
        return person
    if person.author_external_id:
        person.erased_digest = _erased_digest(person.platform, person.author_external_id)
    person.author_external_id = ""
    contacts_erase(person)
    person.erased_at, person.erased_by = timezone.now(), actor.name
    person.save()
    person.evidence.clear()
    timeline_add(case, "affected_user_erased", actor, f"Affected user #{person.pk} erased on request", id=person.pk)
    audit(
        actor=actor,
        action="affected_user.erased",
        target=person,
        details={"case_id": case.pk, "reason": reason.strip()},
    )
    return person
