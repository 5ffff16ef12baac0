"""Playbook escalation rules at work: "if there is still no statement 30 minutes after activation, alert the
commander and legal". Each rule of an activation fires at most once per case; firing is timelined and notified."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.cases.timeline import timeline_add
from responses.models import (
    CaseEvent,
    CaseStatus,
    CaseTask,
    CrisisCase,
    PlaybookActivation,
    PlaybookVersion,
    TaskStatus,
)
from tenants.identity.principals import SYSTEM
from tenants.notifications.services import notify

CLOSED = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)
CONDITION_TEXT = {
    "no_acknowledgement": "nobody has picked the case up",
    "no_statement": "no statement has been published",
    "not_resolved": "the case is not resolved",
    "task_overdue": "tasks are overdue",
}


def condition_holds(case: CrisisCase, condition: str, now: datetime) -> bool:
    if condition == "no_acknowledgement":
        return case.acknowledged_at is None
    if condition == "no_statement":
        return case.first_statement_at is None
    if condition == "not_resolved":
        return case.resolved_at is None
    return CaseTask.objects.filter(
        case=case, due_at__lt=now, status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]
    ).exists()


def escalation_check(*, now: datetime | None = None, quarantine: Quarantine | None = None) -> list[dict[str, object]]:
    """Fire the due rules of every activation on an open case; returns what fired.

    An activation that raises quarantines its case (dead letter `case_clock`); the other cases go on.
    """
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    activations = list(
        PlaybookActivation.objects.select_related("playbook").exclude(case__status__in=CLOSED).order_by("id")
    )
    fired: list[dict[str, object]] = []
    done, contents = _fired_and_contents(activations)
    for activation in activations:
        with quarantine.item(activation.case_id):
            fired += activation_escalate(activation, done, contents, now)
    return fired


Fired = set[tuple[int, int]]
Contents = dict[tuple[int, int], dict[str, Any]]


def _fired_and_contents(activations: list[PlaybookActivation]) -> tuple[Fired, Contents]:
    if not activations:
        return set(), {}
    # What already fired, read once: the steady state of the beat is "nothing new" and should cost little.
    done = {
        (event["data__activation_id"], event["data__rule"])
        for event in CaseEvent.objects.filter(kind="escalated", case__in=[a.case_id for a in activations]).values(
            "data__activation_id", "data__rule"
        )
    }
    contents = {
        (v.playbook_id, v.number): v.content
        for v in PlaybookVersion.objects.filter(playbook__in={a.playbook_id for a in activations})
    }
    return done, contents


def activation_escalate(
    activation: PlaybookActivation, done: Fired, contents: Contents, now: datetime
) -> list[dict[str, object]]:
    fired: list[dict[str, object]] = []
    rules = contents[(activation.playbook_id, activation.version)].get("escalation", [])
    for index, rule in enumerate(rules):
        due = activation.activated_at + timedelta(minutes=rule["after_minutes"])
        if now < due or (activation.pk, index) in done:
            continue
        with transaction.atomic():
            case = CrisisCase.objects.select_for_update().get(pk=activation.case_id)
            already = case.events.filter(kind="escalated", data__activation_id=activation.pk, data__rule=index)
            if already.exists() or not condition_holds(case, rule["condition"], now):
                continue
            activation.case = case
            fired.append(_fire(case, activation, index, rule))
    return fired


def case_escalations_check(case_id: int, now: datetime) -> list[dict[str, object]]:
    """The escalation rules of one case, raising whatever goes wrong (the dead-letter retry of a case clock)."""
    activations = list(
        PlaybookActivation.objects.select_related("playbook")
        .filter(case_id=case_id)
        .exclude(case__status__in=CLOSED)
        .order_by("id")
    )
    done, contents = _fired_and_contents(activations)
    return [fired for a in activations for fired in activation_escalate(a, done, contents, now)]


def _fire(case: CrisisCase, activation: PlaybookActivation, index: int, rule: dict[str, Any]) -> dict[str, object]:

    roles = [str(r) for r in rule.get("notify_roles") or []]
    people = sorted(case.members.filter(role__in=roles).values_list("user__email", flat=True).distinct())
    reason = CONDITION_TEXT[str(rule["condition"])]
    summary = (
        f"Escalation ({activation.playbook.name}): {reason} {rule['after_minutes']} min after activation; "
        f"notifying {', '.join(roles) or 'the channels'}"
    )
    timeline_add(
        case,
        "escalated",
        SYSTEM,
        summary,
        activation_id=activation.pk,
        rule=index,
        condition=rule["condition"],
        notify_roles=roles,
        notify_people=people,
    )
    data: dict[str, object] = {
        "case_id": case.pk,
        "title": case.title,
        "severity": case.severity,
        "playbook": activation.playbook.name,
        "condition": rule["condition"],
        "after_minutes": rule["after_minutes"],
        "notify_roles": roles,
        "notify_people": people,
    }
    notify(
        event_type="case.escalated",
        data=data,
        title=f"[Severity {case.severity}] Case #{case.pk} {case.title}: escalation, {reason}",
        text=summary + (f" ({', '.join(people)})" if people else ""),
    )
    return data
