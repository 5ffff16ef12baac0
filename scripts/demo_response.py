"""The demo's crisis response, run through the public REST and GraphQL APIs as the demo team would.

Waits for the case the warning policy opens by itself (promotion at yellow on the own brand), staffs it, lets
the commander move it to responding, has communications fill in and submit the playbook's holding statement,
legal then the commander approve it, and communications publish it on Weibo and the website. Prints the case,
its tasks and its timeline as read through both APIs, and writes them to .demo/case.json. Then where the crisis
spread: the key nodes of the case's scope, the cascade of the top one's post with its forecast (the picture in
.demo/cascade.svg, Gephi's file in .demo/cascade.gexf), and the brand's volume forecast with its trend.

Usage: python scripts/demo_response.py CREDENTIALS_JSON BASE_URL [--wait SECONDS]
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote


class Api:
    def __init__(self, base: str, tenant: str | None, auth: str) -> None:
        self.base, self.headers = base, {"Authorization": auth, "Content-Type": "application/json"}
        if tenant:
            self.headers["X-Tenant"] = tenant

    def call(self, method: str, path: str, body: Any = None) -> Any:
        raw = self.raw(method, path, body)
        return json.loads(raw) if raw else None

    def raw(self, method: str, path: str, body: Any = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, method=method, headers=self.headers, data=data)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{method} {path} → {exc.code}: {exc.read().decode()}") from exc

    def graphql(self, query: str) -> Any:
        answer = self.call("POST", "/graphql/", {"query": query})
        if answer.get("errors"):
            raise SystemExit(f"GraphQL error: {answer['errors']}")
        return answer["data"]


def person(base: str, tenant: str | None, member: dict[str, str]) -> Api:
    login = Api(base, tenant, "").call(
        "POST", "/api/v1/auth/token", {"email": member["email"], "password": member["password"]}
    )
    return Api(base, tenant, f"Bearer {login['access']}")


def say(text: str) -> None:
    print(f"[demo] {text}", file=sys.stderr, flush=True)


def wait_for_case(admin: Api, seconds: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = admin.call("GET", "/api/v1/cases")["results"]
        if found:
            return found[-1]
        time.sleep(1)
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("credentials")
    parser.add_argument("base")
    parser.add_argument("--wait", type=float, default=90)
    parser.add_argument(
        "--effects-wait", type=float, default=90, help="seconds to let talk follow the statement before judging it"
    )
    args = parser.parse_args()
    creds = json.loads(Path(args.credentials).read_text())
    tenant, team = creds["tenant"], creds["team"]
    admin = Api(args.base, tenant, f"Api-Key {creds['api_key']}")

    case = wait_for_case(admin, args.wait)
    if case is None:
        alerts = admin.call("GET", "/api/v1/alerts?status=open")["results"]
        if not alerts:
            say("no alert and no case yet; see .demo/logs/worker.log")
            return
        say(f"no case opened by itself yet; promoting alert {alerts[0]['id']} by hand")
        case = admin.call("POST", f"/api/v1/alerts/{alerts[0]['id']}/promote", {"scenario": "product_quality"})
    cid = case["id"]
    origin = f"alert {case['opened_from_alert']}" if case["opened_from_alert"] else "hand"
    say(f"case #{cid} opened by {case['opened_by']} from {origin} (severity {case['severity']})")

    for role in ("commander", "legal", "communications", "monitoring"):
        admin.call("POST", f"/api/v1/cases/{cid}/members", {"user_id": int(team[role]["id"]), "role": role})
    say("team staffed: commander, legal, communications, monitoring")
    commander, legal, comms = (person(args.base, tenant, team[r]) for r in ("commander", "legal", "communications"))
    case = attach_evidence(admin, person(args.base, tenant, team["monitoring"]), case)

    commander.call("POST", f"/api/v1/cases/{cid}/transition", {"transition": "assess", "note": "Team convened"})
    commander.call("POST", f"/api/v1/cases/{cid}/transition", {"transition": "respond", "note": "Holding statement"})
    sid = comms.call("GET", f"/api/v1/cases/{cid}/statements")["results"][0]["id"]
    hotline = "如您有相关情况，请拨打客服热线400-810-5858与我们联系。"
    body = comms.call("GET", f"/api/v1/statements/{sid}")["versions"][-1]["body"] + hotline
    comms.call("PATCH", f"/api/v1/statements/{sid}", {"body": body})
    comms.call("POST", f"/api/v1/statements/{sid}/submit")
    legal.call("POST", f"/api/v1/statements/{sid}/approve", {"comment": "No admission of liability: fine."})
    commander.call("POST", f"/api/v1/statements/{sid}/approve", {"comment": "Go."})
    for channel, url in (
        ("weibo", "https://weibo.com/samsungchina/demo-statement"),
        ("website", "https://www.samsung.com/cn/news/demo-statement"),
    ):
        comms.call("POST", f"/api/v1/statements/{sid}/publish", {"channel": channel, "url": url})
    say(f"statement #{sid} v2 approved by legal then commander, published on weibo and website")

    rest_timeline = admin.call("GET", f"/api/v1/cases/{cid}/timeline?page_size=200")["results"]
    graphql = admin.graphql(
        f"{{ case(id: {cid}) {{ status severity "
        f"tasks(first: 200) {{ edges {{ node {{ title assigneeRole status dueAt }} }} }} "
        f"timeline(first: 200) {{ totalCount }} sla {{ kind state dueAt }} }} "
        f"statementConsistency(caseId: {cid}) {{ consistent }} }}"
    )
    Path(args.credentials).with_name("case.json").write_text(
        json.dumps({"rest_timeline": rest_timeline, "graphql": graphql}, ensure_ascii=False, indent=2)
    )
    print(f"\nCase #{cid}: {graphql['case']['status']}, severity {graphql['case']['severity']}")
    print("Tasks from the playbook:")
    for edge in graphql["case"]["tasks"]["edges"]:
        task = edge["node"]
        print(f"  - [{task['assigneeRole']}] {task['title']} (due {task['dueAt'][11:16]} UTC)")
    print(
        f"Timeline ({len(rest_timeline)} events over REST, {graphql['case']['timeline']['totalCount']} over GraphQL):"
    )
    for event in rest_timeline:
        print(f"  {event['at'][11:19]}  {event['actor']:<34.34} {event['summary'][:110]}")
    print("SLA: " + ", ".join(f"{c['kind']} {c['state']}" for c in graphql["case"]["sla"]))
    print(f"Statement channels consistent: {graphql['statementConsistency']['consistent']}")
    propagation(admin, case, Path(args.credentials).parent)
    topics(admin, cid)
    effects(admin, cid, args.effects_wait)
    aftercare(admin, commander, cid, Path(args.credentials).parent)
    if creds.get("billing_admin"):
        billing(person(args.base, None, creds["billing_admin"]), tenant)


def attach_evidence(admin: Api, monitoring: Api, case: dict[str, Any]) -> dict[str, Any]:
    """The monitoring member pins the post carrying the spread so far: the case's key nodes, its cascade
    containment and the report's propagation section read the case's evidence."""
    brands = case.get("brands") or []
    scope = f"brand:{brands[0]}" if brands else "tenant"
    nodes = admin.call("GET", f"/api/v1/analytics/key-nodes?scope={scope}&limit=1")["key_nodes"]
    if not nodes:
        say("no spread to pin as evidence yet")
        return case
    top = nodes[0]["top_mention_id"]
    case = monitoring.call("POST", f"/api/v1/cases/{case['id']}/links", {"evidence_ids": [top]})
    say(f"monitoring pinned mention {top} ({nodes[0]['reason']}) as the case's evidence")
    return case


def past_forecast(admin: Api) -> None:
    """A forecast checked against what happened: the largest past cascade, from its first hour only."""
    old = "since=2000-01-01T00:00:00Z&until=2020-01-01T00:00:00Z"
    past = admin.call("GET", f"/api/v1/analytics/key-nodes?scope=tenant&{old}&limit=1")["key_nodes"]
    if not past:
        return
    root = past[0]["top_mention_id"]
    start = datetime.fromisoformat(admin.call("GET", f"/api/v1/mentions/{root}")["published_at"])
    hour = quote((start + timedelta(hours=1)).isoformat())
    check = admin.call("GET", f"/api/v1/mentions/{root}/cascade/forecast?observed_until={hour}")
    print(
        f"Forecast of a past rumour cascade (mention {root}) from its first hour ({check['method']}, fitted on "
        f"{check['history_cascades']} finished cascades): {check['observed_size']} seen, "
        f"{check['predicted_final_size']} predicted ({check['interval_low']}–{check['interval_high']}), "
        f"{check['current_size']} in the end"
    )


def topics(admin: Api, cid: int) -> None:
    """The tenant's hot topics (the beat's topics refresh groups the stream), and those of the case."""
    listed = admin.call("GET", "/api/v1/topics?page_size=5")["results"]
    print("\nHot topics, the largest first (GET /api/v1/topics):")
    for topic in listed:
        mix = topic["sentiment"]
        print(
            f"  #{topic['id']:<5} {topic['size']:>5} mentions, {topic['authors']:>5} authors, "
            f"burst {topic['burst']:>5.1f}, negative {mix['negative']}/{sum(mix.values())}: "
            f"{' '.join(topic['label_terms'][:6])}"
        )
    of_case = admin.call("GET", f"/api/v1/topics?case={cid}&page_size=3")["results"]
    if of_case:
        top = admin.call("GET", f"/api/v1/topics/{of_case[0]['id']}")
        events = ", ".join(f"{e['kind']} {e['at'][11:16]}" for e in top["evolution"][:6])
        print(f"The case's main topic #{top['id']}: {' '.join(top['label_terms'])}; evolution: {events}")


def aftercare(admin: Api, commander: Api, cid: int, out: Path) -> None:
    """After the crisis: the people it hurt and their follow-ups, recovery, resolution, review, the score and the
    review report."""
    found = admin.call("POST", f"/api/v1/cases/{cid}/affected-users/from-search", {"limit": 50})
    people = found["affected_user_ids"]
    say(f"{found['added']} affected users drawn from {found['mentions_matched']} negative mentions of the stream")
    opened = []
    for person, kind, extra in (
        (people[:1], "complaint", {}),
        (people[1:2], "compensation", {"compensation_amount": "800.00", "compensation_currency": "CNY"}),
    ):
        if person:
            body = {"case_id": cid, "affected_user_id": person[0], "type": kind, **extra}
            opened.append(admin.call("POST", "/api/v1/follow-ups", body))
    for follow_up in opened:
        fid = follow_up["id"]
        if follow_up["type"] == "compensation":
            commander.call("POST", f"/api/v1/follow-ups/{fid}/compensation", {"decision": "approve", "comment": "OK"})
        admin.call("POST", f"/api/v1/follow-ups/{fid}/transition", {"transition": "start"})
        admin.call(
            "POST",
            f"/api/v1/follow-ups/{fid}/replies",
            {"channel": "direct_message", "text": "您好，非常抱歉给您带来困扰，我们已安排专人为您处理。"},
        )
        admin.call("PATCH", f"/api/v1/follow-ups/{fid}", {"csat": 4, "nps": 8})
        admin.call("POST", f"/api/v1/follow-ups/{fid}/transition", {"transition": "resolve"})
    board = admin.call("GET", f"/api/v1/cases/{cid}/follow-up-board")
    print(
        f"\nFollow-ups: {board['total']} ({', '.join(f'{k} {v}' for k, v in board['by_status'].items() if v)}), "
        f"compensation approved, CSAT {board['csat_mean']}, NPS {board['nps']}"
    )
    commander.call("POST", f"/api/v1/cases/{cid}/transition", {"transition": "recover", "note": "Talk is calming"})
    recovery = admin.call("GET", f"/api/v1/cases/{cid}/recovery")
    print(f"Recovery against the 7 days before detection: recovered {recovery['recovered']}")
    commander.call(
        "POST",
        f"/api/v1/cases/{cid}/transition",
        {"transition": "resolve", "note": "Resolved", "override_reason": "Demo: the remaining tasks run after it"},
    )
    lessons = {
        "went_well": "声明在一小时内经法务和指挥审批后发布",
        "went_wrong": "首条回应晚于预警",
        "root_cause": "电池供应商批次质量问题",
        "notes": "Demo review",
    }
    commander.call(
        "POST",
        f"/api/v1/cases/{cid}/transition",
        {"transition": "review", "lessons": lessons, "action_items": [{"title": "Audit the battery supplier"}]},
    )
    score = admin.call("GET", f"/api/v1/cases/{cid}/evaluation")
    print(f"Evaluation: {score['score']} ({score['grade']})")
    for part in score["components"]:
        value = "n/a" if part["value"] is None else f"{part['value']:.1f}"
        print(f"  {part['name']:<22} {value:>6} × {part['weight']:.2f}  {part['explanation'][:110]}")
    report = admin.raw("GET", f"/api/v1/cases/{cid}/report?format=pdf")
    if report.startswith(b"%PDF"):
        path = out / "review-report.pdf"
        path.write_bytes(report)
        print(f"Review report (PDF): {path}")


def effects(admin: Api, cid: int, wait: float) -> None:
    """The statement's effect so far: the talk in the minutes since it went out against the 15 minutes before it and
    the forecast made from them."""
    time.sleep(max(0.0, wait))
    found = admin.call("GET", f"/api/v1/cases/{cid}/response-effects?window=15")
    print("\nResponse effects (15 minutes either side; the after window is still under way):")
    for action in found["actions"]:
        after = action["windows"]["after"]
        print(
            f"  {action['at'][11:19]}  {action['kind']:<24} {action['verdict']:<9} "
            f"{action['windows']['before']['mentions']} before, {after['mentions']} in {after['minutes']} min after "
            f"(forecast {action['forecast']['mentions']:g}): {action['explanation'][:160]}"
        )


def billing(platform: Api, tenant: str) -> None:
    """What the platform's billing admin sees of the demo tenant, on the public host."""
    account = platform.call("GET", f"/api/v1/platform/tenants/{tenant}")
    metrics = platform.call("GET", "/api/v1/platform/metrics")
    mentions = account["usage"]["mentions"]
    limit = f"of {mentions['limit']:,}" if mentions["limit"] is not None else "(unlimited)"
    print(
        f"\nBilling (public host, billing admin): tenant {tenant} on plan {account['plan']}, {account['status']}; "
        f"{mentions['used']:,} mentions this month {limit}; {metrics['active_tenants']} active tenants"
    )


