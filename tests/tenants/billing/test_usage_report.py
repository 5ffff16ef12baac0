"""Mentions reported to Stripe (stripe-mock over HTTP, through a recording relay; the `stripe` library is not
mocked) as Billing Meter events: each tenant day's new mentions once, with a stable identifier, and a retried job
or a lost answer never reports the same mentions twice."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from tenants.billing.models import BillingAccount, UsageDay, UsageReport
from tenants.billing.usage import mentions_record, utc_today
from tenants.billing.usage_report import usage_report


@dataclass
class Relay:
    """Forwards to stripe-mock and records each meter event it saw; `fail` answers the next n with a 500."""

    url: str = ""
    events: list[dict[str, str]] = field(default_factory=list)
    fail: int = 0
    drop_answer: int = 0


@pytest.fixture
def relay(settings) -> Iterator[Relay]:
    upstream = django_settings.STRIPE_API_BASE.rstrip("/")
    state = Relay()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/v1/billing/meter_events"):
                form = dict(urllib.parse.parse_qsl(body.decode()))
                form["idempotency_key"] = self.headers.get("Idempotency-Key", "")
                if state.fail:
                    state.fail -= 1
                    self._answer(500, b'{"error": {"message": "down", "type": "api_error"}}')
                    return
                state.events.append(form)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            request = urllib.request.Request(upstream + self.path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, payload = answer.status, answer.read()
            except urllib.error.HTTPError as exc:
                status, payload = exc.code, exc.read()
            if self.path.startswith("/v1/billing/meter_events") and state.drop_answer:
                # Stripe took it, the caller never hears.
                state.drop_answer -= 1
                status, payload = 500, b'{"error": {"message": "lost", "type": "api_error"}}'
            self._answer(status, payload)

        def _answer(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_API_BASE = state.url
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def customer(slug: str, customer_id: str) -> int:
    account = BillingAccount.objects.get(tenant__slug=slug)
    account.stripe_customer_id = customer_id
    account.save(update_fields=["stripe_customer_id"])
    return int(account.tenant_id)


def test_each_days_new_mentions_are_reported_once(tenants, relay):
    alpha, beta = customer("alpha", "cus_alpha"), customer("beta", "")
    yesterday = utc_today() - timedelta(days=1)
    mentions_record(tenant_id=alpha, count=7, day=yesterday)
    mentions_record(tenant_id=alpha, count=3)
    mentions_record(tenant_id=beta, count=5)  # no Stripe customer: nothing to report to

    assert usage_report() == {"sent": 2, "pending": 0}
    assert usage_report() == {"sent": 0, "pending": 0}

    assert [(e["payload[stripe_customer_id]"], e["payload[value]"]) for e in relay.events] == [
        ("cus_alpha", "7"),
        ("cus_alpha", "3"),
    ]
    assert {e["event_name"] for e in relay.events} == {"vigil_mentions"}
    assert all(e["identifier"] == e["idempotency_key"] for e in relay.events)

    mentions_record(tenant_id=alpha, count=4)
    usage_report()
    assert relay.events[-1]["payload[value]"] == "4"
    assert UsageDay.objects.get(tenant_id=alpha, day=utc_today()).mentions_reported == 7


def test_a_stripe_outage_leaves_the_report_pending_and_the_retry_sends_it_once(tenants, relay):
    alpha = customer("alpha", "cus_alpha")
    mentions_record(tenant_id=alpha, count=9)
    relay.fail = 10  # longer than the library's own retries

    assert usage_report() == {"sent": 0, "pending": 1}
    assert relay.events == []
    mentions_record(tenant_id=alpha, count=2)  # more mentions while it was down

    relay.fail = 0
    assert usage_report() == {"sent": 2, "pending": 0}
    assert [e["payload[value]"] for e in relay.events] == ["9", "2"]
    assert usage_report()["sent"] == 0


def test_a_lost_answer_is_retried_with_the_same_identifier(tenants, relay):
    alpha = customer("alpha", "cus_alpha")
    mentions_record(tenant_id=alpha, count=6)
    relay.drop_answer = 1

    assert usage_report() == {"sent": 1, "pending": 0}

    # Stripe saw the event twice, with the same identifier and key: it counts it once.
    assert len(relay.events) == 2
    assert len({(e["identifier"], e["idempotency_key"]) for e in relay.events}) == 1
    assert UsageReport.objects.get().value == 6
    assert json.dumps(relay.events[0]).count("vigil-mentions-") == 2
