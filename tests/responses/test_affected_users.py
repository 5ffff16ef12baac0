"""Affected users (受影響用戶): added by hand, from a mention or in bulk from the case's scope, one per account;
contact details encrypted at rest, shown only to the roles that work with people, audited on every read, exported
and erased on request."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention
from responses.models import AffectedUser, CaseEvent
from tenants.audit.models import AuditEntry
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

CASES = "/api/v1/cases"
PHONE = "+86 138-0013-8000"
EMAIL = "wang.li@example.cn"
ORDER = "DD20261203-7781"
CONTACTS = {"handle": "王女士", "phone": PHONE, "email": EMAIL, "order_number": ORDER}


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def people_url(case_id: int, *rest: object) -> str:
    return "/".join([f"{CASES}/{case_id}/affected-users", *map(str, rest)])


def open_case(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.post(CASES, {"title": "奶茶店食品安全", "activate_playbook": False, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def in_alpha() -> Any:
    return tenant_context(Tenant.objects.get(slug="alpha"))


def ingest(api: Api, items: list[dict[str, Any]], sentiment: str = "negative") -> list[int]:
    response = api.post("/api/v1/mentions/batch", {"mentions": items})
    assert response.status_code in (200, 201, 202), response.content
    with in_alpha():
        mentions = Mention.objects.filter(external_id__in=[i["external_id"] for i in items])
        # Sentiment is the NLP's to judge; these tests are about who the authors are.
        mentions.update(sentiment=sentiment)
        return sorted(mentions.values_list("pk", flat=True))


def caller(make_key: Any, role: str) -> Api:
    _key, raw = make_key("alpha", role)
    return Api("alpha", auth=key_auth(raw))


def test_contacts_are_encrypted_in_the_database_and_shown_to_who_works_with_people(alpha, make_key):
    api = admin(alpha)
    case = open_case(api)

    created = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "u-778", **CONTACTS})
    viewer = caller(make_key, "viewer").get(people_url(case["id"]))
    responder = caller(make_key, "responder").get(people_url(case["id"], created.json()["id"]))

    assert created.status_code == 201, created.content
    assert created.json()["contacts"] == CONTACTS
    assert created.json()["source"] == "manual" and created.json()["author_id"] == "u-778"
    assert responder.json()["contacts"] == CONTACTS
    (shown,) = viewer.json()["results"]
    assert shown["contacts"] is None
    assert shown["contacts_held"] == ["handle", "phone", "email", "order_number"]
    with in_alpha(), connection.cursor() as cursor:
        cursor.execute("SELECT handle_token, phone_token, email_token, order_number_token FROM responses_affecteduser")
        ((*tokens,),) = cursor.fetchall()
    for token, plain in zip(tokens, CONTACTS.values(), strict=True):
        assert token.startswith("gAAAAA") and plain not in token
        assert "138" not in token and "wang" not in token


def test_every_read_of_contacts_is_in_the_audit_log_and_nothing_else_is(alpha, make_key):
    api = admin(alpha)
    case = open_case(api)
    person = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "u1", **CONTACTS}).json()

    api.get(people_url(case["id"]))
    api.get(people_url(case["id"], person["id"]))
    caller(make_key, "viewer").get(people_url(case["id"]))  # sees none: nothing read
    log = api.get("/api/v1/audit-log?action=affected_user.contacts_read").json()["results"]

    # The create's answer, the list and the detail showed them to the admin key.
    assert len(log) == 3
    assert {entry["target_type"] for entry in log} == {"affected_user"}
    assert {entry["target_id"] for entry in log} == {str(person["id"])}
    assert log[0]["details"] == {"case_id": case["id"], "fields": ["handle", "phone", "email", "order_number"]}
    with in_alpha():
        every_entry = " ".join(str(e.details) for e in AuditEntry.objects.all())
        timeline = " ".join(e.summary + str(e.data) for e in CaseEvent.objects.all())
    for secret in (PHONE, EMAIL, ORDER, "王女士"):
        assert secret not in every_entry and secret not in timeline


def test_contacts_never_reach_the_logs(alpha, caplog):
    api = admin(alpha)
    case = open_case(api)
    caplog.set_level(logging.DEBUG)

    person = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "u1", **CONTACTS}).json()
    api.patch(people_url(case["id"], person["id"]), {"phone": "not a phone"})
    api.get(people_url(case["id"], person["id"], "export"))

    for secret in (PHONE, EMAIL, ORDER, "not a phone"):
        assert secret not in caplog.text


def test_a_mentions_author_is_added_once_with_every_mention_as_evidence(alpha, item):
    api = admin(alpha)
    case = open_case(api)
    first, second = ingest(
        api,
        [
            item(external_id="am1", text="奶茶有异物", author={"external_id": "fan-9", "name": "小李"}),
            item(external_id="am2", text="客服不理人", author={"external_id": "fan-9", "name": "小李"}),
        ],
    )

    added = api.post(people_url(case["id"]), {"mention_id": first})
    again = api.post(people_url(case["id"]), {"mention_id": second})
    by_hand = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "fan-9"})

    assert added.status_code == 201
    assert added.json() | {"contacts": None} == added.json() | {
        "platform": "weibo",
        "author_id": "fan-9",
        "source": "mention",
        "sentiment": "negative",
        "evidence_ids": [first],
        "contacts": None,
    }
    assert added.json()["contacts"]["handle"] == "小李"
    assert again.status_code == 200 and again.json()["id"] == added.json()["id"]
    assert sorted(again.json()["evidence_ids"]) == [first, second]
    assert by_hand.status_code == 409 and by_hand.json()["error"]["code"] == "duplicate"
    assert by_hand.json()["error"]["field"] == "author_id"
    assert len(api.get(people_url(case["id"])).json()["results"]) == 1


def test_bulk_adds_the_authors_of_negative_mentions_of_the_case_brands_since_detection(alpha, item):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河奶茶", "kind": "own", "expression": "星河"}).json()
    case = open_case(api, brand_ids=[brand["id"]])
    now = timezone.now()
    ingest(
        api,
        [
            item(external_id=f"b{n}", text=f"星河奶茶太差了{n}", author={"external_id": f"angry-{n % 3}", "name": ""})
            for n in range(6)
        ],
    )
    ingest(api, [item(external_id="b-pos", text="星河奶茶真好喝", author={"external_id": "happy"})], "positive")
    ingest(api, [item(external_id="b-other", text="别家奶茶太差了", author={"external_id": "elsewhere"})])
    ingest(
        api,
        [
            item(
                external_id="b-old",
                text="星河奶茶太差了",
                published_at=(now - timedelta(days=3)).isoformat(),
                author={"external_id": "long-ago"},
            )
        ],
    )

    first = api.post(people_url(case["id"], "from-search"), {"since": (now - timedelta(hours=1)).isoformat()})
    second = api.post(people_url(case["id"], "from-search"), {"since": (now - timedelta(hours=1)).isoformat()})
    listed = api.get(people_url(case["id"])).json()["results"]

    assert first.status_code == 200, first.content
    assert first.json() | {"affected_user_ids": []} == {
        "mentions_matched": 6,
        "added": 3,
        "already_on_case": 0,
        "skipped_erased": 0,
        "evidence_links": 6,
        "truncated": False,
        "affected_user_ids": [],
    }
    assert second.json()["added"] == 0 and second.json()["already_on_case"] == 3
    assert second.json()["evidence_links"] == 0
    assert sorted(p["author_id"] for p in listed) == ["angry-0", "angry-1", "angry-2"]
    assert {p["source"] for p in listed} == {"search"} and all(len(p["evidence_ids"]) == 2 for p in listed)


def test_bulk_without_brands_is_a_400_naming_brand_ids(alpha):
    api = admin(alpha)
    case = open_case(api)

    response = api.post(people_url(case["id"], "from-search"), {})
    too_many = api.post(people_url(case["id"], "from-search"), {"brand_ids": [1], "limit": 5000})

    assert response.status_code == 400 and response.json()["error"]["field"] == "brand_ids"
    assert too_many.status_code == 400 and too_many.json()["error"]["field"] == "limit"


def test_erase_removes_the_person_keeps_the_count_and_is_not_undone_by_an_import(alpha, item, make_user, login):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河", "kind": "own", "expression": "星河"}).json()
    case = open_case(api, brand_ids=[brand["id"]])
    (mention,) = ingest(api, [item(external_id="e1", text="星河太差", author={"external_id": "gone", "name": "阿强"})])
    person = api.post(people_url(case["id"]), {"mention_id": mention, "phone": PHONE, "email": EMAIL}).json()
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    erased = api.post(people_url(case["id"], person["id"], "erase"), {"reason": "用户要求删除 (PIPL 第47条)"})
    exported = api.get(people_url(case["id"], person["id"], "export")).json()
    reimport = api.post(people_url(case["id"], "from-search"), {"since": since}).json()
    edit = api.patch(people_url(case["id"], person["id"]), {"phone": PHONE})

    assert erased.status_code == 200, erased.content
    body = erased.json()
    assert body["erased_at"] and body["author_id"] == "" and body["evidence_ids"] == []
    assert body["contacts"] == {"handle": "", "phone": "", "email": "", "order_number": ""}
    assert body["contacts_held"] == [] and body["platform"] == "weibo" and body["sentiment"] == "negative"
    assert exported["contacts"] == body["contacts"] and exported["evidence"] == []
    assert reimport["added"] == 0 and reimport["skipped_erased"] == 1
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "erased"
    assert len(api.get(people_url(case["id"])).json()["results"]) == 1
    with in_alpha():
        row = AffectedUser.objects.get(pk=person["id"])
        assert (row.phone_token, row.email_token, row.handle_token) == ("", "", "")
    log = api.get("/api/v1/audit-log?action=affected_user.erased").json()["results"]
    assert log[0]["target_id"] == str(person["id"])


def test_export_gives_everything_held_about_one_person_to_who_may_read_it(alpha, item, make_key):
    api = admin(alpha)
    case = open_case(api)
    (mention,) = ingest(api, [item(external_id="x1", text="我要投诉", author={"external_id": "p1", "name": "小周"})])
    person = api.post(people_url(case["id"]), {"mention_id": mention, "order_number": ORDER}).json()

    exported = api.get(people_url(case["id"], person["id"], "export"))
    viewer = caller(make_key, "viewer").get(people_url(case["id"], person["id"], "export"))

    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    body = exported.json()
    assert body["contacts"] == {"handle": "小周", "phone": "", "email": "", "order_number": ORDER}
    assert [(e["mention_id"], e["text"]) for e in body["evidence"]] == [(mention, "我要投诉")]
    assert viewer.status_code == 403
    log = api.get("/api/v1/audit-log?action=affected_user.exported").json()["results"]
    assert len(log) == 1 and log[0]["details"]["fields"] == ["handle", "order_number"]


def test_archiving_takes_a_person_off_the_list_and_keeps_the_row(alpha):
    api = admin(alpha)
    case = open_case(api)
    person = api.post(people_url(case["id"]), {"platform": "douyin", "author_id": "d1"}).json()

    deleted = api.delete(people_url(case["id"], person["id"]))
    again = api.delete(people_url(case["id"], person["id"]))

    assert (deleted.status_code, again.status_code) == (204, 204)
    assert len(api.get(people_url(case["id"])).json()["results"]) == 0
    archived = api.get(people_url(case["id"]) + "?archived=true").json()["results"]
    assert [p["id"] for p in archived] == [person["id"]] and archived[0]["archived_at"]
    assert api.get(people_url(case["id"], person["id"])).status_code == 200


def test_case_roles_grant_care_and_contacts_on_their_own_case(alpha, make_user, login):
    api = admin(alpha)
    case = open_case(api)
    other = open_case(api)
    care = make_user("alpha", "viewer", "care@alpha.example")
    legal = make_user("alpha", "viewer", "legal@alpha.example")
    api.post(f"{CASES}/{case['id']}/members", {"user_id": care.pk, "role": "customer_care"})
    api.post(f"{CASES}/{case['id']}/members", {"user_id": legal.pk, "role": "legal"})
    as_care = Api("alpha", auth=login("alpha", "care@alpha.example"))
    as_legal = Api("alpha", auth=login("alpha", "legal@alpha.example"))

    added = as_care.post(people_url(case["id"]), {"platform": "weibo", "author_id": "c1", **CONTACTS})
    elsewhere = as_care.post(people_url(other["id"]), {"platform": "weibo", "author_id": "c1"})
    care_erase = as_care.post(people_url(case["id"], added.json()["id"], "erase"))
    legal_reads = as_legal.get(people_url(case["id"], added.json()["id"]))
    legal_adds = as_legal.post(people_url(case["id"]), {"platform": "weibo", "author_id": "c2"})
    legal_erase = as_legal.post(people_url(case["id"], added.json()["id"], "erase"))

    assert added.status_code == 201 and added.json()["contacts"] == CONTACTS
    assert elsewhere.status_code == 403
    assert care_erase.status_code == 403
    assert legal_reads.json()["contacts"] == CONTACTS
    assert legal_adds.status_code == 403
    assert legal_erase.status_code == 200 and legal_erase.json()["erased_at"]
    assert len(api.get(people_url(other["id"])).json()["results"]) == 0


@pytest.mark.parametrize("role", ["analyst", "responder"])
def test_tenant_roles_that_work_cases_add_people_and_only_admins_erase(alpha, make_key, role):
    api = admin(alpha)
    case = open_case(api)
    worker = caller(make_key, role)

    added = worker.post(people_url(case["id"]), {"platform": "weibo", "author_id": "w1", "phone": PHONE})
    erase = worker.post(people_url(case["id"], added.json()["id"], "erase"))

    assert added.status_code == 201
    assert (added.json()["contacts"] is not None) == (role == "responder")
    assert erase.status_code == 403
    with in_alpha():
        assert AffectedUser.objects.get(pk=added.json()["id"]).erased_at is None


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_roles_that_do_not_work_cases_add_nobody(alpha, make_key, role):
    api = admin(alpha)
    case = open_case(api)

    denied = caller(make_key, role).post(people_url(case["id"]), {"platform": "weibo", "author_id": "v1"})

    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    with in_alpha():
        assert not AffectedUser.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "weibo", "author_id": "a", "phone": "call me maybe"}, "phone"),
        ({"platform": "weibo", "author_id": "a", "email": "not-an-email"}, "email"),
        ({"platform": "myspace", "author_id": "a"}, "platform"),
        ({"author_id": "a"}, "platform"),
        ({"platform": "weibo", "author_id": "a" * 129}, "author_id"),
        ({"platform": "weibo", "author_id": "a", "handle": "h" * 201}, "handle"),
        ({"mention_id": 987654321}, "mention_id"),
        ({"mention_id": -5}, "mention_id"),
        ({"mention_id": "abc"}, "mention_id"),
        ({"platform": "weibo", "author_id": "a", "phone": ["110"]}, "phone"),
        ({}, "author_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha, body, field):
    api = admin(alpha)
    case = open_case(api)

    response = api.post(people_url(case["id"]), body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    with in_alpha():
        assert not AffectedUser.objects.exists()


def test_bad_filters_and_unknown_ids_are_4xx(alpha):
    api = admin(alpha)
    case = open_case(api)
    person = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "a"}).json()

    assert api.get(people_url(case["id"]) + "?source=rumour").json()["error"]["field"] == "source"
    assert api.get(people_url(case["id"]) + "?platform=myspace").status_code == 400
    assert api.get(people_url(case["id"]) + "?archived=maybe").json()["error"]["field"] == "archived"
    assert api.get(people_url(999999)).status_code == 404
    assert api.get(people_url(case["id"], 999999)).status_code == 404
    assert api.patch(people_url(case["id"], person["id"]), {"email": "x@"}).json()["error"]["field"] == "email"
    other = open_case(api)
    assert api.get(people_url(other["id"], person["id"])).status_code == 404
    assert api.post(people_url(case["id"], person["id"], "erase"), {"reason": "r" * 3000}).status_code == 400


def test_another_tenant_can_neither_read_nor_change_a_case_s_people(alpha, beta):
    api = admin(alpha)
    case = open_case(api)
    person = api.post(people_url(case["id"]), {"platform": "weibo", "author_id": "a", **CONTACTS}).json()
    intruder = admin(beta)

    reads = [
        intruder.get(people_url(case["id"])).status_code,
        intruder.get(people_url(case["id"], person["id"])).status_code,
        intruder.get(people_url(case["id"], person["id"], "export")).status_code,
    ]
    writes = [
        intruder.post(people_url(case["id"]), {"platform": "weibo", "author_id": "b"}).status_code,
        intruder.patch(people_url(case["id"], person["id"]), {"phone": "110"}).status_code,
        intruder.post(people_url(case["id"], person["id"], "erase")).status_code,
        intruder.delete(people_url(case["id"], person["id"])).status_code,
    ]
    cross_key = Api("beta", auth=key_auth(alpha.api_key)).get(people_url(case["id"]))
    graphql = intruder.graphql(
        "query($c: Int!) { affectedUsers(caseId: $c) { edges { node { id } } } }", {"c": case["id"]}
    )

    assert reads == [404, 404, 404] and writes == [404, 404, 404, 404]
    assert cross_key.status_code in (401, 403)
    assert graphql.json()["errors"][0]["extensions"]["code"] == "not_found"
    fetched = api.get(people_url(case["id"], person["id"])).json()
    assert fetched["contacts"] == CONTACTS and fetched["erased_at"] is None and fetched["archived_at"] is None


def test_graphql_uses_the_same_rules(alpha, make_key, item):
    api = admin(alpha)
    case = open_case(api)
    (mention,) = ingest(api, [item(external_id="g1", text="投诉", author={"external_id": "g-1", "name": "阿美"})])
    viewer = caller(make_key, "viewer")

    created = api.graphql(
        """mutation($c: Int!, $m: Int!) { createAffectedUser(caseId: $c, mentionId: $m, phone: "13800138000") {
             created affectedUser { id source authorId evidenceIds contacts { handle phone } } } }""",
        {"c": case["id"], "m": mention},
    ).json()["data"]["createAffectedUser"]
    person_id = int(created["affectedUser"]["id"])
    as_viewer = viewer.graphql(
        "query($c: Int!) { affectedUsers(caseId: $c) { edges { node { id contacts { phone } contactsHeld } } } }",
        {"c": case["id"]},
    ).json()["data"]["affectedUsers"]
    denied = viewer.graphql(
        "mutation($c: Int!, $p: Int!) { eraseAffectedUser(caseId: $c, affectedUserId: $p) { erasedAt } }",
        {"c": case["id"], "p": person_id},
    ).json()
    bad = api.graphql(
        'mutation($c: Int!, $p: Int!) { updateAffectedUser(caseId: $c, affectedUserId: $p, email: "nope") { id } }',
        {"c": case["id"], "p": person_id},
    ).json()
    erased = api.graphql(
        "mutation($c: Int!, $p: Int!) { eraseAffectedUser(caseId: $c, affectedUserId: $p) { erasedAt authorId } }",
        {"c": case["id"], "p": person_id},
    ).json()["data"]["eraseAffectedUser"]

    assert created["created"] is True
    assert created["affectedUser"] | {"id": 0} == {
        "id": 0,
        "source": "MENTION",
        "authorId": "g-1",
        "evidenceIds": [mention],
        "contacts": {"handle": "阿美", "phone": "13800138000"},
    }
    assert nodes(as_viewer) == [{"id": str(person_id), "contacts": None, "contactsHeld": ["handle", "phone"]}]
    assert denied["errors"][0]["extensions"]["code"] == "permission_denied"
    assert bad["errors"][0]["extensions"]["code"] == "invalid" and bad["errors"][0]["extensions"]["field"] == "email"
    assert erased["erasedAt"] and erased["authorId"] == ""
