"""GET /api/v1/analytics/trends and GraphQL analyticsTrends: a scope's talk per interval, where it changed level,
and where it is heading."""

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from monitoring.analytics.trends import change_points
from tests.conftest import Api, key_auth

TRENDS = "/api/v1/analytics/trends"
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def test_a_step_in_a_noisy_count_series_is_one_change_point_and_noise_alone_is_none():
    rng = random.Random(3)
    quiet = [rng.choice([1, 2, 3]) for _ in range(24)]
    loud = [rng.choice([28, 30, 33]) for _ in range(12)]
    times = [T0 + timedelta(hours=k) for k in range(48)]

    step = change_points(quiet + loud, times[:36])
    flat = change_points(quiet + quiet, times)

    assert [c["at"] for c in step] == [times[24]]
    assert step[0]["before"] < 3 < 28 < step[0]["after"]
    assert flat == []


def ingest_surge(api, item):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    items = []
    for k in range(16):
        hour = now - timedelta(hours=16 - k)
        surge = k >= 10
        for j in range(25 if surge else 1):
            items.append(
                item(
                    text="这个手机爆炸了，太可怕了，我很害怕" if surge else "今天天气不错，心情很好",
                    published_at=(hour + timedelta(minutes=1 + j)).isoformat(),
                    author={"external_id": f"tr{j % 5}", "name": "", "followers": 10 * (j % 5)},
                )
            )
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == len(items)


def test_a_surge_of_fear_shows_its_change_point_and_its_mix_on_both_faces(alpha, item):
    api = admin(alpha)
    ingest_surge(api, item)

    body = api.get(f"{TRENDS}?scope=tenant&interval=1h").json()
    graphql = api.graphql(
        '{ analyticsTrends(scope: "tenant", interval: "1h") { trend changePoints { metric at } '
        "series { mentions polarity emotions { fear } } } }"
    ).json()["data"]["analyticsTrends"]

    series = body["series"]
    assert len(series) == 168
    assert [p["mentions"] for p in series[-16:]] == [1] * 10 + [25] * 6
    surge = series[-1]
    assert surge["unique_authors"] == 5 and surge["reach"] == 0 + 10 + 20 + 30 + 40
    assert surge["sentiment"]["negative"] > surge["sentiment"]["positive"] and surge["polarity"] < 0
    assert sum(surge["emotions"].values()) == 25
    assert series[0]["polarity"] is None
    starts = {c["metric"]: c["at"] for c in body["change_points"]}
    assert starts["mentions"] == series[-6]["at"]
    assert body["trend"] in ("rising", "peaking")
    assert graphql["trend"] == body["trend"]
    assert [p["mentions"] for p in graphql["series"]] == [p["mentions"] for p in series]
    assert [c["metric"] for c in graphql["changePoints"]] == [c["metric"] for c in body["change_points"]]


def test_bad_trends_input_names_the_field_and_another_tenant_sees_nothing(alpha, beta, item):
    api = admin(alpha)
    ingest_surge(api, item)

    interval = api.get(f"{TRENDS}?scope=tenant&interval=1m")
    window = api.get(f"{TRENDS}?scope=tenant&since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z")
    scope = api.get(f"{TRENDS}?scope=brand:999999")
    theirs = admin(beta).get(f"{TRENDS}?scope=tenant").json()

    assert interval.status_code == 400 and interval.json()["error"]["field"] == "interval"
    assert window.status_code == 400 and window.json()["error"]["field"] == "since"
    assert scope.status_code == 404 and scope.json()["error"]["field"] == "scope"
    assert sum(p["mentions"] for p in theirs["series"]) == 0 and theirs["change_points"] == []
    assert Api(alpha.slug).get(f"{TRENDS}?scope=tenant").status_code == 401
