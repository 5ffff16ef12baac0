"""Writes on crisis cases: opening (by hand or from an alert), lifecycle transitions, notes. Every write adds a
timeline event in the same transaction."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from api.principals import Principal, check_permission
from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.validation import UNSET, required_text
from monitoring.models import Alert, Brand, Mention
from responses.models import CaseEvent, CrisisCase, Scenario, Severity

# Which permission each transition needs, and the timestamp it sets.
TRANSITIONS: dict[str, tuple[str, str]] = {
    "assess": ("cases.work", "assessing_at"),
    "respond": ("cases.command", "responding_at"),
    "recover": ("cases.command", "recovering_at"),
    "resolve": ("cases.command", "resolved_at"),
    "review": ("cases.command", "reviewed_at"),
    "reopen": ("cases.command", "responding_at"),
}
SEVERITY_FOR_LEVEL = {"red": Severity.I, "orange": Severity.II, "yellow": Severity.III, "blue": Severity.IV}


def timeline_add(case: CrisisCase, kind: str, actor: Principal, summary: str, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor.name, at=timezone.now(), summary=summary, data=data
    )


def _check_fields(errors: ErrorList, values: dict[str, Any]) -> None:
    if "title" in values:
        values["title"] = required_text(errors, values["title"], field="title", label="Title", limit=300)
    if "scenario" in values and values["scenario"] not in Scenario.values:
        errors.add(
            "scenario", f"Unknown scenario '{values['scenario']}'; expected one of {', '.join(Scenario.values)}."
        )
    if "severity" in values and values["severity"] not in Severity.values:
        errors.add("severity", f"Unknown severity '{values['severity']}'; expected I, II, III or IV.")
    if "topics" in values and (len(values["topics"]) > 20 or any(len(t) > 100 for t in values["topics"])):
        errors.add("topics", "At most 20 topics of at most 100 characters.")


def _link(case: CrisisCase, brand_ids: list[int] | None, evidence_ids: list[int] | None) -> None:
    if brand_ids:
        brands = list(Brand.objects.filter(pk__in=brand_ids))
        if len(brands) != len(set(brand_ids)):
            raise ValidationError("Unknown brand id.", field="brand_ids")
        case.brands.add(*brands)
    if evidence_ids:
        mentions = list(Mention.objects.filter(pk__in=evidence_ids))
        if len(mentions) != len(set(evidence_ids)):
            raise ValidationError("Unknown mention id.", field="evidence_ids")
        case.evidence.add(*mentions)


@transaction.atomic
def case_create(
    *,
    actor: Principal,
    title: str,
    description: str = "",
    scenario: str = Scenario.OTHER,
    severity: str = Severity.IV,
    is_drill: bool = False,
    topics: list[str] | None = None,
    brand_ids: list[int] | None = None,
    evidence_ids: list[int] | None = None,
    opened_from_alert: Alert | None = None,
) -> CrisisCase:
    check_permission(actor, "cases.work")
    values = {"title": title, "scenario": scenario, "severity": severity, "topics": topics or []}
    errors = ErrorList()
    _check_fields(errors, values)
    errors.raise_if_any()
    case = CrisisCase.objects.create(
        description=description, is_drill=is_drill, opened_by=actor.name, opened_from_alert=opened_from_alert, **values
    )
    _link(case, brand_ids, evidence_ids)
    drill = " (drill)" if is_drill else ""
    timeline_add(
        case, "opened", actor, f"Case opened{drill}: {case.title}", severity=case.severity, scenario=case.scenario
    )
    return case


@transaction.atomic
def case_from_alert(
    *, actor: Principal, alert_id: int, title: str = "", scenario: str = Scenario.OTHER, is_drill: bool = False
) -> CrisisCase:
    """Promote an alert to a case; severity follows the alert's peak level (red → I … blue → IV)."""
    alert = Alert.objects.select_related("policy").filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(f"No alert {alert_id}.", field="id")
    earlier = CrisisCase.objects.filter(opened_from_alert=alert).first()
    if earlier is not None:
        raise ConflictError(f"Alert {alert_id} already opened case {earlier.pk}.", field="id", code="already_promoted")
    brand_ids = [int(alert.scope.split(":")[1])] if alert.scope.startswith("brand:") else None
    case = case_create(
        actor=actor,
        title=title or f"{alert.policy.name}: {alert.scope} at {alert.peak_level}",
        scenario=scenario,
        severity=SEVERITY_FOR_LEVEL[alert.peak_level],
        is_drill=is_drill,
        brand_ids=brand_ids,
        opened_from_alert=alert,
    )
    case.alerts.add(alert)
    timeline_add(
        case,
        "alert_linked",
        actor,
        f"Opened from alert {alert.pk} ({alert.peak_level}, index {alert.peak_index:.0f})",
        alert_id=alert.pk,
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: Principal,
    case_id: int,
    title: str = UNSET,
    description: str = UNSET,
    scenario: str = UNSET,
    severity: str = UNSET,
    topics: list[str] = UNSET,
) -> CrisisCase:
    check_permission(actor, "cases.work")
    case = _locked(case_id)
    given = {
        k: v
        for k, v in {
            "title": title,
            "description": description,
            "scenario": scenario,
            "severity": severity,
            "topics": topics,
        }.items()
        if v is not UNSET
    }
    errors = ErrorList()
    _check_fields(errors, given)
    errors.raise_if_any()
    changed = {k: [getattr(case, k), v] for k, v in given.items() if getattr(case, k) != v}
    for name, value in given.items():
        setattr(case, name, value)
    case.save()
    if changed:
        timeline_add(case, "updated", actor, f"Changed {', '.join(changed)}", changes=changed)
    return case


def _locked(case_id: int) -> CrisisCase:
    case = CrisisCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(f"No case {case_id}.", field="id")
    return case


@transaction.atomic
def case_transition(*, actor: Principal, case_id: int, transition: str, note: str = "") -> CrisisCase:
    if transition not in TRANSITIONS:
        raise ValidationError(
            f"Unknown transition '{transition}'; expected one of {', '.join(TRANSITIONS)}.", field="transition"
        )
    permission, stamp = TRANSITIONS[transition]
    check_permission(actor, permission)
    case = _locked(case_id)
    method = getattr(case, transition)
    if not can_proceed(method):
        allowed = [name for name in TRANSITIONS if can_proceed(getattr(case, name))]
        raise ConflictError(
            f"A case in '{case.status}' cannot '{transition}'; allowed: {', '.join(allowed) or 'none'}.",
            field="transition",
            code="invalid_transition",
        )
    before = case.status
    method()
    setattr(case, stamp, timezone.now())
    case.save()
    timeline_add(
        case,
        "transition",
        actor,
        f"{before} → {case.status}" + (f": {note}" if note else ""),
        transition=transition,
        source=before,
        target=case.status,
        note=note,
    )
    return case


@transaction.atomic
def case_note_add(*, actor: Principal, case_id: int, text: str) -> CaseEvent:
    check_permission(actor, "cases.work")
    errors = ErrorList()
    text = required_text(errors, text, field="text", label="Text", limit=10_000)
    errors.raise_if_any()
    return timeline_add(_locked(case_id), "note", actor, text)
