"""An integrator's first script with the generated Python client: ingest mentions, find them by search, open a case
on them and move it along. `make client` generates the client and runs this against a live server; by hand:

    VIGIL_API_URL=http://127.0.0.1:8000 VIGIL_TENANT=acme VIGIL_API_KEY=acme.xxxxxxxx.yyyy \\
        PYTHONPATH=.client uv run --frozen python scripts/client_example.py
"""

import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from vigil_client import AuthenticatedClient
from vigil_client.api.cases import cases_create, cases_transition
from vigil_client.api.monitoring import mentions_batch
from vigil_client.api.search import mentions_search
from vigil_client.models import (
    AuthorOutputRequest,
    CaseRequest,
    Error,
    MentionBatchInputRequest,
    MentionInputDocRequest,
    PlatformEnum,
    ScenarioEnum,
    SeverityEnum,
    TransitionEnum,
    TransitionInputRequest,
)

T = TypeVar("T")
COMPLAINTS = [
    "外卖配送超时两个小时，客服电话一直打不通",
    "又是配送超时！订单显示已送达但根本没收到",
    "外賣配送超時，退款申請三天沒人處理",
]


def answer(result: T | Error | None) -> T:
    """The parsed answer, or the API's error (`{"error": {"code", "message", "field"}}`) as the reason to stop."""
    if isinstance(result, Error):
        raise SystemExit(f"API error {result.error.code} on {result.error.field}: {result.error.message}")
    if result is None:
        raise SystemExit("the API answered with a status its schema does not document")
    return result


def main() -> None:
    client = AuthenticatedClient(
        base_url=os.environ["VIGIL_API_URL"],
        token=os.environ["VIGIL_API_KEY"],
        prefix="Api-Key",
        headers={"X-Tenant": os.environ["VIGIL_TENANT"]},
    )
    batch = f"example-{secrets.token_hex(4)}"
    now = datetime.now(UTC)

    ingested = answer(
        mentions_batch.sync(
            client=client,
            body=MentionBatchInputRequest(
                mentions=[
                    MentionInputDocRequest(
                        platform=PlatformEnum.WEIBO,
                        external_id=f"{batch}-{n}",
                        text=text,
                        published_at=now - timedelta(minutes=n),
                        author=AuthorOutputRequest(external_id=f"u{n}", name=f"用户{n}", followers=100, verified=False),
                    )
                    for n, text in enumerate(COMPLAINTS)
                ]
            ),
        )
    )
    print(f"ingested: {ingested.accepted} new, {ingested.rejected} rejected")

    # Search reads an index that background work fills within moments of the ingest.
    deadline = time.monotonic() + 60
    while True:
        found = answer(mentions_search.sync(client=client, q="配送超时"))
        if found.count >= len(COMPLAINTS) or time.monotonic() > deadline:
            break
        time.sleep(1)
    evidence = [int(hit["id"]) for hit in found.results]
    print(f"search '配送超时': {found.count} mentions {evidence}")
    if found.count < len(COMPLAINTS):
        raise SystemExit(f"search found {found.count} of the {len(COMPLAINTS)} mentions")

    case = answer(
        cases_create.sync(
            client=client,
            body=CaseRequest(
                title="Delivery delays trending on Weibo",
                scenario=ScenarioEnum.SERVICE_FAILURE,
                severity=SeverityEnum.III,
                evidence_ids=evidence,
                activate_playbook=False,
            ),
        )
    )
    print(f"case {case.id} opened: {case.status}, evidence {case.evidence}")
    for transition in (TransitionEnum.ASSESS, TransitionEnum.RESPOND):
        case = answer(
            cases_transition.sync(
                case.id, client=client, body=TransitionInputRequest(transition=transition, note="From the example")
            )
        )
        print(f"case {case.id} after {transition}: {case.status}")


if __name__ == "__main__":
    main()
