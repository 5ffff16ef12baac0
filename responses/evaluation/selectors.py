"""The evaluation score of a case (處置效果評估), computed from the case's own data, with every component explained.

Each component is a value from 0 to 100 (README, "Case evaluation", gives every rule); a component without the data
to judge it is null and left out, the other weights renormalised. The score is the weighted mean, the grade its band
(responses.evaluation.settings), and the comparison scores the tenant's earlier cases and drills of the scenario the
same way.
"""

from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from responses.cases.effects import Action, action_effect
from responses.cases.selectors import case_get
from responses.evaluation.containment import spread_containment
from responses.evaluation.settings import COMPARISON_LIMIT, evaluation_config, grade_of
from responses.models import (
    ApprovalDecision,
    CaseTask,
    CrisisCase,
    FollowUpStatus,
    Statement,
    StatementApproval,
    StatementPublication,
    TaskStatus,
)
from responses.recovery.selectors import recovery_of, recovery_start
from responses.sla.selectors import CLOSED, Targets, case_sla, targets_by_severity
from responses.statements.selectors import statement_consistency
from tenants.identity.principals import Principal

_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)
# Sentiment recovery: 50 with the negative share unchanged, ± this many points per point of change (a 10-point fall
# is 100, a 10-point rise 0).
POINTS_PER_SHARE_POINT = 5.0


