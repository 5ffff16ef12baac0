import csv
import io
import json

from django.db.models import Exists, OuterRef, Q, QuerySet

from api.principals import Principal, check_permission
from config.errors import NotFoundError, ValidationError
from config.timestamps import format_timestamp
from responses.models import CaseEvent, CaseMember, CaseStatus, CaseTask, CrisisCase, Scenario, Severity, TaskStatus

# What a case's REST and GraphQL shapes read besides the row itself.
CASE_RELATIONS = ("alerts", "brands", "evidence", "playbook_activations__playbook")


def case_list(
    *,
    actor: Principal,
    status: list[str] | None = None,
    severity: list[str] | None = None,
    scenario: list[str] | None = None,
    is_drill: bool | None = None,
) -> QuerySet[CrisisCase]:
    check_permission(actor, "cases.read")
    for name, values, allowed in (
        ("status", status, CaseStatus.values),
        ("severity", severity, Severity.values),
        ("scenario", scenario, Scenario.values),
    ):
        unknown = [v for v in values or [] if v not in allowed]
        if unknown:
            raise ValidationError(f"Unknown {name} '{unknown[0]}'; expected any of {', '.join(allowed)}.", field=name)
    cases = CrisisCase.objects.prefetch_related(*CASE_RELATIONS).order_by("-created_at", "-id")
    if status:
        cases = cases.filter(status__in=status)
    if severity:
        cases = cases.filter(severity__in=severity)
    if scenario:
        cases = cases.filter(scenario__in=scenario)
    if is_drill is not None:
        cases = cases.filter(is_drill=is_drill)
    return cases


def case_get(*, actor: Principal, case_id: int) -> CrisisCase:
    check_permission(actor, "cases.read")
    case = CrisisCase.objects.prefetch_related(*CASE_RELATIONS).filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(f"No case {case_id}.", field="id")
    return case


def case_timeline(*, actor: Principal, case_id: int) -> QuerySet[CaseEvent]:
    case = case_get(actor=actor, case_id=case_id)
    return case.events.order_by("at", "id")


def timeline_csv(events: QuerySet[CaseEvent]) -> str:
    """The timeline as a CSV file; it starts with a byte-order mark, which is how Excel knows the file is UTF-8
    (without it Chinese text opens as mojibake)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["at", "kind", "actor", "summary", "data"])
    for event in events:
        writer.writerow(
            [
                format_timestamp(event.at),
                event.kind,
                event.actor,
                event.summary,
                json.dumps(event.data, ensure_ascii=False, sort_keys=True),
            ]
        )
    return out.getvalue()


def case_tasks(*, actor: Principal, case_id: int) -> QuerySet[CaseTask]:
    case = case_get(actor=actor, case_id=case_id)
    return case.tasks.select_related("assignee").order_by("due_at", "id")


def my_tasks(*, actor: Principal) -> QuerySet[CaseTask]:
    """Open tasks assigned to the calling person, across cases, soonest due first."""
    check_permission(actor, "cases.read")
    if actor.user is None:
        return CaseTask.objects.none()
    # Mine: assigned to me by name, or to a role I hold on that task's case.
    held_role = CaseMember.objects.filter(case=OuterRef("case"), user=actor.user, role=OuterRef("assignee_role"))
    return (
        CaseTask.objects.select_related("case")
        .filter(Q(assignee=actor.user) | Q(Exists(held_role)), status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
        .order_by("due_at", "id")
    )
