"""Reads on playbooks: lists, one playbook and its versions, diffs between versions, and the playbook that fits
a new case."""

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from config.archive import archived_filter
from config.errors import NotFoundError, ValidationError
from responses.models import Playbook, PlaybookVersion, Scenario, Severity
from responses.playbooks.content import Content
from responses.playbooks.diff import content_diff
from tenants.identity.principals import Principal, check_permission


def version_of(playbook: Playbook, number: int, *, field: str = "version") -> PlaybookVersion:
    found = playbook.versions.filter(number=number).first()
    if found is None:
        raise NotFoundError(f"Playbook {playbook.pk} has no version {number}.", field=field)
    return found


def playbook_list(
    *,
    actor: Principal,
    scenario: str = "",
    severity: str = "",
    is_active: bool | None = None,
    archived: bool = False,
) -> QuerySet[Playbook]:
    """Live playbooks; with `archived`, the archived ones too."""
    check_permission(actor, "playbooks.read")
    if scenario and scenario not in Scenario.values:
        raise ValidationError(
            f"Unknown scenario '{scenario}'; expected one of {', '.join(Scenario.values)}.", field="scenario"
        )
    if severity and severity not in Severity.values:
        raise ValidationError(f"Unknown severity '{severity}'; expected I, II, III or IV.", field="severity")
    playbooks = archived_filter(Playbook.objects.order_by("name"), archived)
    if scenario:
        playbooks = playbooks.filter(scenario=scenario)
    if severity:
        # A playbook with no severities listed fits every severity.
        playbooks = playbooks.filter(Q(severities__contains=[severity]) | Q(severities=[]))
    if is_active is not None:
        playbooks = playbooks.filter(is_active=is_active)
    return playbooks


def playbook_get(*, actor: Principal, playbook_id: int) -> Playbook:
    check_permission(actor, "playbooks.read")
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None:
        raise NotFoundError(f"No playbook {playbook_id}.", field="id")
    return playbook


def playbook_content(playbook: Playbook) -> Content:
    """The content of the playbook's current version."""
    return dict(version_of(playbook, playbook.current_version).content)


def current_content() -> Subquery:
    """`playbook_content` as an annotation, so a list read gets every playbook's content in its one query."""
    versions = PlaybookVersion.objects.filter(playbook=OuterRef("pk"), number=OuterRef("current_version"))
    return Subquery(versions.values("content")[:1])


def playbook_versions(*, actor: Principal, playbook_id: int) -> QuerySet[PlaybookVersion]:
    return playbook_get(actor=actor, playbook_id=playbook_id).versions.order_by("number")


def playbook_diff(*, actor: Principal, playbook_id: int, from_version: int, to_version: int) -> dict[str, Any]:
    playbook = playbook_get(actor=actor, playbook_id=playbook_id)
    old = version_of(playbook, from_version, field="from")
    new = version_of(playbook, to_version, field="to")
    diff = content_diff(old.content, new.content, old_label=f"v{old.number}", new_label=f"v{new.number}")
    return {"playbook_id": playbook.pk, "from_version": old.number, "to_version": new.number, **diff}


def playbook_match(*, scenario: str, severity: str) -> Playbook | None:
    """The active playbook for a case: one listing its severity first, then one for any severity of its scenario."""
    active = Playbook.objects.filter(is_active=True, archived_at__isnull=True, scenario=scenario).order_by(
        "-updated_at", "-id"
    )
    return active.filter(severities__contains=[severity]).first() or active.filter(severities=[]).first()
