"""What the review report says, gathered from the selectors that answer each part on its own (evaluation, timeline,
statements and their commitments, follow-ups, key nodes, recovery, trends), as plain JSON."""

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from monitoring.analytics.volume import MAX_HISTORY_POINTS, floor_to
from responses.aftercare.follow_up_selectors import follow_up_board
from responses.cases.analytics import analytics_key_nodes, analytics_trends
from responses.cases.selectors import case_timeline
from responses.cases.task_services import ACTION_ITEM_DESCRIPTION
from responses.evaluation.selectors import case_evaluation
from responses.models import CrisisCase, Statement, StatementPublication, TaskPriority
from responses.models.cases import LESSON_FIELDS
from responses.playbooks.diff import revision_diff
from responses.recovery.selectors import recovery_of
from tenants.identity.principals import Principal

# The talk before detection the volume chart shows, for the baseline it rose from.
# The chart shows as much talk before detection as the case lasted, at least half an hour and at most 12 hours, in
# the finest interval that keeps it readable (a case of minutes in minutes, one of days in hours).
LEAD_IN = timedelta(hours=12)
MIN_LEAD_IN = timedelta(minutes=30)
CHART_POINTS = 240
INTERVALS = (
    ("1m", timedelta(minutes=1)),
    ("5m", timedelta(minutes=5)),
    ("15m", timedelta(minutes=15)),
    ("1h", timedelta(hours=1)),
    ("6h", timedelta(hours=6)),
    ("1d", timedelta(days=1)),
)
KEY_NODES = 10
KEY_TASK_PRIORITIES = (TaskPriority.CRITICAL, TaskPriority.HIGH)


def report_content(actor: Principal, case: CrisisCase, now: datetime) -> dict[str, Any]:
    """The report's sections; timestamps as ISO 8601 strings, so it is stored and answered as it was built."""
    evaluation = case_evaluation(actor=actor, case_id=case.pk, now=now)
    tasks = list(case.tasks.select_related("assignee").order_by("created_at", "id"))
    content = {
        "case": _case(case),
        "evaluation": {k: evaluation[k] for k in ("score", "grade", "components", "comparison", "computed_at")},
        "timeline": [
            {"at": e.at, "kind": e.kind, "actor": e.actor, "summary": e.summary}
            for e in case_timeline(actor=actor, case_id=case.pk)
        ],
        "statements": _statements(case),
        "commitments": _commitments(case),
        "lessons": {field: case.lessons.get(field, "") for field in LESSON_FIELDS},
        "playbooks": [
            {
                "playbook_id": a.playbook_id,
                "name": a.playbook.name,
                "version": a.version,
                "activated_at": a.activated_at,
            }
            for a in case.playbook_activations.select_related("playbook").order_by("activated_at", "id")
        ],
        "playbook_revisions": _playbook_revisions(case),
        "action_items": [_task(t) for t in tasks if t.description == ACTION_ITEM_DESCRIPTION],
        "key_tasks": [_task(t) for t in tasks if t.priority in KEY_TASK_PRIORITIES],
        "key_nodes": analytics_key_nodes(actor=actor, scope=f"case:{case.pk}", limit=KEY_NODES)["key_nodes"],
        "follow_ups": _follow_ups(actor, case),
        "recovery": _recovery(actor, case, now),
        "trends": _trends(actor, case, now),
    }
    content["markers"] = _markers(case, content)
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def _case(case: CrisisCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "description": case.description,
        "scenario": case.scenario,
        "severity": case.severity,
        "status": case.status,
        "is_drill": case.is_drill,
        "opened_by": case.opened_by,
        "alert_ids": sorted(a.pk for a in case.alerts.all()),
        **{
            f"{stage}_at": getattr(case, f"{stage}_at")
            for stage in ("created", "acknowledged", "first_statement", "responding", "recovering", "resolved")
        },
        "reviewed_at": case.reviewed_at,
    }


def _statements(case: CrisisCase) -> list[dict[str, Any]]:
    """Each statement that went out, in the words of the version published, with where and when."""
    found = []
    published_ones = case.statements.filter(published_version__isnull=False).prefetch_related(
        "versions", "publications"
    )
    for statement in published_ones.order_by("published_at", "id"):
        published = next(v for v in statement.versions.all() if v.number == statement.published_version)
        found.append(
            {
                "id": statement.pk,
                "title": published.title,
                "body": published.body,
                "version": statement.published_version,
                "status": statement.status,
                "publications": [
                    {"channel": p.channel, "url": p.url, "published_at": p.published_at, "retracted_at": p.retracted_at}
                    for p in statement.publications.all()
                ],
            }
        )
    return found


