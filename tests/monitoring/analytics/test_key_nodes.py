"""Key nodes of a scope: the authors who carried the spread of a brand's, a rule's, a case's or the tenant's
mentions in a window, ranked with a reason; read in one query, measured on the forest and the author graph."""

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.errors import NotFoundError, ValidationError
from config.jsonsafe import INT_MAX
from monitoring.analytics import key_nodes as module
from monitoring.analytics.key_nodes import ScopeNode, rank_authors, scope_key_nodes
from monitoring.analytics.scopes import parse_scope
from monitoring.ingest.payload import from_object
from monitoring.ingest.service import mentions_ingest
from monitoring.models import Mention
from monitoring.services import brand_archive, brand_create, rule_create
from tenants.identity.principals import SYSTEM
from tests.conftest import tenant_obj

Shape = list[tuple[str, str, str]]  # (external id, parent external id or "", author external id or "")


def ingest(item: Any, shape: Shape, *, minutes_ago: float = 60, text: str = "转发", **extra: Any) -> dict[str, int]:
    """Store mentions (parents first, a minute apart) and return their ids by external id."""
    start = timezone.now() - timedelta(minutes=minutes_ago)
    items = []
    for k, (name, parent, author) in enumerate(shape):
        fields = item(
            external_id=name,
            text=text,
            published_at=(start + timedelta(seconds=k)).isoformat(),
            author={"external_id": author, "name": "", "followers": 10 * (k + 1), "verified": False},
            **extra,
        )
        if parent:
            fields.update(parent_external_id=parent, relation="repost")
        if not author:
            del fields["author"]
        items.append(fields)
    mentions_ingest(actor=SYSTEM, payload=from_object({"mentions": items}))
    return dict(Mention.objects.filter(external_id__in=[s[0] for s in shape]).values_list("external_id", "id"))


def ranked(scope: str = "tenant", **kw: Any) -> dict[str, Any]:
    kw.setdefault("since", None)
    kw.setdefault("until", None)
    return scope_key_nodes(actor=SYSTEM, scope=scope, **kw)


def by_author(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["author_external_id"]: k for k in answer["key_nodes"]}


STAR: Shape = [("s", "", "star"), *((f"r{k}", "s", f"fan{k}") for k in range(5)), ("rr", "r0", "fan9")]


