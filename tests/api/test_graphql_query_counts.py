"""Every GraphQL list costs the same number of queries for 2 rows as for 12: nothing is read once per row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from responses.models import CrisisCase
from tenants.models import Tenant
from tests.api.graphql_rows import TASKER, TASKER_PASSWORD, rows
from tests.conftest import Api, key_auth

# Each list with every nested list and computed field it has.
LISTS = {
    "users": "{ users(first: 200) { edges { node { id email role } } } }",
    "apiKeys": "{ apiKeys(first: 200) { edges { node { id name role } } } }",
    "mentions": "{ mentions(first: 200) { edges { node { id platform author { name } matchedRules } } } }",
    "rules": "{ rules(first: 200) { edges { node { id name } } } }",
    "brands": "{ brands(first: 200) { edges { node { id name kind } } } }",
    "warningPolicies": "{ warningPolicies(first: 200) { edges { node { id name promoteLevel } } } }",
    "alerts": "{ alerts(first: 200) { edges { node { id status resolution policy { name } "
    "events { edges { node { kind level } } } } } } }",
    "silences": "{ silences(first: 200) { edges { node { id scope } } } }",
    "notificationChannels": "{ notificationChannels(first: 200) { edges { node { id format secret robotSigning } } } }",
    "deliveries": "{ deliveries(first: 200) { edges { node { id status channelId "
    "attempts { edges { node { number } } } } } } }",
    "deadLetters": "{ deadLetters(first: 200) { edges { node { id kind } } } }",
    "cases": "{ cases(first: 200) { edges { node { id status sla { kind state } alertIds brandIds evidenceIds "
    "members { edges { node { role email } } } playbooks { edges { node { name } } } "
    "statements { edges { node { id pendingApprovals versions { edges { node { number } } } "
    "approvals { edges { node { role } } } publications { edges { node { channel } } } } } } "
    "tasks { edges { node { id assigneeRole } } } timeline { edges { node { kind } } } } } } }",
    "caseMembers": "{ caseMembers(caseId: %(case)d) { edges { node { id role email } } } }",
    "myTasks": "{ myTasks(first: 200) { edges { node { id title caseId } } } }",
    "replyScripts": "{ replyScripts(first: 200) { edges { node { id name variables } } } }",
    "statements": "{ statements(caseId: %(case)d) { edges { node { id pendingApprovals "
    "versions { edges { node { number } } } approvals { edges { node { role } } } } } } }",
    "playbooks": "{ playbooks(first: 200) { edges { node { id name content "
    "versions { edges { node { number } } } } } } }",
    "auditLog": "{ auditLog(first: 200) { edges { node { id action actorType } } } }",
}


def queries_per_list(api: Api, tasker: Api) -> dict[str, int]:
    with tenant_context(Tenant.objects.get(slug="alpha")):
        case = CrisisCase.objects.order_by("id").last()
        assert case is not None
    counts = {}
    for name, query in LISTS.items():
        caller = tasker if name == "myTasks" else api
        caller.graphql(query % {"case": case.pk})  # the first request of a process also warms Django's caches
        with CaptureQueriesContext(connection) as captured:
            response = caller.graphql(query % {"case": case.pk})
        assert "errors" not in response.json(), (name, response.json())
        counts[name] = len(captured.captured_queries)
    return counts


def test_no_list_reads_once_per_row(alpha, login):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    rows("alpha", 2)
    tasker = Api("alpha", auth=login("alpha", TASKER, TASKER_PASSWORD))

    few = queries_per_list(api, tasker)
    rows("alpha", 10)
    many = queries_per_list(api, tasker)

    assert many == few
    with open("/tmp/gq/after.txt", "w") as out:
        out.write(repr(many))
