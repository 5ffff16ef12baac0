"""File and dataset importers, and the zero-downtime reindex command."""

import json

from django.core.management import call_command
from django_tenants.utils import tenant_context

from monitoring.models import Mention
from monitoring.search.client import es_client
from monitoring.search.index import alias_indices, alias_name
from tenants.models import Tenant
from tests.conftest import Api, key_auth


def mentions(slug: str) -> list[Mention]:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return list(Mention.objects.select_related("author").order_by("id"))


def test_import_mentions_from_ndjson_and_csv(alpha, item, tmp_path, capsys):
    ndjson = tmp_path / "batch.ndjson"
    ndjson.write_text("\n".join(json.dumps(item(external_id=f"n{i}")) for i in range(3)) + "\n{not json}\n")
    csv = tmp_path / "batch.csv"
    csv.write_text(
        "platform,external_id,text,published_at,author_id,author_name,likes\n"
        "douyin,c1,视频里的产品质量有问题,2024-05-01T10:00:00Z,u9,阿强,7\n"
        "douyin,c2,,2024-05-01T10:00:00Z,u9,阿强,7\n",
        encoding="utf-8",
    )

    call_command("import_mentions", str(ndjson), tenant="alpha", verbosity=0)
    call_command("import_mentions", str(csv), tenant="alpha", verbosity=0)

    out = capsys.readouterr().out
    assert "batch.ndjson: 3 new, 0 updated, 0 unchanged, 1 rejected" in out
    assert "batch.csv: 1 new, 0 updated, 0 unchanged, 1 rejected" in out
    assert "item 3: Line 4: Malformed JSON at line 1 column 2: Expecting property name enclosed in double quotes" in out
    assert "item 1: text: This field is required." in out
    stored = {m.external_id: m for m in mentions("alpha")}
    assert set(stored) == {"n0", "n1", "n2", "c1"}
    assert stored["c1"].likes == 7 and stored["c1"].platform == "douyin"


def test_import_ced_keeps_the_repost_tree(alpha, capsys):
    call_command("import_ced", tenant="alpha", label="rumor", cascades=1, max_reposts=30, verbosity=0)

    stored = mentions("alpha")
    source = stored[0]
    assert "31 new" in capsys.readouterr().out
    assert source.relation == "" and source.author is not None
    reposts = [m for m in stored if m.relation == "repost"]
    assert len(reposts) == 30
    known = {m.external_id for m in stored}
    # Every repost names a parent; those whose parent is inside the sample hang off a stored mention.
    assert all(m.parent_external_id for m in reposts)
    assert any(m.parent_external_id == source.external_id for m in reposts)
    assert all(m.published_at >= source.published_at for m in reposts if m.parent_external_id in known)


def test_import_twitter15_builds_retweet_trees(alpha, capsys):
    call_command("import_twitter15", tenant="alpha", trees=1, verbosity=0)

    stored = mentions("alpha")
    root = stored[0]
    assert root.platform == "x" and root.relation == ""
    assert len(stored) > 10
    assert all(m.relation == "repost" and m.text == "" for m in stored[1:])
    assert stored[1].parent_external_id == root.external_id


def test_reindex_swaps_to_a_new_index_without_losing_documents(alpha, item, fresh_index, index_now, capsys):
    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id=f"x{i}") for i in range(3)]})
    index_now("alpha")
    before = alias_indices("alpha")

    call_command("reindex", tenant="alpha")

    after = alias_indices("alpha")
    assert len(after) == 1 and after != before
    assert not es_client().indices.exists(index=before[0])
    es_client().indices.refresh(index=alias_name("alpha"))
    assert api.get("/api/v1/mentions/search?q=服务").json()["count"] == 3
    assert "3 documents" in capsys.readouterr().out