def propagation(admin: Api, case: dict[str, Any], out: Path) -> None:
    """Who carried the crisis, how far its cascade went and will go, and where the brand's volume is heading."""
    scope = f"case:{case['id']}" if case.get("evidence") else "tenant"
    key_nodes = admin.call("GET", f"/api/v1/analytics/key-nodes?scope={scope}&limit=5")
    print(f"\nKey nodes ({scope}: {key_nodes['nodes']} mentions, {key_nodes['authors']} authors):")
    for node in key_nodes["key_nodes"]:
        print(f"  {node['author_external_id']:<14} score {node['score']:.2f}  {node['reason']}")
    if not key_nodes["key_nodes"]:
        return
    top = key_nodes["key_nodes"][0]["top_mention_id"]
    cascade = admin.call("GET", f"/api/v1/mentions/{top}/cascade")
    forecast = admin.call("GET", f"/api/v1/mentions/{top}/cascade/forecast")
    print(
        f"Cascade of mention {top}: {cascade['size']} posts, depth {cascade['depth']}, {cascade['orphans']} "
        f"orphans, structural virality {cascade['structural_virality']:.2f}, reach {cascade['reach']:,}"
    )
    # The replay squeezes hours of reposts into two minutes, so this forecast sees a rate no real cascade has.
    print(
        f"Forecast of the live cascade ({forecast['method']}, on a replay sped up to minutes): "
        f"{forecast['predicted_final_size']} posts in the end "
        f"({forecast['interval_level']:.0%} interval {forecast['interval_low']}–{forecast['interval_high']})"
    )
    past_forecast(admin)
    for fmt in ("svg", "gexf"):
        (out / f"cascade.{fmt}").write_bytes(admin.raw("GET", f"/api/v1/mentions/{top}/cascade?export={fmt}"))
    brands = case.get("brands") or []
    volume_scope = f"brand:{brands[0]}" if brands else "tenant"
    volume = admin.call("GET", f"/api/v1/analytics/forecast?scope={volume_scope}&interval=1m&horizon=10m")
    recent = [p["mentions"] for p in volume["history"][-10:]]
    ahead = [round(p["mean"]) for p in volume["forecast"]]
    print(f"Volume of {volume_scope} per minute, last 10: {recent}; next 10 forecast: {ahead}; trend {volume['trend']}")
    say(f"cascade picture in {out / 'cascade.svg'}, Gephi file in {out / 'cascade.gexf'}")


if __name__ == "__main__":
    main()
