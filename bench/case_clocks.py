"""Cost of one run of the cases' beat task (SLA breaches and playbook escalations) with many open cases.

A fresh tenant gets a playbook with six tasks, one statement template and three escalation rules, then N open
cases (each runs the playbook as a new case does: tasks, a statement draft). The clocks are moved back so every
case is overdue; the first run records every breach and escalation (the worst case: all notified at once, one
subscribed webhook channel), later runs find nothing new (the steady state of a 60 s beat).

    uv run python bench/case_clocks.py [--cases 1000] [--runs 5]
"""

import argparse
import time
from datetime import timedelta
from typing import Any

from _setup import fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.utils import timezone
from django_tenants.utils import tenant_context

from responses.cases.services import case_create
from responses.models import CrisisCase, PlaybookActivation
from responses.playbooks.services import playbook_create
from responses.tasks import case_clocks
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.models import Delivery
from tenants.notifications.services import channel_create

CONTENT: dict[str, Any] = {
    "tasks": [
        {"title": f"Task {n}", "role": role, "due_minutes": 15 * (n + 1), "priority": "high"}
        for n, role in enumerate(["commander", "monitoring", "analysis", "communications", "legal", "customer_care"])
    ],
    "statements": [{"title": "Holding statement", "body": "我们已关注到相关情况，正在核实。"}],
    "escalation": [
        {"after_minutes": 30, "condition": "no_statement", "notify_roles": ["commander"]},
        {"after_minutes": 60, "condition": "task_overdue", "notify_roles": ["commander", "legal"]},
        {"after_minutes": 120, "condition": "not_resolved", "notify_roles": ["commander"]},
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    created = fresh_tenant("bench-cases")
    with tenant_context(Tenant.objects.get(slug=created.slug)):
        channel_create(actor=SYSTEM, name="sink", kind="webhook", url="https://hooks.example.com/vigil")
        playbook_create(actor=SYSTEM, name="Product safety", scenario="product_quality", content=CONTENT)
        started = time.perf_counter()
        for n in range(args.cases):
            case_create(actor=SYSTEM, title=f"Case {n}", scenario="product_quality", severity="I")
        open_seconds = time.perf_counter() - started
        past = timezone.now() - timedelta(hours=3)
        CrisisCase.objects.update(created_at=past)
        PlaybookActivation.objects.update(activated_at=past)

        started = time.perf_counter()
        first = case_clocks()
        first_seconds = time.perf_counter() - started
        steady = []
        for _ in range(args.runs):
            started = time.perf_counter()
            again = case_clocks()
            steady.append(time.perf_counter() - started)
            assert again == {"sla_breaches": 0, "escalations": 0, "quarantined": 0}, again
        deliveries = Delivery.objects.count()

    write_result(
        "case_clocks",
        {
            "open_cases": args.cases,
            "tasks_per_case": len(CONTENT["tasks"]),
            "case_create_with_playbook_ms": round(1000 * open_seconds / args.cases, 2),
            "first_run": {"seconds": round(first_seconds, 3), **first, "deliveries_queued": deliveries},
            "steady_run_seconds": {
                "p50": round(percentile(steady, 50), 3),
                "max": round(max(steady), 3),
                "runs": args.runs,
            },
        },
    )


if __name__ == "__main__":
    main()
