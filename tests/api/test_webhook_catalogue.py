"""The webhook event catalogue: every step of a case, its tasks and statements is announced; every body a run-through
sends matches its type's JSON Schema, and every type in the catalogue is sent by some flow, so the catalogue cannot
lie. Both API faces list the same catalogue."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context
from jsonschema import Draft202012Validator

from monitoring.ingest.payload import from_object
from monitoring.ingest.service import mentions_ingest
from monitoring.models import Alert, AlertEvent, TopicSettings, WarningPolicy
from monitoring.services import brand_create
from monitoring.topics.services import topics_refresh
from monitoring.warning.handlers import Change
from monitoring.warning.notifications import notify_change
from responses.aftercare.follow_up_services import (
    follow_up_compensation_decide,
    follow_up_create,
    follow_up_reply,
    follow_up_transition,
    follow_up_update,
    follow_ups_overdue_check,
)
from responses.aftercare.services import affected_user_create
from responses.cases.services import case_create, case_link, case_note_add, case_transition, case_update
from responses.cases.task_services import task_create
from responses.cases.task_services import task_update as task_set
from responses.commitments.services import (
    commitment_create,
    commitment_keep,
    commitment_update,
    commitment_withdraw,
    commitments_missed_check,
)
from responses.models import CaseTask, CrisisCase, PlaybookRevision, Statement
from responses.playbooks.escalation import escalation_check
from responses.playbooks.revision_services import playbook_revision_apply
from responses.playbooks.services import playbook_create
from responses.recovery.services import recovery_check
from responses.sla.services import sla_check
from responses.statements.services import (
    statement_approve,
    statement_create,
    statement_edit,
    statement_publish,
    statement_reject,
    statement_retract,
    statement_submit,
)
from responses.team.services import case_member_add, case_member_remove
from responses.watch.handlers import alert_recurrence
from tenants.billing.models import Plan
from tenants.billing.services import platform_tenant_update
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.catalogue import CATALOGUE
from tenants.notifications.models import Delivery, NotificationChannel
from tenants.notifications.services import channel_create, channel_test
from tests.conftest import PASSWORD, Api, key_auth
from tests.responses.test_playbooks import CONTENT, HOLDING, VERIFY

TYPES = "/api/v1/webhook-event-types"


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def alert_changes() -> None:
    policy = WarningPolicy.objects.get()
    now = timezone.now()
    alert = Alert.objects.create(
        policy=policy,
        scope="tenant",
        level="orange",
        peak_level="orange",
        index_value=71.5,
        peak_index=71.5,
        indicators=[{"key": "volume", "score": 0.9, "weight": 0.5, "contribution": 0.45, "explanation": "5x"}],
        opened_at=now,
        last_evaluated_at=now,
    )
    for kind in ("opened", "escalated", "reminded", "resolved"):
        event = AlertEvent.objects.create(alert=alert, kind=kind, level="orange", index_value=71.5, at=now)
        change = Change(kind, alert.pk, policy.pk, "tenant", now, "orange", 71.5, event.pk, True)
        notify_change(change)


def case_run_through() -> None:
    """A case from opening to review: team, tasks, statements through approval, publication and replacement."""
    person = User.objects.create_user(email="rita@alpha.example", password=PASSWORD, role="responder", name="Rita")
    brand = brand_create(actor=SYSTEM, name="奶茶店", expression="奶茶")
    playbook = playbook_create(
        actor=SYSTEM, name="Data leak I", scenario="data_leak", severities=["I"], content=CONTENT
    )
    case = case_create(actor=SYSTEM, title="用户数据泄露", scenario="data_leak", severity="I")
    case_update(actor=SYSTEM, case_id=case.pk, title="用户数据泄露事件", topics=["泄露"])
    case_link(actor=SYSTEM, case_id=case.pk, brand_ids=[brand.pk])
    case_note_add(actor=SYSTEM, case_id=case.pk, text="Legal is on it.")
    member = case_member_add(actor=SYSTEM, case_id=case.pk, user_id=person.pk, role="legal")
    case_member_remove(actor=SYSTEM, case_id=case.pk, member_id=member.pk)
    case_transition(actor=SYSTEM, case_id=case.pk, transition="assess")

    task = task_create(actor=SYSTEM, case_id=case.pk, title="Call the press", assignee_id=person.pk)
    task_set(actor=SYSTEM, task_id=task.pk, status="in_progress")
    task_set(actor=SYSTEM, task_id=task.pk, status="open")
    task_set(actor=SYSTEM, task_id=task.pk, priority="high", assignee_role="communications")
    task_set(actor=SYSTEM, task_id=task.pk, status="done")
    task_set(actor=SYSTEM, task_id=task.pk, status="open")
    task_set(actor=SYSTEM, task_id=task.pk, status="cancelled")

    escalation_check(now=timezone.now() + timedelta(hours=2))  # no statement is out yet

    first = Statement.objects.get(case=case)  # the playbook's draft: legal, then commander
    statement_edit(actor=SYSTEM, statement_id=first.pk, body="我们已关注到相关情况，正在全面核实。")
    statement_submit(actor=SYSTEM, statement_id=first.pk)
    statement_reject(actor=SYSTEM, statement_id=first.pk, comment="Name the date.")
    statement_submit(actor=SYSTEM, statement_id=first.pk)
    statement_approve(actor=SYSTEM, statement_id=first.pk, comment="OK for legal.")
    statement_approve(actor=SYSTEM, statement_id=first.pk)
    statement_publish(actor=SYSTEM, statement_id=first.pk, channel="weibo", url="https://weibo.com/1/2")
    statement_publish(actor=SYSTEM, statement_id=first.pk, channel="press")
    case_transition(actor=SYSTEM, case_id=case.pk, transition="respond")
    update = statement_create(
        actor=SYSTEM, case_id=case.pk, title="Update", body="事实如下。", required_approvals=[], supersedes_id=first.pk
    )
    statement_submit(actor=SYSTEM, statement_id=update.pk)
    statement_publish(actor=SYSTEM, statement_id=update.pk, channel="website", url="https://example.com/news")
    commitments_run_through(case.pk, first.pk, update.pk, person)
    statement_retract(actor=SYSTEM, statement_id=update.pk, reason="Wrong figures.")

    follow_ups_run_through(case.pk, person)
    sla_check(now=timezone.now() + timedelta(days=3))
    CaseTask.objects.filter(case=case).update(status="done")
    case_transition(actor=SYSTEM, case_id=case.pk, transition="recover")
    recovery_check(now=timezone.now() + timedelta(hours=8))  # silent before and after: back at the baseline
    for transition in ("resolve", "reopen", "resolve"):
        case_transition(actor=SYSTEM, case_id=case.pk, transition=transition)
    revised = {**CONTENT, "tasks": [HOLDING, VERIFY, {"title": "Brief the regulator", "due_minutes": 120}]}
    proposal = {"playbook": playbook.pk, "content": revised, "rationale": "The regulator heard of it from the press."}
    case_transition(actor=SYSTEM, case_id=case.pk, transition="review", playbook_revisions=[proposal])
    playbook_revision_apply(actor=SYSTEM, revision_id=PlaybookRevision.objects.get(case=case).pk)
    watch_recurrence(CrisisCase.objects.get(pk=case.pk))


def watch_recurrence(case: CrisisCase) -> None:
    """The reviewed case's post-crisis watch opens an alert on its brand."""
    now = timezone.now()
    assert case.watch_policy is not None
    alert = Alert.objects.create(
        policy=case.watch_policy,
        scope=f"brand:{case.brands.get().pk}",
        level="yellow",
        peak_level="yellow",
        index_value=48.0,
        peak_index=48.0,
        indicators=[],
        opened_at=now,
        last_evaluated_at=now,
    )
    event = AlertEvent.objects.create(alert=alert, kind="opened", level="yellow", index_value=48.0, at=now)
    alert_recurrence(Change("opened", alert.pk, alert.policy_id, alert.scope, now, "yellow", 48.0, event.pk, True))


