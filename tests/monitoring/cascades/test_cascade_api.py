"""GET /api/v1/mentions/{id}/cascade and GraphQL mentionCascade: a stored repost tree, read the same on both faces."""

from datetime import datetime, timedelta
from urllib.parse import quote

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


def test_a_repost_whose_parent_is_not_stored_hangs_off_the_root_it_names_until_the_parent_arrives(alpha, item):
    api = admin(alpha)
    start = timezone.now() - timedelta(hours=1)
    root = item(external_id="o-root", published_at=start.isoformat())
    # o-late's parent o-mid is not stored yet; o-late names its cascade's root.
    late = item(
        external_id="o-late",
        parent_external_id="o-mid",
        relation="repost",
        root_external_id="o-root",
        published_at=(start + timedelta(minutes=20)).isoformat(),
    )
    api.post("/api/v1/mentions/batch", {"mentions": [root, late]})
    ids = {m["external_id"]: m["id"] for m in api.get("/api/v1/mentions?page_size=200").json()["results"]}

    before = api.get(f"/api/v1/mentions/{ids['o-root']}/cascade").json()
    nodes = api.get(f"/api/v1/mentions/{ids['o-root']}/cascade/nodes").json()["results"]

    assert (before["size"], before["depth"], before["orphans"]) == (2, 1, 1)
    assert [(n["mention_id"], n["parent_id"], n["orphan"]) for n in nodes] == [
        (ids["o-root"], None, False),
        (ids["o-late"], ids["o-root"], True),
    ]

    middle = item(
        external_id="o-mid",
        parent_external_id="o-root",
        relation="repost",
        root_external_id="o-root",
        published_at=(start + timedelta(minutes=10)).isoformat(),
    )
    api.post("/api/v1/mentions/batch", {"mentions": [middle]})
    after = api.get(f"/api/v1/mentions/{ids['o-root']}/cascade").json()

    assert (after["size"], after["depth"], after["orphans"]) == (3, 2, 0)
    assert after["breadth_by_depth"] == [1, 1, 1]


def test_a_mention_carries_the_root_it_names(alpha, item):
    api = admin(alpha)
    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="rr-1", root_external_id="rr-0")]})

    rest = api.get("/api/v1/mentions?external_id=rr-1").json()["results"][0]
    graphql = api.graphql(
        'query { mentions(filter: {externalId: "rr-1"}) { edges { node { rootExternalId } } } }'
    ).json()["data"]["mentions"]["edges"][0]["node"]

    assert rest["root_external_id"] == graphql["rootExternalId"] == "rr-0"


def test_a_root_id_too_long_is_refused_by_name(alpha, item):
    response = admin(alpha).post("/api/v1/mentions/batch", {"mentions": [item(root_external_id="x" * 129)]})

    assert response.status_code == 400 and response.json()["error"]["field"] == "mentions[0].root_external_id"


def test_cascade_nodes_come_a_page_at_a_time_on_both_faces(alpha, item):
    api = admin(alpha)
    source, ids = ingest_tree(api, item, prefix="p")

    first = api.get(f"/api/v1/mentions/{source}/cascade/nodes?page_size=4").json()
    second = api.get(f"/api/v1/mentions/{source}/cascade/nodes?page_size=4&cursor={first['next_cursor']}").json()
    graphql = api.graphql(
        "query($id: Int!) { mentionCascadeNodes(id: $id, first: 4) { nodes { mentionId subtreeSize } hasNextPage } }",
        {"id": source},
    ).json()["data"]["mentionCascadeNodes"]

    rows = first["results"] + second["results"]
    assert [n["depth"] for n in rows] == [0, 1, 1, 2, 2, 3]
    assert second["next_cursor"] is None
    by_id = {n["mention_id"]: n for n in rows}
    assert by_id[ids["pa"]]["subtree_size"] == 3 and by_id[ids["pa"]]["direct_reposts"] == 2
    assert [n["mentionId"] for n in graphql["nodes"]] == [n["mention_id"] for n in first["results"]]
    assert graphql["hasNextPage"] is True


def test_the_cascade_exports_as_files_on_both_faces(alpha, item):
    api = admin(alpha)
    source, _ = ingest_tree(api, item, prefix="x")

    gexf = api.get(f"/api/v1/mentions/{source}/cascade?export=gexf")
    png = api.get(f"/api/v1/mentions/{source}/cascade?export=png")
    authors = api.get(f"/api/v1/mentions/{source}/cascade?export=json&graph=authors").json()
    graphql = api.graphql(
        "query($id: Int!) { mentionCascadeExport(id: $id, format: SVG) { filename mediaType encoding content } }",
        {"id": source},
    ).json()["data"]["mentionCascadeExport"]

    assert gexf.status_code == 200 and gexf["Content-Type"] == "application/gexf+xml"
    assert f'filename="mention-{source}-cascade.gexf"' in gexf["Content-Disposition"]
    assert gexf.content.count(b"<node ") == 6 and gexf.content.count(b"<edge ") == 5
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert authors["graph"] == "authors" and len(authors["nodes"]) == 6
    assert graphql["mediaType"] == "image/svg+xml" and graphql["encoding"] == "utf-8"
    assert "<svg" in graphql["content"] and "xu-src" in graphql["content"]


