"""The dead-letter list, counts and retry through both faces: admins only, and per tenant."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from monitoring.deadletters.services import dead_letter_record
from monitoring.models import DeadLetter
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

DEAD_LETTERS = "/api/v1/dead-letters"
LIST_QUERY = """query ($kind: DeadLetterKind, $resolved: Boolean) {
  deadLetters(kind: $kind, resolved: $resolved) {
    edges { node { id kind itemModel itemKey reason attempts resolvedAt } }
  }
  deadLetterCounts { open byKind { kind open } }
}"""
RETRY = "mutation ($id: Int!) { retryDeadLetter(id: $id) { id attempts resolvedAt reason } }"


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def letter(slug: str, key: str = "999999", kind: str = "search_index") -> DeadLetter:
    """A quarantined mention that no longer exists: its retry has nothing left to do and resolves it."""
    with in_tenant(slug):
        return dead_letter_record(kind=kind, item_model="monitoring.Mention", item_key=key, reason="DataError: boom")


def stored(slug: str, letter_id: int) -> tuple[int, bool]:
    with in_tenant(slug):
        found = DeadLetter.objects.get(pk=letter_id)
    return found.attempts, found.resolved_at is not None


def test_admin_lists_filters_counts_and_retries_over_rest(alpha):
    admin = Api("alpha", auth=key_auth(alpha.api_key))
    first, again = letter("alpha", "999998"), letter("alpha", "999998")
    other = letter("alpha", "999997")

    listed = admin.get(f"{DEAD_LETTERS}?kind=search_index&resolved=false&page_size=1")
    retried = admin.post(f"{DEAD_LETTERS}/{other.pk}/retry")
    resolved = admin.get(f"{DEAD_LETTERS}?resolved=true").json()["results"]
    still_open = admin.get(f"{DEAD_LETTERS}?resolved=false").json()["results"]
    counts = admin.get(f"{DEAD_LETTERS}/counts").json()
    twice = admin.post(f"{DEAD_LETTERS}/{other.pk}/retry")

    assert first.pk == again.pk and again.attempts == 2, "a repeated failure counts up on the open letter"
    assert listed.status_code == 200
    assert [x["id"] for x in listed.json()["results"]] == [other.pk]
    assert listed.json()["next_cursor"] is not None and listed.json()["previous_cursor"] is None
    assert retried.status_code == 200 and retried.json()["resolved_at"] is not None
    assert [x["id"] for x in resolved] == [other.pk]
    assert [x["id"] for x in still_open] == [first.pk]
    assert counts == {
        "open": 1,
        "by_kind": {"search_index": 1, "webhook_delivery": 0, "warning_scope": 0, "case_clock": 0, "alert_handler": 0},
    }
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "conflict"
    assert admin.get(f"{DEAD_LETTERS}/{first.pk}").json()["attempts"] == 2


def test_admin_lists_counts_and_retries_over_graphql(alpha):
    admin = Api("alpha", auth=key_auth(alpha.api_key))
    made = letter("alpha", "999996", kind="case_clock")

    listed = admin.graphql(LIST_QUERY, {"kind": "CASE_CLOCK", "resolved": False}).json()
    retried = admin.graphql(RETRY, {"id": made.pk}).json()

    assert nodes(listed["data"]["deadLetters"]) == [
        {
            "id": str(made.pk),
            "kind": "CASE_CLOCK",
            "itemModel": "monitoring.Mention",
            "itemKey": "999996",
            "reason": "DataError: boom",
            "attempts": 1,
            "resolvedAt": None,
        }
    ]
    assert {"kind": "CASE_CLOCK", "open": 1} in listed["data"]["deadLetterCounts"]["byKind"]
    assert retried["data"]["retryDeadLetter"]["resolvedAt"] is not None, retried


def test_a_bad_kind_filter_is_400_naming_the_field(alpha):
    response = Api("alpha", auth=key_auth(alpha.api_key)).get(f"{DEAD_LETTERS}?kind=parcel")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "kind"


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_only_admins_see_or_retry_dead_letters_and_nothing_changes(alpha, make_key, role):
    made = letter("alpha", "999995")
    _key, raw = make_key("alpha", role)
    caller = Api("alpha", auth=key_auth(raw))

    rest_list = caller.get(DEAD_LETTERS)
    rest_counts = caller.get(f"{DEAD_LETTERS}/counts")
    rest_retry = caller.post(f"{DEAD_LETTERS}/{made.pk}/retry")
    gql_list = caller.graphql(LIST_QUERY).json()
    gql_retry = caller.graphql(RETRY, {"id": made.pk}).json()

    assert [rest_list.status_code, rest_counts.status_code, rest_retry.status_code] == [403, 403, 403]
    assert rest_retry.json()["error"]["code"] == "permission_denied"
    assert gql_list["errors"][0]["extensions"]["code"] == "permission_denied"
    assert gql_retry["errors"][0]["extensions"]["code"] == "permission_denied"
    assert stored("alpha", made.pk) == (1, False)


def test_tenant_b_cannot_see_or_retry_tenant_a_dead_letters(alpha, beta):
    made = letter("alpha", "999994")
    other = Api("beta", auth=key_auth(beta.api_key))

    listed = other.get(DEAD_LETTERS).json()["results"]
    single = other.get(f"{DEAD_LETTERS}/{made.pk}")
    retry = other.post(f"{DEAD_LETTERS}/{made.pk}/retry")
    gql = other.graphql(LIST_QUERY).json()["data"]
    gql_retry = other.graphql(RETRY, {"id": made.pk}).json()

    assert listed == [] and gql["deadLetters"]["edges"] == []
    assert gql["deadLetterCounts"]["open"] == 0
    assert single.status_code == 404 and retry.status_code == 404
    assert gql_retry["errors"][0]["extensions"]["code"] == "not_found"
    assert stored("alpha", made.pk) == (1, False)