def commitments_run_through(case_id: int, promise_id: int, report_id: int, owner: User) -> None:
    """A refund promised in the first statement and kept in the update, an investigation withdrawn, a fix missed."""
    week = timezone.now() + timedelta(days=7)
    refund = commitment_create(
        actor=SYSTEM, case_id=case_id, statement=promise_id, kind="refund", description="全额退款", due_at=week
    )
    commitment_update(actor=SYSTEM, commitment_id=refund.pk, owner_id=owner.pk)
    commitment_keep(actor=SYSTEM, commitment_id=refund.pk, follow_up_statement=report_id)
    inquiry = commitment_create(
        actor=SYSTEM, case_id=case_id, statement=promise_id, kind="investigation", description="彻查", due_at=week
    )
    commitment_withdraw(actor=SYSTEM, commitment_id=inquiry.pk, reason="监管部门接手调查")
    commitment_create(
        actor=SYSTEM,
        case_id=case_id,
        statement=promise_id,
        kind="fix",
        description="修复漏洞",
        due_at=timezone.now() + timedelta(days=1),
    )
    commitments_missed_check(now=timezone.now() + timedelta(days=2))


def follow_ups_run_through(case_id: int, owner: User) -> None:
    """An affected user's complaint worked to the end, and a compensation above the threshold approved."""
    person, _created = affected_user_create(actor=SYSTEM, case_id=case_id, platform="weibo", author_id="fan")
    complaint = follow_up_create(actor=SYSTEM, case_id=case_id, affected_user_id=person.pk, type="complaint")
    follow_up_update(actor=SYSTEM, follow_up_id=complaint.pk, owner_id=owner.pk)
    follow_up_reply(actor=SYSTEM, follow_up_id=complaint.pk, channel="phone", text="我们已收到您的反馈。")
    for transition in ("resolve", "reopen", "close"):
        follow_up_transition(actor=SYSTEM, follow_up_id=complaint.pk, transition=transition)
    money = follow_up_create(
        actor=SYSTEM,
        case_id=case_id,
        affected_user_id=person.pk,
        type="compensation",
        compensation_amount=Decimal("800.00"),
        compensation_currency="CNY",
    )
    follow_up_compensation_decide(actor=SYSTEM, follow_up_id=money.pk, decision="approve")
    follow_up_transition(actor=SYSTEM, follow_up_id=money.pk, transition="start")
    follow_ups_overdue_check(now=timezone.now() + timedelta(days=4))


