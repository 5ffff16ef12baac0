"""Playbooks (預案): versioned response templates that admins keep per scenario and severity, and activating one on
a case, which creates its tasks with due dates counted from the activation."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery

from api.principals import Principal, check_permission
from config.archive import archive, archived_filter, refuse_archived, restore
from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from responses.models import (
    CaseRole,
    CaseStatus,
    CaseTask,
    CrisisCase,
    Playbook,
    PlaybookActivation,
    PlaybookVersion,
    Scenario,
    Severity,
    Statement,
)
from responses.playbook_content import Content, content_diff, normalise_content
from responses.statements import statement_create
from responses.team import check_case_permission
from responses.timeline import timeline_add

CLOSED = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)


@dataclass(frozen=True)
class Activation:
    activation: PlaybookActivation
    tasks: list[CaseTask]
    statements: list[Statement]


def _check_fields(errors: ErrorList, values: dict[str, Any]) -> None:
    if "name" in values:
        values["name"] = required_text(errors, values["name"])
    if "scenario" in values and values["scenario"] not in Scenario.values:
        errors.add(
            "scenario", f"Unknown scenario '{values['scenario']}'; expected one of {', '.join(Scenario.values)}."
        )
    if "severities" in values:
        unknown = [s for s in values["severities"] if s not in Severity.values]
        if unknown:
            errors.add("severities", f"Unknown severity '{unknown[0]}'; expected I, II, III or IV.")
        else:
            values["severities"] = sorted(set(values["severities"]), key=Severity.values.index)
    if "content" in values:
        values["content"] = normalise_content(errors, values["content"])


def _change_note(errors: ErrorList, change_note: str) -> str:
    note = change_note.strip()
    if len(note) > 500:
        errors.add("change_note", "At most 500 characters.")
    return note


def _check_name_free(name: str, *, exclude: int = 0) -> None:
    if Playbook.objects.filter(name=name, archived_at__isnull=True).exclude(pk=exclude).exists():
        raise ConflictError(f"A playbook named '{name}' already exists.", field="name")


def _version(playbook: Playbook, number: int, *, field: str = "version") -> PlaybookVersion:
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
    return dict(_version(playbook, playbook.current_version).content)


def current_content() -> Subquery:
    """`playbook_content` as an annotation, so a list read gets every playbook's content in its one query."""
    versions = PlaybookVersion.objects.filter(playbook=OuterRef("pk"), number=OuterRef("current_version"))
    return Subquery(versions.values("content")[:1])


def playbook_versions(*, actor: Principal, playbook_id: int) -> QuerySet[PlaybookVersion]:
    return playbook_get(actor=actor, playbook_id=playbook_id).versions.order_by("number")


@transaction.atomic
def playbook_create(
    *,
    actor: Principal,
    name: str,
    scenario: str,
    description: str = "",
    severities: list[str] | None = None,
    content: Any = None,
    change_note: str = "",
) -> Playbook:
    check_permission(actor, "playbooks.manage")
    values: dict[str, Any] = {
        "name": name,
        "scenario": scenario,
        "severities": severities or [],
        "content": {} if content is None else content,
    }
    errors = ErrorList()
    _check_fields(errors, values)
    note = _change_note(errors, change_note)
    errors.raise_if_any()
    _check_name_free(values["name"])
    playbook = Playbook.objects.create(
        name=values["name"],
        description=description,
        scenario=values["scenario"],
        severities=values["severities"],
        created_by=actor.name,
    )
    PlaybookVersion.objects.create(
        playbook=playbook, number=1, content=values["content"], change_note=note, created_by=actor.name
    )
    return playbook


@transaction.atomic
def playbook_update(
    *,
    actor: Principal,
    playbook_id: int,
    name: str = UNSET,
    description: str = UNSET,
    scenario: str = UNSET,
    severities: list[str] = UNSET,
    is_active: bool = UNSET,
    content: Any = UNSET,
    change_note: str = "",
) -> Playbook:
    """Change the playbook; new content becomes a new version, content equal to the current one adds none."""
    check_permission(actor, "playbooks.manage")
    playbook = locked_or_404(Playbook, playbook_id, "playbook")
    refuse_archived(playbook, "playbook")
    given = {
        k: v
        for k, v in {
            "name": name,
            "description": description,
            "scenario": scenario,
            "severities": severities,
            "is_active": is_active,
            "content": content,
        }.items()
        if v is not UNSET
    }
    errors = ErrorList()
    _check_fields(errors, given)
    note = _change_note(errors, change_note)
    errors.raise_if_any()
    if "name" in given:
        _check_name_free(given["name"], exclude=playbook.pk)
    new_content = given.pop("content", None)
    if new_content is not None and new_content != playbook_content(playbook):
        playbook.current_version += 1
        PlaybookVersion.objects.create(
            playbook=playbook,
            number=playbook.current_version,
            content=new_content,
            change_note=note,
            created_by=actor.name,
        )
    for key, value in given.items():
        setattr(playbook, key, value)
    playbook.save()
    return playbook


