"""GET /api/v1/mentions/{id}/cascade and GraphQL mentionCascade: a stored repost tree, read the same on both faces."""

from datetime import timedelta

from django.utils import timezone

from tests.conftest import Api, key_auth


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def ingest_tree(api, item, prefix="c"):
    """Source s, reposted by a and b; a reposted by c and d; c by e. One repost names a parent nobody stored."""
    start = timezone.now() - timedelta(hours=2)
    shape = [("s", "", "u-src", 5000), ("a", "s", "u-a", 900), ("b", "s", "u-b", 10), ("c", "a", "u-c", 30)]
    shape += [("d", "a", "u-d", 1), ("e", "c", "u-e", 2), ("x", "missing", "u-x", 3)]
    items = [
        item(
            external_id=f"{prefix}{name}",
            parent_external_id=f"{prefix}{parent}" if parent else "",
            relation="repost" if parent else "",
            author={"external_id": f"{prefix}{author}", "name": "", "followers": followers, "verified": name == "s"},
            published_at=(start + timedelta(minutes=10 * k)).isoformat(),
        )
        for k, (name, parent, author, followers) in enumerate(shape)
    ]
    items = [{k: v for k, v in i.items() if v != ""} for i in items]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == len(items)
    found = api.get(f"/api/v1/mentions?external_id={prefix}s").json()["results"]
    return found[0]["id"], {
        m["external_id"]: m["id"] for m in api.get("/api/v1/mentions?page_size=50").json()["results"]
    }


def test_the_cascade_of_a_source_is_its_whole_repost_tree(alpha, item):
    api = admin(alpha)
    source, ids = ingest_tree(api, item)

    response = api.get(f"/api/v1/mentions/{source}/cascade")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["size"] == 6 and body["depth"] == 3
    assert body["breadth_by_depth"] == [1, 2, 2, 1]
    assert body["unique_authors"] == 6
    assert body["reach"] == 5000 + 900 + 10 + 30 + 1 + 2
    assert body["platforms"] == ["weibo"]
    assert body["key_nodes"][0]["mention_id"] in (source, ids["ca"])
    assert {k["mention_id"] for k in body["key_nodes"]} == {source, ids["ca"], ids["cc"]}
    assert body["origins"][0] == {
        "mention_id": source,
        "author_external_id": "cu-src",
        "published_at": body["origins"][0]["published_at"],
        "kind": "earliest",
        "subtree_size": 5,
    }
    assert body["growth"][-1]["size"] == 6 and body["truncated"] is False


def test_a_repost_s_cascade_is_the_subtree_below_it(alpha, item):
    api = admin(alpha)
    _, ids = ingest_tree(api, item, prefix="r")

    body = api.get(f"/api/v1/mentions/{ids['ra']}/cascade").json()

    assert body["size"] == 4 and body["breadth_by_depth"] == [1, 2, 1]


def test_graphql_answers_what_rest_does(alpha, item):
    api = admin(alpha)
    source, _ = ingest_tree(api, item, prefix="g")

    rest = api.get(f"/api/v1/mentions/{source}/cascade").json()
    graphql = api.graphql(
        "query($id: Int!) { mentionCascade(id: $id) { size depth breadthByDepth structuralVirality reach "
        "keyNodes { mentionId subtreeSize directReposts betweenness score reason } } }",
        {"id": source},
    ).json()["data"]["mentionCascade"]

    assert graphql["size"] == rest["size"] and graphql["breadthByDepth"] == rest["breadth_by_depth"]
    assert graphql["structuralVirality"] == rest["structural_virality"]
    assert [k["mentionId"] for k in graphql["keyNodes"]] == [k["mention_id"] for k in rest["key_nodes"]]
    assert [k["reason"] for k in graphql["keyNodes"]] == [k["reason"] for k in rest["key_nodes"]]


def test_a_loop_of_forged_parent_ids_ends(alpha, item):
    api = admin(alpha)
    loop = [
        item(external_id="loop1", parent_external_id="loop2"),
        item(external_id="loop2", parent_external_id="loop1"),
    ]
    api.post("/api/v1/mentions/batch", {"mentions": loop})
    first = api.get("/api/v1/mentions?external_id=loop1").json()["results"][0]["id"]

    body = api.get(f"/api/v1/mentions/{first}/cascade").json()

    assert body["size"] == 2 and body["depth"] == 1


def test_another_tenant_s_mention_is_not_found(alpha, beta, item):
    source, _ = ingest_tree(admin(alpha), item, prefix="i")

    rest = admin(beta).get(f"/api/v1/mentions/{source}/cascade")
    graphql = admin(beta).graphql("query($id: Int!) { mentionCascade(id: $id) { size } }", {"id": source}).json()

    assert rest.status_code == 404 and rest.json()["error"]["field"] == "id"
    assert graphql["data"] is None and graphql["errors"][0]["extensions"]["code"] == "not_found"


def test_every_tenant_role_reads_cascades_and_anonymous_callers_do_not(alpha, item, make_user, login):
    source, _ = ingest_tree(admin(alpha), item, prefix="v")
    make_user(alpha.slug, "viewer", "cascade-viewer@alpha.example")
    viewer = Api(alpha.slug, auth=login(alpha.slug, "cascade-viewer@alpha.example"))

    assert viewer.get(f"/api/v1/mentions/{source}/cascade").json()["size"] == 6
    assert Api(alpha.slug).get(f"/api/v1/mentions/{source}/cascade").status_code == 401


def test_an_id_out_of_range_is_a_404(alpha):
    response = admin(alpha).get(f"/api/v1/mentions/{2**63}/cascade")

    assert response.status_code == 404 and response.json()["error"]["field"] == "id"
