"""Rows for every GraphQL list field, made through the domain services: what the query-count tests page over."""

from datetime import timedelta
from itertools import count

from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring import services as monitoring_services
from monitoring.models import Alert, AlertEvent, Author, DeadLetter, Mention, Silence, WarningPolicy
from responses.aftercare import follow_up_services as follow_ups
from responses.aftercare import services as aftercare
from responses.cases import services, task_services
from responses.commitments import services as commitments
from responses.playbooks import services as playbooks
from responses.promotion.services import warning_policy_create
from responses.scripts import services as scripts
from responses.statements import services as statements
from responses.team import services as team
from tenants.audit.models import AuditEntry
from tenants.billing.models import BillingAccount
from tenants.billing.services import plan_create
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM
from tenants.identity.services import api_key_create
from tenants.models import Tenant
from tenants.notifications.models import Delivery, DeliveryAttempt
from tenants.notifications.services import channel_create

_serial = count(1)


TASKER = "tasker@example.com"
TASKER_PASSWORD = "long-enough-pw"


def rows(slug: str, n: int) -> None:
    """`n` more rows of each list, each case, alert, statement, playbook and delivery with two of its children;
    every task goes to TASKER, so `myTasks` grows too."""
    with tenant_context(Tenant.objects.get(slug=slug)):
        tasker = User.objects.filter(email=TASKER).first() or User.objects.create_user(
            email=TASKER, password=TASKER_PASSWORD, role="responder"
        )
        for _ in range(n):
            _one(next(_serial), tasker)


def platform_rows(n: int) -> None:
    """`n` more plans, and `n` more tenants each with a billing account on one: tenant rows without a schema, since
    the platform lists read only the public schema."""
    for _ in range(n):
        i = next(_serial)
        plan = plan_create(actor=SYSTEM, code=f"rows-{i}", name=f"Rows {i}", limits={"seats": i})
        tenant = Tenant.objects.create(schema_name=f"rows_{i}", slug=f"rows-{i}", name=f"Rows {i}")
        BillingAccount.objects.create(tenant=tenant, plan=plan)


def _one(i: int, tasker: User) -> None:
    now = timezone.now()
    user = User.objects.create_user(email=f"rows{i}@example.com", password=TASKER_PASSWORD, role="responder")
    api_key_create(actor=SYSTEM, name=f"rows key {i}", role="viewer")
    author = Author.objects.create(platform="weibo", external_id=f"a{i}", name=f"author {i}")
    mention = Mention.objects.create(
        platform="weibo", external_id=f"rows{i}", author=author, text="测试", published_at=now, content_hash=str(i)
    )
    rule = monitoring_services.rule_create(actor=SYSTEM, name=f"rule {i}", expression=f"词{i}")
    brand = monitoring_services.brand_create(actor=SYSTEM, name=f"brand {i}", expression=f"牌{i}")
    policy = WarningPolicy.objects.order_by("id").first()
    assert policy is not None
    warning_policy_create(actor=SYSTEM, name=f"policy {i}", indicators=policy.indicators, promote_level="red")
    alert = Alert.objects.create(
        policy=policy,
        scope=f"rule:{rule.pk}",
        level="red",
        peak_level="red",
        index_value=90,
        peak_index=90,
        indicators={},
        opened_at=now,
        last_evaluated_at=now,
    )
    for kind in ("opened", "escalated"):
        AlertEvent.objects.create(alert=alert, kind=kind, level="red", index_value=90, at=now)
    Silence.objects.create(scope=f"rule:{rule.pk}", starts_at=now, ends_at=now + timedelta(hours=1), created_by="t")
    channel = channel_create(actor=SYSTEM, name=f"channel {i}", kind="webhook", url=f"https://example.com/{i}")
    delivery = Delivery.objects.create(
        channel=channel, event_id=f"ev{i}", event_type="test.ping", title="t", text="t", payload={}, max_attempts=3
    )
    for number in (1, 2):
        DeliveryAttempt.objects.create(delivery=delivery, number=number, started_at=now, duration_ms=5, status_code=500)
    DeadLetter.objects.create(
        kind="case_clock",
        item_model="responses.CrisisCase",
        item_key=f"{i}",
        reason="boom",
        first_failed_at=now,
        last_failed_at=now,
    )
    AuditEntry.objects.create(action="rows.made", actor_type="system", actor_name="rows", target_type="row")
    case = services.case_create(
        actor=SYSTEM, title=f"case {i}", brand_ids=[brand.pk], evidence_ids=[mention.pk], activate_playbook=False
    )
    case.alerts.add(alert)
    for role in ("commander", "legal"):
        team.case_member_add(actor=SYSTEM, case_id=case.pk, user_id=user.pk, role=role)
    for title in ("first", "second"):
        task_services.task_create(actor=SYSTEM, case_id=case.pk, title=title, assignee_id=tasker.pk)
    for title in ("holding", "update"):
        statement = statements.statement_create(actor=SYSTEM, case_id=case.pk, title=title, body="正文")
        statements.statement_edit(actor=SYSTEM, statement_id=statement.pk, body="正文二")
        statements.statement_submit(actor=SYSTEM, statement_id=statement.pk)
    for kind in ("fix", "refund"):
        commitments.commitment_create(
            actor=SYSTEM,
            case_id=case.pk,
            statement=statement.pk,
            kind=kind,
            description="承诺",
            due_at=now + timedelta(days=3),
            owner_id=user.pk,
        )
    person, _created = aftercare.affected_user_create(
        actor=SYSTEM, case_id=case.pk, mention_id=mention.pk, phone="13800138000"
    )
    for kind in ("complaint", "callback"):
        follow_up = follow_ups.follow_up_create(
            actor=SYSTEM, case_id=case.pk, affected_user_id=person.pk, type=kind, note="记录"
        )
        follow_ups.follow_up_reply(actor=SYSTEM, follow_up_id=follow_up.pk, channel="phone", text="回访")
    scripts.script_create(actor=SYSTEM, name=f"script {i}", body="您好 {name}")
    playbook = playbooks.playbook_create(actor=SYSTEM, name=f"playbook {i}", scenario="other")
    playbooks.playbook_update(
        actor=SYSTEM,
        playbook_id=playbook.pk,
        description="v2",
        content={"tasks": [{"title": "check", "due_minutes": 30}]},
    )
    playbooks.playbook_activate(actor=SYSTEM, case_id=case.pk, playbook_id=playbook.pk)