@transaction.atomic
def playbook_archive(*, actor: Principal, playbook_id: int) -> Playbook:
    """What DELETE does: no longer matched or activated; cases that ran it keep their record and its versions."""
    check_permission(actor, "playbooks.manage")
    return archive(Playbook, playbook_id, "playbook", actor=actor)[0]


@transaction.atomic
def playbook_restore(*, actor: Principal, playbook_id: int) -> Playbook:
    check_permission(actor, "playbooks.manage")
    return restore(Playbook, playbook_id, "playbook", actor=actor)[0]


@transaction.atomic
def playbook_clone(*, actor: Principal, playbook_id: int, name: str, version: int | None = None) -> Playbook:
    """A new playbook whose version 1 is a copy of the given version (the current one by default)."""
    check_permission(actor, "playbooks.manage")
    source = playbook_get(actor=actor, playbook_id=playbook_id)
    copied = _version(source, version or source.current_version)
    return playbook_create(
        actor=actor,
        name=name,
        description=source.description,
        scenario=source.scenario,
        severities=list(source.severities),
        content=copied.content,
        change_note=f"Cloned from '{source.name}' v{copied.number}",
    )


def playbook_diff(*, actor: Principal, playbook_id: int, from_version: int, to_version: int) -> dict[str, Any]:
    playbook = playbook_get(actor=actor, playbook_id=playbook_id)
    old = _version(playbook, from_version, field="from")
    new = _version(playbook, to_version, field="to")
    diff = content_diff(old.content, new.content, old_label=f"v{old.number}", new_label=f"v{new.number}")
    return {"playbook_id": playbook.pk, "from_version": old.number, "to_version": new.number, **diff}


def playbook_match(*, scenario: str, severity: str) -> Playbook | None:
    """The active playbook for a case: one listing its severity first, then one for any severity of its scenario."""
    active = Playbook.objects.filter(is_active=True, archived_at__isnull=True, scenario=scenario).order_by(
        "-updated_at", "-id"
    )
    return active.filter(severities__contains=[severity]).first() or active.filter(severities=[]).first()


def _case_for_activation(actor: Principal, case_id: int) -> CrisisCase:
    case = CrisisCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(f"No case {case_id}.", field="case_id")
    check_case_permission(actor, case, "cases.command", or_roles=[CaseRole.COMMANDER])
    if case.status in CLOSED:
        raise ConflictError(f"Case {case.pk} is {case.status}.", field="case_id", code="case_closed")
    return case


@transaction.atomic
def playbook_activate(*, actor: Principal, case_id: int, playbook_id: int, version: int | None = None) -> Activation:
    """Run a playbook on a case: one task per task template, due `due_minutes` after activation; once per case."""
    case = _case_for_activation(actor, case_id)
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None:
        raise NotFoundError(f"No playbook {playbook_id}.", field="playbook_id")
    refuse_archived(playbook, "playbook", field="playbook_id")
    if not playbook.is_active:
        raise ConflictError(f"Playbook {playbook.pk} is inactive.", field="playbook_id", code="playbook_inactive")
    chosen = _version(playbook, version or playbook.current_version)
    if PlaybookActivation.objects.filter(case=case, playbook=playbook).exists():
        raise ConflictError(
            f"Playbook '{playbook.name}' is already active on case {case.pk}.",
            field="playbook_id",
            code="already_activated",
        )
    activation = PlaybookActivation.objects.create(
        case=case, playbook=playbook, version=chosen.number, activated_by=actor.name
    )
    tasks = CaseTask.objects.bulk_create(
        CaseTask(
            case=case,
            title=t["title"],
            description=t["description"],
            assignee_role=t["role"],
            priority=t["priority"],
            checklist=[{"item": item, "done": False} for item in t["checklist"]],
            due_at=activation.activated_at + timedelta(minutes=t["due_minutes"]),
        )
        for t in chosen.content["tasks"]
    )
    timeline_add(
        case,
        "playbook_activated",
        actor,
        f"Playbook '{playbook.name}' v{chosen.number} activated: {len(tasks)} task(s), "
        f"{len(chosen.content['statements'])} statement draft(s)",
        playbook_id=playbook.pk,
        playbook_name=playbook.name,
        version=chosen.number,
        task_ids=[t.pk for t in tasks],
    )
    # Statement templates become drafts, so the holding statement only needs the facts filled in and approving.
    statements = [
        statement_create(
            actor=actor,
            case_id=case.pk,
            title=template["title"],
            body=template["body"],
            required_approvals=template["required_approvals"],
        )
        for template in chosen.content["statements"]
    ]
    return Activation(activation=activation, tasks=tasks, statements=statements)