def case_evaluation(*, actor: Principal, case_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The case's score, grade and components, and how it compares with the tenant's cases and drills of its
    scenario."""
    case = case_get(actor=actor, case_id=case_id)
    now = now or timezone.now()
    targets = targets_by_severity()
    weights = evaluation_config().weights
    found = _evaluate(actor, case, targets, weights, now)
    found["comparison"] = _comparison(actor, case, found["score"], targets, weights, now)
    return found


def _evaluate(
    actor: Principal, case: CrisisCase, targets: dict[str, Targets], weights: dict[str, float], now: datetime
) -> dict[str, Any]:
    sla = targets[case.severity]
    first = _first_statement_effect(actor, case, now)
    components = [
        _timeliness(case, sla, now),
        _sla_compliance(case, sla, now),
        _spread_containment(case, first),
        _sentiment_recovery(first, recovery_of(actor, case, now) if recovery_start(case) else None, sla, now),
        _follow_up_closure(case),
        _statement_consistency(actor, case, sla),
        _tasks_on_time(case, now),
    ]
    scored = sum(weights[c["name"]] for c in components if c["value"] is not None)
    for c in components:
        c["weight"] = weights[c["name"]]
        c["effective_weight"] = round(c["weight"] / scored, 4) if scored and c["value"] is not None else 0.0
    score = (
        round(sum(c["value"] * c["weight"] for c in components if c["value"] is not None) / scored, 2)
        if scored
        else None
    )
    return {
        "case_id": case.pk,
        "scenario": case.scenario,
        "is_drill": case.is_drill,
        "computed_at": now,
        "score": score,
        "grade": grade_of(score) if score is not None else None,
        "components": components,
    }


def _component(name: str, value: float | None, inputs: dict[str, Any], explanation: str) -> dict[str, Any]:
    return {
        "name": name,
        "value": None if value is None else round(min(100.0, max(0.0, value)), 2),
        "inputs": inputs,
        "explanation": explanation,
    }


def _minutes(start: datetime, end: datetime) -> float:
    return round((end - start) / _MINUTE, 2)


def _clock_value(minutes: float, target: int) -> float:
    """100 within the target, falling in a straight line to 0 at twice the target."""
    return 100.0 if minutes <= target else max(0.0, 100.0 * (2 - minutes / target))


def _timeliness(case: CrisisCase, sla: Targets, now: datetime) -> dict[str, Any]:
    inputs: dict[str, Any] = {"detected_at": case.created_at.isoformat()}
    values, parts = [], []
    closed = case.status in CLOSED
    for kind, met_at, label in (
        ("acknowledge", case.acknowledged_at, "acknowledged"),
        ("first_statement", case.first_statement_at, "first statement published"),
    ):
        target = sla.minutes(kind)
        inputs[f"{kind}_target_minutes"] = target
        inputs[f"{kind}_minutes"] = None if met_at is None else _minutes(case.created_at, met_at)
        if met_at is not None:
            values.append(_clock_value(inputs[f"{kind}_minutes"], target))
            parts.append(f"{label} after {inputs[f'{kind}_minutes']:g} min against {target}")
        elif closed or now > case.created_at + target * _MINUTE:
            values.append(0.0)
            parts.append(f"never {label} within twice the {target} min target")
    if not values:
        return _component("timeliness", None, inputs, "Neither clock has been met or run out yet: nothing to judge.")
    return _component(
        "timeliness",
        fmean(values),
        inputs,
        _sentence(f"{'; '.join(parts)}; each is 100 within its SLA target, falling to 0 at twice it."),
    )


def _sla_compliance(case: CrisisCase, sla: Targets, now: datetime) -> dict[str, Any]:
    states = [clock["state"] for clock in case_sla(case, sla, now)]
    inputs: dict[str, Any] = {
        state: states.count(state) for state in ("met", "met_late", "breached", "pending", "not_applicable")
    }
    inputs["recorded_breaches"] = sorted(b.kind for b in case.sla_breaches.all())
    decided = inputs["met"] + inputs["met_late"] + inputs["breached"]
    if not decided:
        return _component("sla_compliance", None, inputs, "No SLA target is met or missed yet.")
    return _component(
        "sla_compliance",
        100.0 * inputs["met"] / decided,
        inputs,
        f"{inputs['met']} of {decided} decided SLA targets met in time (acknowledge, first statement, resolve).",
    )


def _first_statement_effect(actor: Principal, case: CrisisCase, now: datetime) -> dict[str, Any] | None:
    first = (
        StatementPublication.objects.filter(statement__case=case)
        .select_related("statement")
        .order_by("published_at", "id")
        .first()
    )
    if first is None:
        return None
    action = Action(
        "statement_published",
        first.published_at,
        {"statement_id": first.statement_id, "version": first.version, "channel": first.channel},
        f"Statement #{first.statement_id} v{first.version} published on {first.channel}",
    )
    return action_effect(actor=actor, case=case, action=action, now=now)


def _spread_containment(case: CrisisCase, effect: dict[str, Any] | None) -> dict[str, Any]:
    return _component("spread_containment", *spread_containment(case, effect))


def _sentiment_recovery(
    effect: dict[str, Any] | None, recovery: dict[str, Any] | None, sla: Targets, now: datetime
) -> dict[str, Any]:
    target = round(sla.minutes("resolve") / 60, 2)
    inputs: dict[str, Any] = {
        "negative_share_before": None,
        "negative_share_after": None,
        "change": None,
        "recovery_since": None,
        "recovered": None,
        "hours_to_recovery": None,
        "resolve_target_hours": target,
    }
    parts: list[float] = []
    words: list[str] = []
    missing: list[str] = []
    if effect is None:
        missing.append("no statement has been published")
    else:
        windows = effect["windows"]
        before, after = windows["before"]["negative_share"], windows["after"]["negative_share"]
        inputs["negative_share_before"], inputs["negative_share_after"] = before, after
        if before is None or after is None:
            missing.append("no mentions before or after the first statement")
        else:
            # From the counts, not the rounded shares, so that the value does not carry their rounding.
            change = (
                windows["after"]["negative"] / windows["after"]["mentions"]
                - windows["before"]["negative"] / windows["before"]["mentions"]
            )
            inputs["change"] = round(change, 4)
            parts.append(50.0 - POINTS_PER_SHARE_POINT * 100 * change)
            words.append(
                f"negative share {before:.1%} before the first statement, {after:.1%} after (50 if unchanged, 5 more "
                "per point it fell, 5 less per point it rose)"
            )
    if recovery is None:
        missing.append("the case has not reached recovering")
    else:
        since, hours = recovery["since"], recovery["hours_to_recovery"]
        inputs["recovery_since"], inputs["recovered"], inputs["hours_to_recovery"] = since.isoformat(), False, hours
        if recovery["recovered"]:
            inputs["recovered"] = True
            parts.append(100.0 * max(0.0, 1 - hours / target))
            words.append(
                f"back at the pre-crisis baseline {hours:g} h after recovery began, against the {target:g} h "
                "resolve target (100 at once, 0 at the target)"
            )
        elif (now - since) / _HOUR >= target:
            parts.append(0.0)
            words.append(f"not back at the pre-crisis baseline within the {target:g} h resolve target")
        else:
            missing.append("the talk is not back at its baseline yet")
    if not parts:
        return _component("sentiment_recovery", None, inputs, _sentence(f"nothing to judge: {'; '.join(missing)}."))
    return _component("sentiment_recovery", fmean(parts), inputs, _sentence(f"{'; '.join(words)}."))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _follow_up_closure(case: CrisisCase) -> dict[str, Any]:
    follow_ups = list(case.follow_ups.all())
    if not follow_ups:
        return _component("follow_up_closure", None, {"follow_ups": 0}, "The case has no follow-ups.")
    done = [f for f in follow_ups if f.status in (FollowUpStatus.RESOLVED, FollowUpStatus.CLOSED)]
    settled = [(f, at) for f in done if (at := f.resolved_at or f.closed_at) is not None]
    on_time = sum(1 for f, at in settled if at <= f.due_at)
    scores = [f.csat for f in follow_ups if f.csat is not None]
    inputs = {
        "follow_ups": len(follow_ups),
        "settled": len(done),
        "closure_rate": round(len(done) / len(follow_ups), 4),
        "settled_by_due": on_time,
        "mean_hours_to_resolution": (
            round(fmean((at - f.created_at) / _HOUR for f, at in settled), 2) if settled else None
        ),
        "csat_answers": len(scores),
        "mean_csat": round(fmean(scores), 2) if scores else None,
    }
    parts = [100.0 * len(done) / len(follow_ups)]
    words = [f"{len(done)} of {len(follow_ups)} follow-ups settled"]
    if settled:
        parts.append(100.0 * on_time / len(settled))
        words.append(f"{on_time} of {len(settled)} by their due time")
    if scores:
        parts.append(100.0 * (fmean(scores) - 1) / 4)
        words.append(f"mean satisfaction {inputs['mean_csat']:g} of 5 from {len(scores)} answers")
    return _component(
        "follow_up_closure",
        fmean(parts),
        inputs,
        f"{'; '.join(words)}: the mean of the closure rate, the share settled by due"
        " and satisfaction (1 → 0, 5 → 100) where known.",
    )


def _statement_consistency(actor: Principal, case: CrisisCase, sla: Targets) -> dict[str, Any]:
    statements = list(
        Statement.objects.filter(case=case, published_version__isnull=False).prefetch_related(
            Prefetch(
                "approvals",
                queryset=StatementApproval.objects.filter(decision=ApprovalDecision.APPROVED),
                to_attr="approved",
            )
        )
    )
    if not statements:
        return _component("statement_consistency", None, {}, "No statement has been published: nothing to judge.")
    channels = statement_consistency(actor=actor, case_id=case.pk)["channels"]
    agreeing = sum(1 for row in channels if row["flag"] is None)
    leads = []
    for statement in statements:
        approved = [a.at for a in statement.approved if a.version == statement.published_version]
        if statement.submitted_at is not None:
            leads.append(max(0.0, _minutes(statement.submitted_at, max(approved))) if approved else 0.0)
    target = sla.minutes("first_statement")
    inputs: dict[str, Any] = {
        "published_statements": len(statements),
        "live_channels": len(channels),
        "consistent_channels": agreeing,
        "mean_approval_minutes": round(fmean(leads), 2) if leads else None,
        "first_statement_target_minutes": target,
    }
    parts, words = [], []
    if channels:
        parts.append(100.0 * agreeing / len(channels))
        words.append(f"{agreeing} of {len(channels)} live channels carry what is live elsewhere")
    if leads:
        parts.append(100.0 * max(0.0, 1 - inputs["mean_approval_minutes"] / target))
        words.append(
            f"approval took {inputs['mean_approval_minutes']:g} min from submission on average, against the "
            f"{target} min first-statement target (100 at once, 0 if it takes the whole target)"
        )
    if not parts:
        return _component("statement_consistency", None, inputs, "Every publication was retracted: nothing live.")
    return _component("statement_consistency", fmean(parts), inputs, _sentence(f"{'; '.join(words)}."))


def _tasks_on_time(case: CrisisCase, now: datetime) -> dict[str, Any]:
    tasks = CaseTask.objects.filter(case=case, due_at__isnull=False).exclude(status=TaskStatus.CANCELLED)
    inputs = {"on_time": 0, "late": 0, "overdue": 0, "not_yet_due": 0}
    for task, due in ((t, t.due_at) for t in tasks):
        if due is None:
            continue
        if task.status == TaskStatus.DONE and task.completed_at is not None:
            inputs["on_time" if task.completed_at <= due else "late"] += 1
        else:
            inputs["overdue" if due < now else "not_yet_due"] += 1
    judged = inputs["on_time"] + inputs["late"] + inputs["overdue"]
    if not judged:
        return _component("tasks_on_time", None, inputs, "No task with a due date is done or past due.")
    return _component(
        "tasks_on_time",
        100.0 * inputs["on_time"] / judged,
        inputs,
        f"{inputs['on_time']} of {judged} tasks with a due date done by it ({inputs['late']} late, "
        f"{inputs['overdue']} overdue and open).",
    )


def _comparison(
    actor: Principal,
    case: CrisisCase,
    score: float | None,
    targets: dict[str, Targets],
    weights: dict[str, float],
    now: datetime,
) -> dict[str, Any]:
    """The last COMPARISON_LIMIT real cases opened before this one and drills of the scenario, each scored the same
    way, and this case's rank among each group and itself (1 = best; ties share the better rank)."""
    same = (
        CrisisCase.objects.filter(scenario=case.scenario)
        .exclude(pk=case.pk)
        .prefetch_related("brands", "evidence", "sla_breaches")
        .order_by("-created_at", "-id")
    )
    groups = {
        "previous_cases": same.filter(is_drill=False, created_at__lt=case.created_at),
        "drills": same.filter(is_drill=True),
    }
    found = {}
    for name, cases in groups.items():
        rows = [
            {
                "case_id": other.pk,
                "title": other.title,
                "created_at": other.created_at,
                **{k: v for k, v in _evaluate(actor, other, targets, weights, now).items() if k in ("score", "grade")},
            }
            for other in cases[:COMPARISON_LIMIT]
        ]
        scores = [r["score"] for r in rows if r["score"] is not None]
        found[name] = {
            "count": len(rows),
            "scored": len(scores),
            "mean_score": round(fmean(scores), 2) if scores else None,
            "rank": None if score is None else 1 + sum(1 for s in scores if s > score),
            "out_of": len(scores) + 1,
            "cases": rows,
        }
    return found