def topic_changes() -> None:
    """A burst of posts on one subject, taken in by the topics refresh: the topic emerges."""
    TopicSettings.objects.create(emerging_burst=2.0, emerging_min_size=5)
    items = [
        {
            "platform": "weibo",
            "external_id": f"tp{k}",
            "text": f"星河手机电池爆炸起火 第{k}位用户",
            "published_at": timezone.now().isoformat(),
        }
        for k in range(8)
    ]
    mentions_ingest(actor=SYSTEM, payload=from_object({"mentions": items}))
    topics_refresh(settle_seconds=0)


def billing_changes() -> None:
    """The tenant's plan and billing status changed by a billing admin (the platform API's service, public schema)."""
    with schema_context(get_public_schema_name()):
        platform_tenant_update(actor=SYSTEM, slug="alpha", plan="team", status="suspended")


def quota_changes(settings: Any) -> None:
    """Ingest past 80% and then 100% of the plan's monthly mentions (the last item rejected)."""
    settings.BILLING_ENFORCE_LIMITS = True
    with schema_context(get_public_schema_name()):
        Plan.objects.filter(code="trial").update(limits={"mentions_per_month": 5})
    for ids in (["q1", "q2", "q3", "q4"], ["q5", "q6"]):
        items = [
            {"platform": "weibo", "external_id": i, "text": "额度", "published_at": timezone.now().isoformat()}
            for i in ids
        ]
        mentions_ingest(actor=SYSTEM, payload=from_object({"mentions": items}))
    settings.BILLING_ENFORCE_LIMITS = False


@pytest.fixture
def sent(alpha: Any, django_capture_on_commit_callbacks: Any, settings: Any) -> list[Delivery]:
    """Every body sent to a channel subscribed to everything while alerts change and a case runs its course."""
    with in_tenant("alpha"):
        channel = channel_create(actor=SYSTEM, name="everything", kind="email", emails=["ops@alpha.example"])
        with django_capture_on_commit_callbacks():
            alert_changes()
            case_run_through()
            quota_changes(settings)
            topic_changes()
            billing_changes()
            channel_test(actor=SYSTEM, channel_id=channel.pk)
        return list(Delivery.objects.filter(channel=channel).order_by("id"))


def test_every_body_a_run_through_sends_matches_its_catalogue_schema(sent):
    failures = [
        f"{d.event_type}: {error.json_path}: {error.message}"
        for d in sent
        for error in Draft202012Validator(CATALOGUE[d.event_type].schema).iter_errors(d.payload)
    ]

    assert failures == []


def test_every_catalogue_entry_is_sent_by_some_flow(sent):
    assert sorted({d.event_type for d in sent}) == sorted(CATALOGUE)


def test_a_case_run_through_tells_each_step_in_order(sent):
    steps = [d.event_type for d in sent if not d.event_type.startswith(("alert.", "test.", "billing.", "topic."))]

    assert steps[:8] == [
        "case.opened",
        "playbook.activated",
        "task.created",
        "task.assigned",
        "task.created",
        "task.assigned",
        "statement.drafted",
        "case.updated",
    ]
    assert steps[-9:] == [
        "case.recovery_started",
        "case.recovered",
        "case.resolved",
        "case.reopened",
        "case.resolved",
        "case.reviewed",
        "report.generated",
        "playbook.revised",
        "case.recurrence",
    ]
    approvals = [d.payload["data"] for d in sent if d.event_type == "approval.granted"]
    assert [(a["approval"]["role"], a["approval"]["comment"], a["still_due"]) for a in approvals] == [
        ("legal", "OK for legal.", ["commander"]),
        ("commander", "", []),
    ]