def _playbook_revisions(case: CrisisCase) -> list[dict[str, Any]]:
    """What the review proposed to change in the playbooks it ran, each as a text diff against the version that ran."""
    return [
        {
            "id": r.pk,
            "playbook_id": r.playbook_id,
            "playbook": r.playbook.name,
            "base_version": r.base_version,
            "status": r.status,
            "applied_version": r.applied_version,
            "rationale": r.rationale,
            "proposed_by": r.proposed_by,
            "diff": revision_diff(r)["text"],
        }
        for r in case.playbook_revisions.select_related("playbook")
        .prefetch_related("playbook__versions")
        .order_by("proposed_at", "id")
    ]


def _reported_in(statement: Statement | None) -> dict[str, Any] | None:
    return {"id": statement.pk, "title": statement.title} if statement is not None else None


def _commitments(case: CrisisCase) -> list[dict[str, Any]]:
    """What the statements promised, soonest due first, and whether a published statement reported it kept."""
    found = case.commitments.select_related("follow_up_statement").order_by("due_at", "id")
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "description": c.description,
            "due_at": c.due_at,
            "status": c.status,
            "statement_id": c.statement_id,
            "kept_at": c.kept_at,
            "follow_up_statement": _reported_in(c.follow_up_statement),
            "withdrawn_reason": c.withdrawn_reason,
        }
        for c in found
    ]


def _task(task: Any) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "owner": task.assignee.email if task.assignee else None,
        "owner_role": task.assignee_role or None,
        "priority": task.priority,
        "status": task.status,
        "due_at": task.due_at,
        "completed_at": task.completed_at,
    }


def _follow_ups(actor: Principal, case: CrisisCase) -> dict[str, Any]:
    """The follow-up board, and its funnel: opened, contacted (worked or settled), settled, closed."""
    board = follow_up_board(actor=actor, case_id=case.pk)
    status = board["by_status"]
    board["funnel"] = [
        {"stage": "opened", "label": "開立 opened", "count": board["total"]},
        {
            "stage": "contacted",
            "label": "已聯繫 contacted",
            "count": status["in_progress"] + status["resolved"] + status["closed"],
        },
        {"stage": "resolved", "label": "已解決 resolved", "count": status["resolved"] + status["closed"]},
        {"stage": "closed", "label": "已結案 closed", "count": status["closed"]},
    ]
    return board


def _recovery(actor: Principal, case: CrisisCase, now: datetime) -> dict[str, Any]:
    found = recovery_of(actor, case, now)
    return {k: found[k] for k in ("baseline", "since", "recovered", "recovered_at", "hours_to_recovery", "explanation")}


def _trends(actor: Principal, case: CrisisCase, now: datetime) -> dict[str, Any]:
    """Volume and negative talk from before detection to the review (or now), in the finest interval that fits."""
    end = min(now, case.reviewed_at or case.resolved_at or now)
    since = case.created_at - min(LEAD_IN, max(end - case.created_at, MIN_LEAD_IN))
    interval, step = next(
        ((name, step) for name, step in INTERVALS if (end - since) / step < CHART_POINTS), INTERVALS[-1]
    )
    # Up to the end of the interval the case ended in, so its last minutes are drawn too.
    until = floor_to(end, step) + step
    since = max(since, until - step * (MAX_HISTORY_POINTS - 1))
    found = analytics_trends(actor=actor, scope=f"case:{case.pk}", interval=interval, since=since, until=until)
    return {
        "interval": interval,
        "since": found["since"],
        "until": found["until"],
        "series": [
            {
                "at": p["at"],
                "mentions": p["mentions"],
                "negative": p["sentiment"]["negative"],
                "polarity": p["polarity"],
            }
            for p in found["series"]
        ],
        "change_points": found["change_points"],
        "trend": found["trend"],
    }


def _markers(case: CrisisCase, content: dict[str, Any]) -> list[dict[str, Any]]:
    """The moments the volume chart marks: the alert that opened the case, each publication, each key task done."""
    markers: list[dict[str, Any]] = []
    alert = case.opened_from_alert
    if alert is not None:
        markers.append({"kind": "alert", "at": alert.opened_at, "label": f"alert #{alert.pk}"})
    for publication in StatementPublication.objects.filter(statement__case=case).order_by("published_at", "id"):
        markers.append(
            {
                "kind": "statement",
                "at": publication.published_at,
                "label": f"statement #{publication.statement_id} v{publication.version} on {publication.channel}",
            }
        )
    for task in content["key_tasks"]:
        if task["completed_at"] is not None:
            markers.append({"kind": "task", "at": task["completed_at"], "label": f"task #{task['id']} {task['title']}"})
    return sorted(markers, key=lambda m: m["at"])