def test_an_unknown_export_or_a_picture_of_the_author_graph_is_a_400_naming_the_field(alpha, item):
    api = admin(alpha)
    source, _ = ingest_tree(api, item, prefix="b")

    unknown = api.get(f"/api/v1/mentions/{source}/cascade?export=csv")
    picture = api.get(f"/api/v1/mentions/{source}/cascade?export=png&graph=authors")
    alone = api.get(f"/api/v1/mentions/{source}/cascade?graph=authors")

    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "export"
    assert picture.status_code == 400 and picture.json()["error"]["field"] == "graph"
    assert alone.status_code == 400 and alone.json()["error"]["field"] == "graph"


def test_another_tenant_s_cascade_nodes_and_exports_are_not_found(alpha, beta, item):
    source, _ = ingest_tree(admin(alpha), item, prefix="n")
    other = admin(beta)

    nodes = other.get(f"/api/v1/mentions/{source}/cascade/nodes")
    export = other.get(f"/api/v1/mentions/{source}/cascade?export=gexf")
    graphql = other.graphql(
        "query($id: Int!) { mentionCascadeExport(id: $id, format: JSON) { content } }", {"id": source}
    ).json()

    assert nodes.status_code == 404 and export.status_code == 404
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"


def ingest_history(api, item, cascades=36, prefix="h"):
    """Finished cascades ten days old whose reposts name their root: a few in the first hour, more later."""
    start = timezone.now() - timedelta(days=10)
    items = []
    for c in range(cascades):
        root = f"{prefix}{c}"
        at = start + timedelta(hours=c)
        items.append(item(external_id=root, published_at=at.isoformat()))
        early, late = 1 + c % 4, 2 * (1 + c % 4) + c % 3
        for r in range(early + late):
            when = at + (timedelta(minutes=5 * (r + 1)) if r < early else timedelta(hours=2, minutes=r))
            items.append(
                item(
                    external_id=f"{root}-{r}",
                    parent_external_id=root,
                    relation="repost",
                    root_external_id=root,
                    published_at=when.isoformat(),
                )
            )
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == len(items)


def test_a_forecast_learns_from_the_tenant_s_finished_cascades(alpha, item):
    api = admin(alpha)
    ingest_history(api, item)
    source, _ = ingest_tree(api, item, prefix="f")
    start = api.get(f"/api/v1/mentions/{source}").json()["published_at"]
    hour_later = (datetime.fromisoformat(start) + timedelta(minutes=59)).isoformat()

    rest = api.get(f"/api/v1/mentions/{source}/cascade/forecast?observed_until={quote(hour_later)}").json()
    graphql = api.graphql(
        "query($id: Int!, $at: DateTime) { mentionCascadeForecast(id: $id, observedUntil: $at) "
        "{ observedSize predictedFinalSize intervalLow intervalHigh method historyCascades } }",
        {"id": source, "at": hour_later},
    ).json()["data"]["mentionCascadeForecast"]

    # s, a, b, c, d, e were posted every 10 minutes from the start: all six within the hour, x has no stored parent.
    assert rest["observed_size"] == 6 and rest["current_size"] == 6
    assert rest["method"] == "loglinear" and rest["history_cascades"] == 36
    # The history triples its size after the first hour, so the forecast is well above what was seen.
    assert rest["interval_low"] <= rest["predicted_final_size"] <= rest["interval_high"]
    assert rest["predicted_final_size"] > 2 * rest["observed_size"]
    assert graphql == {
        "observedSize": 6,
        "predictedFinalSize": rest["predicted_final_size"],
        "intervalLow": rest["interval_low"],
        "intervalHigh": rest["interval_high"],
        "method": "loglinear",
        "historyCascades": 36,
    }


def test_a_forecast_sees_only_what_was_published_by_observed_until(alpha, item):
    api = admin(alpha)
    source, _ = ingest_tree(api, item, prefix="w")
    start = datetime.fromisoformat(api.get(f"/api/v1/mentions/{source}").json()["published_at"])

    quarter = quote((start + timedelta(minutes=15)).isoformat())
    early = api.get(f"/api/v1/mentions/{source}/cascade/forecast?observed_until={quarter}")

    body = early.json()
    assert early.status_code == 200 and body["observed_size"] == 2 and body["current_size"] == 6
    assert body["predicted_final_size"] >= 2 and body["interval_low"] >= 2


def test_a_forecast_before_the_mention_or_of_nonsense_is_a_400_naming_observed_until(alpha, item):
    api = admin(alpha)
    source, _ = ingest_tree(api, item, prefix="q")

    before = api.get(f"/api/v1/mentions/{source}/cascade/forecast?observed_until={quote('2001-01-01T00:00:00Z')}")
    nonsense = api.get(f"/api/v1/mentions/{source}/cascade/forecast?observed_until={quote('soon')}")

    assert before.status_code == 400 and before.json()["error"]["field"] == "observed_until"
    assert nonsense.status_code == 400 and nonsense.json()["error"]["field"] == "observed_until"


def test_another_tenant_s_forecast_is_not_found(alpha, beta, item):
    source, _ = ingest_tree(admin(alpha), item, prefix="k")

    rest = admin(beta).get(f"/api/v1/mentions/{source}/cascade/forecast")
    graphql = (
        admin(beta).graphql("query($id: Int!) { mentionCascadeForecast(id: $id) { method } }", {"id": source}).json()
    )

    assert rest.status_code == 404 and graphql["errors"][0]["extensions"]["code"] == "not_found"
