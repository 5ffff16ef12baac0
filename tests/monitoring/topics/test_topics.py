"""Hot topics as the API shows them: the refresh groups a tenant's mentions by subject, reposts follow their root,
merges are recorded, a burst is announced once, and a failed batch leaves nothing half done."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention, Topic, TopicEvent, TopicState, WarningPolicy
from monitoring.topics import services
from monitoring.topics.services import topics_refresh
from monitoring.warning.engine import evaluate
from tenants.identity.principals import SYSTEM
from tenants.notifications.models import Delivery
from tenants.notifications.services import channel_create
from tests.conftest import Api, key_auth, nodes, tenant_obj

PHONE = ["星河手机电池爆炸起火了", "星河手机充电时电池爆炸", "又一台星河手机电池起火爆炸", "星河手机电池爆炸太吓人"]
DELIVERY = ["外卖配送超时两个小时", "外卖又配送超时了", "这家外卖配送超时还不道歉"]


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def refresh(slug: str) -> services.RefreshResult:
    with tenant_context(tenant_obj(slug)):
        return topics_refresh(settle_seconds=0)


def ingest(api: Api, items: list[dict[str, Any]]) -> None:
    answer = api.post("/api/v1/mentions/batch", {"mentions": items})
    assert answer.json()["accepted"] == len(items), answer.content


def two_subjects(api: Api, item: Any) -> dict[str, Any]:
    at = timezone.now() - timedelta(minutes=30)
    phone = [item(text=t, published_at=at.isoformat(), author={"external_id": f"p{k}"}) for k, t in enumerate(PHONE)]
    food = [item(text=t, published_at=at.isoformat(), author={"external_id": "d"}) for t in DELIVERY]
    repost = item(
        text="转发微博",
        relation="repost",
        parent_external_id=phone[0]["external_id"],
        root_external_id=phone[0]["external_id"],
        published_at=at.isoformat(),
    )
    ingest(api, [*phone, *food])
    ingest(api, [repost])
    return {"phone": phone, "food": food, "repost": repost}


def topic_of(api: Api, external_id: str) -> int:
    found = api.get(f"/api/v1/mentions?external_id={external_id}").json()["results"]
    return found[0]["topic"]


def test_mentions_are_grouped_by_subject_and_a_repost_follows_its_root(alpha, item):
    api = admin(alpha)
    posts = two_subjects(api, item)

    done = refresh("alpha")

    assert done.mentions == 8 and done.assigned == 8 and done.topics_created == 2
    phone, food = topic_of(api, posts["phone"][0]["external_id"]), topic_of(api, posts["food"][0]["external_id"])
    assert phone != food
    assert {topic_of(api, p["external_id"]) for p in posts["phone"]} == {phone}
    assert {topic_of(api, p["external_id"]) for p in posts["food"]} == {food}
    assert topic_of(api, posts["repost"]["external_id"]) == phone

    listed = api.get("/api/v1/topics").json()["results"]
    assert [t["id"] for t in listed] == [phone, food]
    top = listed[0]
    assert top["size"] == 5 and top["authors"] == 5 and top["platforms"] == {"weibo": 5}
    labels = top["label_terms"][:4]
    assert "爆炸" in labels and any("电池" in term for term in labels) and "转发" not in top["label_terms"]
    assert top["cascades"]["count"] == 4 and top["cascades"]["largest_size"] == 2
    assert (
        top["cascades"]["largest_root_mention_id"]
        == api.get(f"/api/v1/mentions?external_id={posts['phone'][0]['external_id']}").json()["results"][0]["id"]
    )
    assert sum(top["sentiment"].values()) == 5 and sum(h["mentions"] for h in top["hourly"]) == 5

    of_topic = api.get(f"/api/v1/mentions?topic={food}").json()["results"]
    assert sorted(m["external_id"] for m in of_topic) == sorted(p["external_id"] for p in posts["food"])
    assert len(api.get(f"/api/v1/topics/{food}/mentions").json()["results"]) == 3

    graphql = api.graphql(
        "{ topics { edges { node { id size labelTerms cascades { count } } } } "
        f"topicMentions(topicId: {food}) {{ edges {{ node {{ externalId topic }} }} }} }}"
    ).json()["data"]
    assert [(t["id"], t["size"], t["labelTerms"]) for t in nodes(graphql["topics"])] == [
        (t["id"], t["size"], t["label_terms"]) for t in listed
    ]
    assert {m["topic"] for m in nodes(graphql["topicMentions"])} == {food}


def test_a_second_refresh_takes_in_only_what_is_new(alpha, item):
    api = admin(alpha)
    posts = two_subjects(api, item)
    refresh("alpha")
    phone = topic_of(api, posts["phone"][0]["external_id"])

    ingest(
        api,
        [
            item(text="星河手机电池爆炸，厂家还不回应", author={"external_id": "p0"}),
            item(text="星河手机电池又爆炸了", author={"external_id": "newcomer"}),
        ],
    )
    again = refresh("alpha")

    assert again.mentions == 2 and again.topics_created == 0
    topic = api.get(f"/api/v1/topics/{phone}").json()
    assert (topic["size"], topic["authors"]) == (7, 6)
    assert sum(topic["sentiment"].values()) == sum(topic["emotions"].values()) == 7
    assert sum(h["mentions"] for h in topic["hourly"]) == 7 and topic["platforms"] == {"weibo": 7}
    assert refresh("alpha").mentions == 0


def test_one_topic_shows_its_evolution_representatives_and_brands(alpha, item):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河", "expression": "星河", "keywords": ["星河"]}).json()
    posts = two_subjects(api, item)
    refresh("alpha")
    phone = topic_of(api, posts["phone"][0]["external_id"])

    rest = api.get(f"/api/v1/topics/{phone}").json()
    graphql = api.graphql(
        f"{{ topic(id: {phone}) {{ size evolution {{ kind }} representatives {{ id }} brands {{ brand share }} }} }}"
    ).json()["data"]["topic"]

    assert [e["kind"] for e in rest["evolution"]] == ["born"]
    assert 1 <= len(rest["representatives"]) <= 5
    assert all(r["topic"] == phone for r in rest["representatives"])
    assert rest["brands"] == [
        {"brand": brand["id"], "name": "星河", "kind": "own", "mentions": 4, "share": 0.8, "term_overlap": 1.0}
    ]
    assert graphql["brands"] == [{"brand": brand["id"], "share": 0.8}]
    assert [r["id"] for r in graphql["representatives"]] == [r["id"] for r in rest["representatives"]]
    assert len(api.get(f"/api/v1/topics?brand={brand['id']}").json()["results"]) == 1


def test_topics_of_a_case_are_those_holding_its_evidence(alpha, item):
    api = admin(alpha)
    posts = two_subjects(api, item)
    refresh("alpha")
    food = topic_of(api, posts["food"][0]["external_id"])
    mention = api.get(f"/api/v1/mentions?external_id={posts['food'][1]['external_id']}").json()["results"][0]
    case = api.post("/api/v1/cases", {"title": "外卖投诉", "evidence_ids": [mention["id"]]}).json()

    listed = api.get(f"/api/v1/topics?case={case['id']}").json()["results"]
    detail = api.get(f"/api/v1/topics/{food}").json()

    assert [t["id"] for t in listed] == [food]
    assert [(c["case"], c["mentions"]) for c in detail["cases"]] == [(case["id"], 1)]


def test_topics_that_come_to_talk_alike_merge_and_the_merge_is_recorded(alpha, item):
    api = admin(alpha)
    at = (timezone.now() - timedelta(minutes=20)).isoformat()
    ingest(api, [item(text="电池爆炸", published_at=at), item(text="外卖超时", published_at=at)])
    assert refresh("alpha").topics_created == 2
    bridging = [item(text="电池爆炸 外卖超时", published_at=at) for _ in range(8)]
    ingest(api, bridging)

    done = refresh("alpha")

    assert done.merged == 1
    with tenant_context(tenant_obj("alpha")):
        gone = Topic.objects.get(status="merged")
        assert gone.merged_into is not None and gone.merged_into.status == "live"
        assert TopicEvent.objects.filter(topic=gone, kind="merged", other=gone.merged_into).exists()
        assert TopicEvent.objects.filter(topic=gone.merged_into, kind="absorbed", other=gone).exists()
        assert not Mention.objects.filter(topic=gone).exists()
        assert gone.merged_into.size == 10
    detail = api.get(f"/api/v1/topics/{gone.pk}").json()
    assert detail["status"] == "merged" and detail["merged_into"] == gone.merged_into_id
    assert [e["kind"] for e in detail["evolution"]] == ["born", "merged"]
    assert len(api.get("/api/v1/topics?status=merged").json()["results"]) == 1


def test_a_burst_is_announced_once_as_emerging(alpha, item):
    api = admin(alpha)
    with tenant_context(tenant_obj("alpha")):
        channel = channel_create(
            actor=SYSTEM, name="topics", kind="email", emails=["ops@alpha.example"], event_types=["topic.emerging"]
        )
    assert api.patch("/api/v1/topic-settings", {"emerging_burst": 2.0, "emerging_min_size": 5}).status_code == 200
    now = timezone.now().isoformat()
    ingest(api, [item(text=PHONE[k % 4] + f" 第{k}台", published_at=now) for k in range(6)])
    refresh("alpha")
    ingest(api, [item(text=PHONE[0], published_at=now)])
    refresh("alpha")

    with tenant_context(tenant_obj("alpha")):
        sent = list(Delivery.objects.filter(channel_id=channel.pk))
        topic = Topic.objects.get()
    assert len(sent) == 1
    data = sent[0].payload["data"]
    assert data["topic_id"] == topic.pk and data["size"] == 6 and data["burst"] >= 2.0
    assert topic.emerging_at is not None
    assert [e["kind"] for e in api.get(f"/api/v1/topics/{topic.pk}").json()["evolution"]] == ["born", "emerging"]


def test_a_batch_that_fails_leaves_no_assignment_and_the_next_refresh_takes_it_all(alpha, item, monkeypatch):
    api = admin(alpha)
    posts = two_subjects(api, item)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services._Batch, "_restat", broken)
    with pytest.raises(RuntimeError):
        refresh("alpha")
    with tenant_context(tenant_obj("alpha")):
        assert TopicState.objects.get().watermark == 0
        assert not Topic.objects.exists() and not Mention.objects.filter(topic__isnull=False).exists()
    monkeypatch.undo()

    assert refresh("alpha").assigned == 8
    assert topic_of(api, posts["repost"]["external_id"]) == topic_of(api, posts["phone"][0]["external_id"])


def test_a_tenant_sees_only_its_own_topics(alpha, beta, item):
    posts = two_subjects(admin(alpha), item)
    refresh("alpha")
    phone = topic_of(admin(alpha), posts["phone"][0]["external_id"])
    other = admin(beta)

    assert len(other.get("/api/v1/topics").json()["results"]) == 0
    assert other.get(f"/api/v1/topics/{phone}").status_code == 404
    assert other.get(f"/api/v1/topics/{phone}/mentions").status_code == 404
    assert other.graphql(f"{{ topic(id: {phone}) {{ id }} }}").json()["errors"][0]["extensions"]["code"] == "not_found"


def test_every_role_reads_topics_and_only_admins_and_analysts_change_the_threshold(alpha, make_key):
    for role, may_change in (("viewer", False), ("responder", False), ("approver", False), ("analyst", True)):
        _, raw = make_key("alpha", role)
        api = Api("alpha", auth=key_auth(raw))
        assert api.get("/api/v1/topics").status_code == 200
        assert api.get("/api/v1/topic-settings").json() == {"emerging_burst": 4.0, "emerging_min_size": 20}
        answer = api.patch("/api/v1/topic-settings", {"emerging_min_size": 30})
        assert answer.status_code == (200 if may_change else 403), (role, answer.content)
        graphql = api.graphql("mutation { updateTopicSettings(emergingMinSize: 30) { emergingMinSize } }").json()
        assert ("errors" in graphql) is not may_change


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_size=abc", "min_size"),
        ("min_size=-1", "min_size"),
        ("ordering=bogus", "ordering"),
        ("since=yesterday", "since"),
        ("brand=1e30", "brand"),
        ("status=gone", "status"),
        ("case=abc", "case"),
    ],
)
def test_a_bad_topic_filter_is_a_400_naming_it(alpha, query, field):
    answer = admin(alpha).get(f"/api/v1/topics?{query}")

    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"emerging_burst": -1}, "emerging_burst"),
        ({"emerging_burst": "high"}, "emerging_burst"),
        ({"emerging_min_size": 0}, "emerging_min_size"),
        ({"emerging_min_size": 2.5}, "emerging_min_size"),
    ],
)
def test_a_bad_threshold_is_a_400_and_changes_nothing(alpha, body, field):
    api = admin(alpha)
    answer = api.patch("/api/v1/topic-settings", body)

    assert answer.status_code == 400 and answer.json()["error"]["field"] == field
    assert api.get("/api/v1/topic-settings").json() == {"emerging_burst": 4.0, "emerging_min_size": 20}


def test_unknown_topics_and_cases_are_404s(alpha):
    api = admin(alpha)

    assert api.get("/api/v1/topics/987654").status_code == 404
    assert api.get("/api/v1/topics/987654/mentions").status_code == 404
    missing_case = api.get("/api/v1/topics?case=987654")
    assert missing_case.status_code == 404 and missing_case.json()["error"]["field"] == "case"


def test_a_warning_policy_alerts_on_a_bursting_topic(alpha, item):
    api = admin(alpha)
    with tenant_context(tenant_obj("alpha")):
        WarningPolicy.objects.all().delete()  # the default policy would raise its own alerts
    policy = api.post(
        "/api/v1/warning-policies",
        {
            "name": "Topic storms",
            "indicators": [{"type": "topic_burst", "params": {"min_size": 5, "low": 0, "high": 4}}],
            "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
        },
    )
    assert policy.status_code == 201, policy.content
    now = timezone.now()
    ingest(api, [item(text=PHONE[k % 4], published_at=now.isoformat()) for k in range(6)])

    with tenant_context(tenant_obj("alpha")):
        assert evaluate(now=now) == []
        refresh("alpha")
        topic = Topic.objects.get()
        opened = evaluate(now=now)

    assert [c.kind for c in opened] == ["opened"]
    alert = api.get("/api/v1/alerts?status=open").json()["results"][0]
    reading = alert["indicators"][0]
    assert reading["type"] == "topic_burst" and reading["value"] == topic.burst == 3.0
    assert f"topic #{topic.pk}" in reading["explanation"]


def test_a_topic_is_a_scope_for_trends_and_key_nodes_but_not_the_bucketed_forecast(alpha, beta, item):
    api = admin(alpha)
    posts = two_subjects(api, item)
    refresh("alpha")
    phone = topic_of(api, posts["phone"][0]["external_id"])

    since = (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    trends = api.get(f"/api/v1/analytics/trends?scope=topic:{phone}&interval=5m&since={since}").json()
    nodes_ = api.get(f"/api/v1/analytics/key-nodes?scope=topic:{phone}").json()
    forecast = api.get(f"/api/v1/analytics/forecast?scope=topic:{phone}")

    assert sum(p["mentions"] for p in trends["series"]) == 5
    assert nodes_["nodes"] == 5
    assert forecast.status_code == 400 and forecast.json()["error"]["field"] == "scope"
    other = admin(beta).get(f"/api/v1/analytics/trends?scope=topic:{phone}")
    assert other.status_code == 404 and other.json()["error"]["field"] == "scope"


def test_small_batches_group_alike_across_batches(alpha, item):
    api = admin(alpha)
    posts = two_subjects(api, item)

    with tenant_context(tenant_obj("alpha")):
        done = topics_refresh(batch=3, settle_seconds=0)

    assert (done.batches, done.mentions, done.topics_created) == (3, 8, 2)
    phone = {topic_of(api, p["external_id"]) for p in [*posts["phone"], posts["repost"]]}
    food = {topic_of(api, p["external_id"]) for p in posts["food"]}
    assert len(phone) == 1 and len(food) == 1 and phone != food


def test_one_tenant_s_emerging_threshold_leaves_another_s_alone(alpha, beta):
    assert admin(alpha).patch("/api/v1/topic-settings", {"emerging_burst": 9.5}).status_code == 200

    assert admin(beta).get("/api/v1/topic-settings").json() == {"emerging_burst": 4.0, "emerging_min_size": 20}
    assert admin(beta).graphql("{ topicSettings { emergingBurst } }").json()["data"]["topicSettings"] == {
        "emergingBurst": 4.0
    }
