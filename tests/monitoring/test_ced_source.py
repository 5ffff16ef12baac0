"""The CED loader on the archive's odd records: text dates and "user": "empty" on source posts."""

from monitoring.ingest.sources import ced

REPOSTS = [
    {"mid": "r1", "uid": "u2", "parent": "", "text": "", "date": "2013-05-27 12:30:00"},
    {"mid": "r2", "uid": "u3", "parent": "r1", "text": "真的吗", "date": "05月27日 12:10"},
]


def test_a_source_post_with_a_text_date_and_no_user_object_loads():
    cascade = ced.Cascade(
        "928_zyDfu5nfK_2425047701.json",
        "rumor",
        {"time": "Mon May 27 12:07:05 +0800 2013", "user": "empty", "text": "某地爆炸"},
        REPOSTS,
    )

    head, first, second = ced.items(cascade)

    assert head["published_at"] == "2013-05-27T04:07:05+00:00"
    assert head["author"] == {"external_id": "2425047701", "name": "", "followers": 0, "verified": False}
    assert [first["external_id"], second["external_id"]] == ["r2", "r1"]
    assert first["parent_external_id"] == "r1" and second["parent_external_id"] == "zyDfu5nfK"


def test_a_source_post_in_unix_time_keeps_its_user():
    cascade = ced.Cascade(
        "1_AbC_42.json", "non-rumor", {"time": 1369627625, "user": {"followers": 9, "verified": True}}, []
    )

    [head] = ced.items(cascade)

    assert head["published_at"] == "2013-05-27T04:07:05+00:00"
    assert (head["author"]["followers"], head["author"]["verified"]) == (9, True)