def test_task_steps_say_who_it_is_for_and_where_it_came_from(sent):
    tasks = [(d.event_type, d.payload["data"]) for d in sent if d.event_type.startswith("task.")]
    by_hand = [(name, data) for name, data in tasks if data["task"]["title"] == "Call the press"]

    assert [name for name, _ in by_hand] == [
        "task.created",
        "task.assigned",
        "task.started",
        "task.updated",
        "task.assigned",
        "task.updated",
        "task.completed",
        "task.reopened",
        "task.cancelled",
    ]
    assert by_hand[1][1]["task"]["assignee"]["email"] == "rita@alpha.example"
    assert by_hand[4][1]["task"]["assignee_role"] == "communications"
    assert by_hand[5][1]["changed"] == ["priority"]
    assert by_hand[7][1]["from_status"] == "done"


def test_a_publication_is_told_per_channel_and_the_first_one_is_the_statement_going_live(sent):
    published = [
        (d.event_type, d.payload["data"]["publication"]["channel"]) for d in sent if "publication" in d.payload["data"]
    ]
    superseded = next(d.payload["data"] for d in sent if d.event_type == "statement.superseded")
    first = next(d.payload["data"] for d in sent if d.event_type == "statement.drafted")

    assert published == [
        ("publication.recorded", "weibo"),
        ("statement.published", "weibo"),
        ("publication.recorded", "press"),
        ("publication.recorded", "website"),
        ("statement.published", "website"),
    ]
    assert superseded["statement"]["id"] == first["statement"]["id"]
    assert superseded["statement"]["status"] == "superseded"


def test_a_channel_gets_only_the_steps_it_subscribed_to(alpha):
    with in_tenant("alpha"):
        channel = channel_create(
            actor=SYSTEM, name="done", kind="email", emails=["ops@alpha.example"], event_types=["task.completed"]
        )
        case = case_create(actor=SYSTEM, title="x", activate_playbook=False)
        task = task_create(actor=SYSTEM, case_id=case.pk, title="t")
        task_set(actor=SYSTEM, task_id=task.pk, status="done")
        sent = list(Delivery.objects.filter(channel=channel).values_list("event_type", "payload__data__task__id"))

    assert sent == [("task.completed", task.pk)]


def test_a_step_that_rolls_back_sends_nothing(alpha, django_capture_on_commit_callbacks):
    with in_tenant("alpha"):
        channel_create(actor=SYSTEM, name="all", kind="email", emails=["ops@alpha.example"])
        case = case_create(actor=SYSTEM, title="x", activate_playbook=False)
        before = Delivery.objects.count()
        with django_capture_on_commit_callbacks() as enqueued, pytest.raises(RuntimeError), transaction.atomic():
            case_note_add(actor=SYSTEM, case_id=case.pk, text="never happened")
            raise RuntimeError("the rest of the change failed")
        after = Delivery.objects.count()

    assert (before, after, enqueued) == (before, before, [])


def test_both_faces_list_the_catalogue_with_schemas(alpha, make_key):
    _key, raw = make_key("alpha", "viewer")
    api = Api("alpha", auth=key_auth(raw))

    rest = api.get(TYPES)
    gql = api.graphql("{ webhookEventTypes { name description schema } }")

    assert rest.status_code == 200
    body = rest.json()
    assert (body["next_cursor"], body["previous_cursor"]) == (None, None)
    assert [t["name"] for t in body["results"]] == sorted(CATALOGUE)
    assigned = next(t for t in body["results"] if t["name"] == "task.assigned")
    assert assigned["description"] == CATALOGUE["task.assigned"].description
    assert assigned["schema"]["properties"]["data"]["properties"]["task"]["required"][:2] == ["id", "title"]
    assert gql.json()["data"]["webhookEventTypes"] == body["results"]


def test_the_catalogue_needs_credentials(alpha):
    assert Api("alpha").get(TYPES).status_code == 401
    gql = Api("alpha").graphql("{ webhookEventTypes { name } }").json()
    assert gql["errors"][0]["extensions"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/notification-channels",
            {"name": "x", "kind": "email", "emails": ["a@b.example"], "event_types": ["task.exploded"]},
            "event_types",
        ),
        ("/api/v1/deliveries?event_type=task.exploded", None, "event_type"),
    ],
)
def test_an_unknown_event_type_is_a_400_naming_the_field(alpha, path, body, field):
    api = Api("alpha", auth=key_auth(alpha.api_key))

    response = api.post(path, body) if body else api.get(path)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    with in_tenant("alpha"):
        assert not NotificationChannel.objects.exists()


def test_a_channel_may_subscribe_to_the_new_steps(alpha):
    api = Api("alpha", auth=key_auth(alpha.api_key))

    response = api.post(
        "/api/v1/notification-channels",
        {"name": "x", "kind": "email", "emails": ["a@b.example"], "event_types": ["task.assigned", "case.resolved"]},
    )

    assert response.status_code == 201
    assert response.json()["event_types"] == ["task.assigned", "case.resolved"]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_schema_is_a_valid_json_schema(name):
    Draft202012Validator.check_schema(CATALOGUE[name].schema)