def test_the_author_everyone_reposted_ranks_first_and_the_reason_says_so(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        ids = ingest(item, STAR)

        answer = ranked()

    assert (answer["nodes"], answer["authors"], answer["edges"], answer["truncated"]) == (7, 7, 6, False)
    first = answer["key_nodes"][0]
    assert first["author_external_id"] == "star" and first["platform"] == "weibo"
    assert (first["posts"], first["direct_reposts"], first["subtree_size"]) == (1, 5, 6)
    assert first["top_mention_id"] == ids["s"] and first["core"] == 1
    assert first["reason"].startswith("6 of the scope's 6 reposts (100%) went through their posts")
    assert 0 < first["score"] <= 1 and first["score"] > answer["key_nodes"][1]["score"]
    assert answer["key_nodes"][1]["author_external_id"] == "fan0"  # reposted once, the others not at all


def test_an_author_the_spread_passed_through_is_a_bridge(alpha, item):
    shape: Shape = [("o", "", "origin"), ("b", "o", "bridge"), *((f"c{k}", "b", f"reader{k}") for k in range(4))]
    with tenant_context(tenant_obj("alpha")):
        ingest(item, shape)

        nodes = by_author(ranked())

    # Directed paths run reposter → reposted: the four readers reach the origin only through the bridge.
    assert nodes["bridge"]["betweenness"] == pytest.approx(4 / (5 * 4))
    assert nodes["origin"]["betweenness"] == 0 and nodes["reader0"]["betweenness"] == 0
    assert nodes["origin"]["pagerank"] > nodes["bridge"]["pagerank"] > nodes["reader0"]["pagerank"]


def test_a_brand_scope_counts_that_brand_s_posts_and_what_spread_from_them(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        brand = brand_create(actor=SYSTEM, name="奶茶店", expression="奶茶")
        ingest(item, [("bs", "", "shop")], text="这家奶茶店出事了")
        ingest(item, [("b1", "bs", "u1"), ("b2", "b1", "u2")])
        ingest(item, [("other", "", "elsewhere"), ("o1", "other", "u3")])

        answer = ranked(f"brand:{brand.pk}")
        tenant = ranked()

    assert answer["nodes"] == 3 and set(by_author(answer)) == {"shop", "u1", "u2"}
    assert by_author(answer)["shop"]["subtree_size"] == 2
    assert tenant["nodes"] == 5


def test_an_archived_brand_is_still_read_and_a_missing_one_is_not_found(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        brand = brand_create(actor=SYSTEM, name="旧店", expression="旧店")
        ingest(item, [("old", "", "shop")], text="旧店关门")
        brand_archive(actor=SYSTEM, brand_id=brand.pk)
        assert ranked(f"brand:{brand.pk}")["nodes"] == 1

        with pytest.raises(NotFoundError) as missing_brand:
            ranked(f"brand:{brand.pk + 1000}")
        with pytest.raises(NotFoundError) as missing_rule:
            ranked("rule:987654")

    assert missing_brand.value.field == "scope" and missing_rule.value.field == "scope"


def test_a_rule_scope_reads_the_rule_s_matches(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        rule = rule_create(actor=SYSTEM, name="召回", expression="召回")
        ingest(item, [("rc", "", "maker")], text="产品召回通知")
        ingest(item, [("rc1", "rc", "u1"), ("plain", "", "u2")])

        answer = ranked(f"rule:{rule.pk}")

    assert answer["nodes"] == 2 and answer["key_nodes"][0]["author_external_id"] == "maker"


def test_the_window_leaves_out_older_seeds_and_later_reposts(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        ingest(item, [("old", "", "veteran"), ("old1", "old", "u1")], minutes_ago=10 * 24 * 60)
        ingest(item, [("new", "", "newcomer"), ("new1", "new", "u2")], minutes_ago=120)
        ingest(item, [("late", "new", "u3")], minutes_ago=10)

        week = ranked()
        until_before_late = ranked(until=timezone.now() - timedelta(minutes=60))
        with pytest.raises(ValidationError) as backwards:
            ranked(since=timezone.now(), until=timezone.now() - timedelta(days=1))

    assert set(by_author(week)) == {"newcomer", "u2", "u3"}
    assert set(by_author(until_before_late)) == {"newcomer", "u2"}
    assert week["until"] - week["since"] == timedelta(days=7)
    assert backwards.value.field == "since"


def test_a_case_scope_reads_the_evidence_it_is_given(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        ids = ingest(item, [("e", "", "evidence"), ("e1", "e", "u1"), ("x", "", "unrelated"), ("x1", "x", "u2")])

        answer = ranked("case:42", mention_ids=[ids["e"], INT_MAX + 5])
        with pytest.raises(ValidationError) as without_ids:
            ranked("case:42")

    assert answer["scope"] == "case:42" and set(by_author(answer)) == {"evidence", "u1"}
    assert without_ids.value.field == "scope"


def test_an_orphan_naming_a_seed_as_its_root_counts_under_it(alpha, item):
    with tenant_context(tenant_obj("alpha")):
        ingest(item, [("root", "", "origin"), ("lost", "never-stored", "u1")], root_external_id="root")

        answer = ranked()

    assert by_author(answer)["origin"]["subtree_size"] == 1 and answer["edges"] == 1


def test_another_tenant_s_mentions_never_appear(alpha, beta, item):
    with tenant_context(tenant_obj("beta")):
        ingest(item, STAR)
    with tenant_context(tenant_obj("alpha")):
        answer = ranked()

    assert answer["nodes"] == 0 and answer["key_nodes"] == []


def test_a_scope_larger_than_the_bound_is_cut_and_says_so(alpha, item, settings):
    settings.CASCADE_MAX_NODES = 3
    with tenant_context(tenant_obj("alpha")):
        ingest(item, STAR)

        answer = ranked()

    assert answer["truncated"] is True and answer["nodes"] == 3


@pytest.mark.parametrize(
    "raw",
    ["", "Tenant", " tenant", "brand", "brand:", "brand:x", "brand:0", "brand:-1", "brand:+3", "rule:1.5",
     f"rule:{INT_MAX + 1}", "brand:99999999999999999999", "team:1", "case:", "brand:1:2"],
)  # fmt: skip
def test_a_scope_that_is_not_one_is_refused(raw):
    with pytest.raises(ValidationError) as refused:
        parse_scope(raw)

    assert refused.value.field == "scope"


def test_scopes_parse_to_kind_and_id():
    assert parse_scope("tenant") == ("tenant", None)
    assert parse_scope("brand:7") == ("brand", 7)
    assert parse_scope(f"rule:{INT_MAX}") == ("rule", INT_MAX)
    assert parse_scope("case:3") == ("case", 3)


def forest(rows: Sequence[tuple[int, int | None, str]]) -> list[ScopeNode]:
    return [ScopeNode(i, p, "weibo", a, 100 * i, a == "v") for i, p, a in rows]


def test_an_author_s_post_under_their_own_post_is_not_counted_twice():
    # 1(a) ← 2(b) ← 3(a) ← 4(c); 3 ← 5(no author); 1 ← 6(a): a's reach is 2, 4, 5 (their own 3 and 6 are not).
    answer = rank_authors(forest([(1, None, "a"), (2, 1, "b"), (3, 2, "a"), (4, 3, "c"), (5, 3, ""), (6, 1, "a")]))

    a = by_author(answer)["a"]
    assert (a["posts"], a["subtree_size"], a["direct_reposts"], a["top_mention_id"]) == (3, 3, 3, 1)
    assert by_author(answer)["b"]["subtree_size"] == 3  # 3(a), 4, 5
    # Edges b→a, a→b, c→a; the self-repost 6→1 is dropped.
    assert (answer["nodes"], answer["authors"], answer["edges"]) == (6, 3, 3)


def test_a_loop_of_forged_parents_ends_and_measures_stay_in_range():
    answer = rank_authors(forest([(1, 2, "a"), (2, 1, "b"), (3, 1, "c"), (4, 3, "a"), (5, 4, "d")]))

    assert answer["nodes"] == 5
    for node in answer["key_nodes"]:
        assert 0 <= node["score"] <= 1 and 0 <= node["betweenness"] <= 1
        assert node["subtree_size"] <= 4


def test_authors_who_repost_each_other_share_a_core():
    rows = [(1, None, "a"), (2, 1, "b"), (3, 2, "c"), (4, 3, "a"), (5, None, "d"), (6, 5, "e")]

    cores = {k["author_external_id"]: k["core"] for k in rank_authors(forest(rows))["key_nodes"]}

    assert cores == {"a": 2, "b": 2, "c": 2, "d": 1, "e": 1}


def test_sampled_betweenness_is_seeded_and_matches_exact_when_every_source_is_drawn(monkeypatch):
    # A random forest of 300 mentions by 120 authors: a connected, not tree-like author graph.
    rng = random.Random(3)
    rows = [(1, None, "u0")] + [(k, rng.randint(1, k - 1), f"u{rng.randrange(120)}") for k in range(2, 301)]
    exact = {k["author_external_id"]: k["betweenness"] for k in rank_authors(forest(rows), limit=200)["key_nodes"]}
    authors = len(exact)

    monkeypatch.setattr(module, "EXACT_BETWEENNESS_AUTHORS", 10)
    monkeypatch.setattr(module, "BETWEENNESS_SAMPLES", authors)
    every = {k["author_external_id"]: k["betweenness"] for k in rank_authors(forest(rows), limit=200)["key_nodes"]}
    monkeypatch.setattr(module, "BETWEENNESS_SAMPLES", 40)
    first, again = (rank_authors(forest(rows), limit=200)["key_nodes"] for _ in range(2))

    assert every == pytest.approx(exact)
    assert first == again and max(k["betweenness"] for k in first) > 0
