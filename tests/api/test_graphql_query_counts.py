"""Every GraphQL list costs the same number of queries for 2 rows as for 12: nothing is read once per row.

One test per list field: each top-level list, and each nested list or computed field under the list that shows it.
"""

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from monitoring.search.client import es_client
from monitoring.search.index import alias_name, tenant_index_delete, tenant_index_ensure
from monitoring.search.outbox import drain
from responses.models import CrisisCase
from tenants.models import Tenant
from tenants.services import TenantCreated
from tests.api.graphql_rows import TASKER, TASKER_PASSWORD, platform_rows, rows
from tests.conftest import Api, key_auth


def _page(field: str, selection: str, arguments: str = "first: 200") -> str:
    return f"{{ {field}({arguments}) {{ edges {{ node {{ id {selection} }} }} }} }}"


def _nested(name: str, selection: str = "id") -> str:
    return f"{name} {{ edges {{ node {{ {selection} }} }} }}"


CASE = "caseId: %(case)d"

# What each test asks for: the list, and the one nested list or computed field it is about.
LISTS = {
    "users": _page("users", "email role"),
    "invitations": _page("invitations", "email role status"),
    "apiKeys": _page("apiKeys", "name role"),
    "mentions": _page("mentions", "platform"),
    "mentions.author": _page("mentions", "author { name }"),
    "mentions.matchedRules": _page("mentions", "matchedRules matchedBrands"),
    "rules": _page("rules", "name"),
    "brands": _page("brands", "name kind"),
    "warningPolicies": _page("warningPolicies", "name"),
    "warningPolicies.promotion": _page("warningPolicies", "promoteLevel promoteOwnBrandsOnly promoteScenario"),
    "alerts": _page("alerts", "status resolution"),
    "alerts.policy": _page("alerts", "policy { name promoteLevel }"),
    "alerts.events": _page("alerts", _nested("events", "kind level")),
    "silences": _page("silences", "scope"),
    "notificationChannels": _page("notificationChannels", "format secret robotSigning"),
    "deliveries": _page("deliveries", "status channelId"),
    "deliveries.attempts": _page("deliveries", _nested("attempts", "number")),
    "deadLetters": _page("deadLetters", "kind"),
    "cases": _page("cases", "status severity"),
    "cases.sla": _page("cases", "sla { kind state }"),
    "cases.linkedIds": _page("cases", "alertIds brandIds evidenceIds"),
    "cases.members": _page("cases", _nested("members", "role email")),
    "cases.playbooks": _page("cases", _nested("playbooks", "name")),
    "cases.statements": _page("cases", _nested("statements", "id pendingApprovals")),
    "cases.statements.versions": _page("cases", _nested("statements", _nested("versions", "number"))),
    "cases.tasks": _page("cases", _nested("tasks", "id assigneeRole")),
    "cases.timeline": _page("cases", _nested("timeline", "kind")),
    "caseMembers": _page("caseMembers", "role email", CASE),
    "myTasks": _page("myTasks", "title caseId"),
    "affectedUsers": _page("affectedUsers", "authorId platform sentiment contactsHeld", CASE),
    "affectedUsers.evidenceIds": _page("affectedUsers", "evidenceIds caseId", CASE),
    "followUps": _page("followUps", "status type overdue caseId affectedUserId"),
    "followUps.notes": _page("followUps", _nested("notes", "text")),
    "followUps.replies": _page("followUps", _nested("replies", "text channel scriptId")),
    "caseCommitments": _page("caseCommitments", "status kind caseId statementId ownerId taskId", CASE),
    "replyScripts": _page("replyScripts", "name variables"),
    "statements": _page("statements", "pendingApprovals", CASE),
    "statements.versions": _page("statements", _nested("versions", "number"), CASE),
    "statements.approvals": _page("statements", _nested("approvals", "role"), CASE),
    "statements.publications": _page("statements", _nested("publications", "channel"), CASE),
    "playbooks": _page("playbooks", "name content"),
    "playbooks.versions": _page("playbooks", _nested("versions", "number")),
    "auditLog": _page("auditLog", "action actorType"),
    "slaPolicies": "{ slaPolicies { severity resolveMinutes } }",
    "platformTenants": "{ platformTenants(first: 200) { edges { node { slug plan status trialEnd } } } }",
    "platformPlans": "{ platformPlans(first: 200) { edges { node { code limits features } } } }",
}
# The platform lists are the public host's, for a billing admin.
PLATFORM = {"platformTenants", "platformPlans"}


def billing_admin() -> Api:
    out = StringIO()
    call_command("billing_admin_create", "--email", "rows-billing@vigil.example", "--json", stdout=out)
    login = json.loads(out.getvalue())
    token = Api(None).post("/api/v1/auth/token", {"email": login["email"], "password": login["password"]}).json()
    return Api(None, auth=f"Bearer {token['access']}")


def queries(caller: Api, query: str) -> int:
    document = query
    if "%(case)d" in query:
        with tenant_context(Tenant.objects.get(slug="alpha")):
            case = CrisisCase.objects.order_by("id").last()
            assert case is not None
        document = query % {"case": case.pk}
    caller.graphql(document)  # the first request of a process also warms Django's caches
    with CaptureQueriesContext(connection) as captured:
        response = caller.graphql(document)
    body = response.json()
    assert "errors" not in body, body
    return len(captured.captured_queries)


@pytest.fixture(scope="module")
def counts(django_db_setup: dict[str, TenantCreated], django_db_blocker: Any) -> Iterator[dict[str, tuple[int, int]]]:
    """Queries of every list at 2 rows and at 12, measured once for the module inside a transaction rolled back at
    its end (making the rows is what takes the time)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            api = Api("alpha", auth=key_auth(django_db_setup["alpha"].api_key))
            rows("alpha", 2)
            token = Api("alpha").post("/api/v1/auth/token", {"email": TASKER, "password": TASKER_PASSWORD}).json()
            tasker = Api("alpha", auth=f"Bearer {token['access']}")
            platform = billing_admin()
            platform_rows(2)
            callers = {name: tasker if name == "myTasks" else platform if name in PLATFORM else api for name in LISTS}
            few = {name: queries(callers[name], query) for name, query in LISTS.items()}
            rows("alpha", 10)
            platform_rows(10)
            yield {name: (few[name], queries(callers[name], query)) for name, query in LISTS.items()}
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_reads_nothing_once_per_row(name: str, counts: dict[str, tuple[int, int]]) -> None:
    at_two, at_twelve = counts[name]

    assert at_twelve == at_two


def test_search_hits_read_nothing_once_per_hit(alpha, item):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    tenant_index_delete("alpha")
    tenant_index_ensure("alpha")
    document = '{ searchMentions(q: "测试", first: 200) { edges { node { id author { name } } score } } }'

    def search_after_ingesting(n: int) -> int:
        batch = [item(text="测试一下") for _ in range(n)]
        assert api.post("/api/v1/mentions/batch", {"mentions": batch}).json()["accepted"] == n
        with tenant_context(Tenant.objects.get(slug="alpha")):
            drain("alpha")
        es_client().indices.refresh(index=alias_name("alpha"))
        return queries(api, document)

    assert search_after_ingesting(2) == search_after_ingesting(10)
