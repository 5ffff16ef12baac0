"""GraphQL refuses oversized, over-complex and broken requests up front, in the shared error shape, never a 500."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context
from graphql import GraphQLObjectType, get_introspection_query, get_named_type

from api.graphql.schema import schema
from monitoring.models import Mention
from tenants.identity.models import User
from tenants.models import Tenant
from tests.conftest import Api, key_auth

ME = "{ me { tenant { slug } } }"


def admin(alpha) -> Api:
    return Api("alpha", auth=key_auth(alpha.api_key))


def anonymous() -> Api:
    return Api("alpha")


def first_error(response) -> dict:
    return response.json()["errors"][0]["extensions"]


def user_count() -> int:
    with tenant_context(Tenant.objects.get(slug="alpha")):
        return User.objects.count()


def typenames(count: int) -> str:
    return "{" + " __typename" * count + " }"


# Size, tokens, aliases, depth


def test_huge_typename_query_is_refused_before_parsing(alpha):
    query = typenames(32_000)  # 344 KiB: parsing and validating it held a worker 4.8 s
    assert len(query) > 340 * 1024

    stranger = anonymous().graphql(query)
    caller = admin(alpha).graphql(query)

    assert stranger.status_code == 413 and caller.status_code == 413
    assert first_error(stranger)["code"] == "payload_too_large" and first_error(stranger)["field"] == "body"
    assert first_error(caller)["code"] == "payload_too_large" and first_error(caller)["field"] == "query"


def test_query_document_over_the_byte_limit_is_refused_even_with_credentials(alpha, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 1000

    response = admin(alpha).graphql(ME + " " * 1000)

    assert response.status_code == 413
    assert first_error(response) == {
        "code": "payload_too_large",
        "message": "The GraphQL query is 1026 bytes; the limit is 1000 bytes.",
        "field": "query",
    }


def test_anonymous_body_is_held_to_the_query_limit(tenants, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 1000

    response = anonymous().graphql("{ __typename }", {"padding": "x" * 2000})

    assert response.status_code == 413
    assert first_error(response)["field"] == "body"


def test_large_variables_are_allowed_for_authenticated_callers(alpha, item, settings):
    settings.GRAPHQL_MAX_QUERY_BYTES = 1000
    mutation = "mutation($m: [JSON!]!) { ingestMentions(mentions: $m) { accepted } }"
    mentions = [item(external_id=f"big{n}", text="长文本" * 300) for n in range(5)]

    response = admin(alpha).graphql(mutation, {"m": mentions})

    assert len(json.dumps(mentions)) > 1000
    assert response.json()["data"]["ingestMentions"]["accepted"] == 5


def test_too_many_tokens_is_a_400(alpha):
    response = admin(alpha).graphql(typenames(2_500))

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"
    assert "more than 2000 tokens" in response.json()["errors"][0]["message"]


def test_a_query_within_the_token_limit_passes(alpha):
    response = admin(alpha).graphql(typenames(500))

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


def test_too_many_aliases_is_a_400(alpha, settings):
    settings.GRAPHQL_MAX_ALIASES = 5
    query = "{" + " ".join(f"a{n}: me {{ kind }}" for n in range(6)) + "}"

    response = admin(alpha).graphql(query)

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"
    assert "6 aliases found. Allowed: 5" in response.json()["errors"][0]["message"]


def deepest_chain(type_: GraphQLObjectType, seen: frozenset[str]) -> int:
    """Object fields nested below `type_` on the longest path that visits no type twice."""
    depths = [
        1 + deepest_chain(named, seen | {named.name})
        for field in type_.fields.values()
        if isinstance(named := get_named_type(field.type), GraphQLObjectType) and named.name not in seen
    ]
    return max(depths, default=0)


def test_the_depth_limit_is_the_schemas_real_depth():
    graphql_schema = schema._schema
    roots = [graphql_schema.query_type, graphql_schema.mutation_type]

    deepest = max(deepest_chain(root, frozenset({root.name})) for root in roots if root)

    # A new nested field that goes deeper must raise VIGIL_GRAPHQL_MAX_DEPTH on purpose, not find it by accident.
    assert deepest == settings.GRAPHQL_MAX_DEPTH


def test_deepest_query_of_the_schema_passes(alpha):
    # The deepest chain the schema has: case → statement → version, each a connection (edges → node).
    response = admin(alpha).graphql(
        "{ mentions { edges { node { author { name } } } } "
        "cases { edges { node { statements { edges { node { versions { edges { node { body } } } } } } } } } }"
    )

    assert response.status_code == 200, response.content
    assert "errors" not in response.json()


def test_query_deeper_than_the_limit_is_a_400(alpha, settings):
    settings.GRAPHQL_MAX_DEPTH = 2

    response = admin(alpha).graphql("{ mentions { items { author { name } } } }")

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"
    assert "exceeds maximum operation depth of 2" in response.json()["errors"][0]["message"]


def test_deeply_nested_selections_are_refused_not_500(alpha):
    query = "{ me " + "{ tenant " * 600 + "{ slug" + " }" * 602

    response = admin(alpha).graphql(query)

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"


# Introspection


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_refused_to_anonymous_callers(tenants):
    response = anonymous().graphql(INTROSPECTION)

    assert response.status_code == 401
    assert response.json()["data"] is None
    assert first_error(response) == {
        "code": "not_authenticated",
        "message": "Introspection (__schema, __type) needs an authenticated caller.",
        "field": "__schema",
    }


def test_type_introspection_is_refused_to_anonymous_callers_over_get(tenants):
    response = anonymous().get("/graphql/?" + urlencode({"query": '{ __type(name: "Query") { name } }'}))

    assert response.status_code == 401
    assert first_error(response)["field"] == "__type"


def test_introspection_works_for_authenticated_callers(alpha):
    response = admin(alpha).graphql(INTROSPECTION)

    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_graphiql_introspection_query_passes_the_limits(alpha):
    response = admin(alpha).graphql(get_introspection_query(descriptions=True, input_value_deprecation=True))

    assert response.status_code == 200
    assert "errors" not in response.json()


def test_deep_introspection_is_refused_even_with_credentials(alpha):
    nested = "fields { type { " * 5 + "name" + " } }" * 5

    response = admin(alpha).graphql("{ __schema { types { " + nested + " } } }")

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"
    assert "Maximum introspection depth exceeded" in response.json()["errors"][0]["message"]


def test_typename_needs_no_credentials(tenants):
    response = anonymous().graphql("{ __typename }")

    assert response.json() == {"data": {"__typename": "Query"}}


# Broken text and JSON


CREATE_USER = "mutation($input: InviteUserInput!) { inviteUser(input: $input) { id } }"


def new_user(name: str) -> dict:
    return {"email": "new@alpha.example", "role": "viewer", "name": name}


def test_nul_in_a_variable_is_400_naming_the_variable_path_and_writes_nothing(alpha):
    before = user_count()

    response = admin(alpha).graphql(CREATE_USER, {"input": new_user("bad\x00name")})

    assert response.status_code == 400
    assert first_error(response) == {
        "code": "invalid_encoding",
        "message": "Text contains a NUL character or broken Unicode (lone surrogate).",
        "field": "variables.input.name",
    }
    assert user_count() == before


def test_lone_surrogate_in_a_variable_is_400_naming_the_variable_path(alpha):
    variables = json.dumps({"input": new_user("@@")}).replace("@@", "bad \\ud800")
    body = json.dumps({"query": CREATE_USER}).encode()[:-1] + b', "variables": ' + variables.encode() + b"}"

    response = admin(alpha).post("/graphql/", raw=body)

    assert response.status_code == 400
    assert first_error(response)["code"] == "invalid_encoding"
    assert first_error(response)["field"] == "variables.input.name"


def test_nul_in_a_string_literal_of_the_query_is_400(alpha):
    before = user_count()

    response = admin(alpha).graphql(
        'mutation { inviteUser(input: {email: "n@alpha.example", role: VIEWER, name: "bad\\u0000"}) { id } }'
    )

    assert response.status_code == 400
    assert first_error(response)["code"] == "invalid_encoding"
    assert first_error(response)["field"] == "query"
    assert user_count() == before


def test_invalid_utf8_body_is_400(alpha):
    response = admin(alpha).post("/graphql/", raw=b'{"query": "{ me { kind } }", "variables": {"x": "\xff\xfe"}}')

    assert response.status_code == 400
    assert first_error(response) == {
        "code": "invalid_encoding",
        "message": "Request body is not valid UTF-8 (byte 49).",
        "field": "body",
    }


def test_malformed_json_body_is_400_in_the_error_shape(alpha):
    response = admin(alpha).post("/graphql/", raw=b'{"query": ')

    assert response.status_code == 400
    assert first_error(response)["code"] == "malformed_json"
    assert first_error(response)["field"] == "body"


def test_mutation_over_get_is_refused_in_the_error_shape(alpha):
    response = admin(alpha).get("/graphql/?" + urlencode({"query": "mutation { revokeApiKey(id: 1) { id } }"}))

    assert response.status_code == 400
    assert first_error(response) == {
        "code": "bad_request",
        "message": "mutations are not allowed when using GET",
        "field": None,
    }


def test_unsupported_content_type_is_refused_in_the_error_shape(alpha):
    response = admin(alpha).post("/graphql/", raw=b"query=%7B%20me%20%7D", headers={"Content-Type": "text/plain"})

    assert response.status_code == 400
    assert first_error(response) == {"code": "bad_request", "message": "Unsupported content type", "field": None}


def test_deeply_nested_json_body_is_400(alpha):
    body = b'{"query": "{ me { kind } }", "variables": {"x": ' + b"[" * 1000 + b"]" * 1000 + b"}}"

    response = admin(alpha).post("/graphql/", raw=body)

    assert response.status_code == 400
    assert first_error(response)["code"] == "too_deep"
    assert first_error(response)["field"] == "body"


def test_huge_integer_in_the_body_is_400(alpha):
    body = b'{"query": "{ me { kind } }", "variables": {"x": ' + b"9" * 5000 + b"}}"

    response = admin(alpha).post("/graphql/", raw=body)

    assert response.status_code == 400
    assert first_error(response)["code"] == "number_out_of_range"


def test_huge_integer_literal_of_an_int_argument_is_400_not_an_internal_error(alpha):
    response = admin(alpha).graphql("{ cases(first: " + "9" * 5000 + ") { edges { node { id } } } }")

    assert response.status_code == 400
    assert first_error(response)["code"] == "graphql_validation"
    assert "Exceeds the limit (4300 digits)" in first_error(response)["message"]


def test_huge_number_literals_in_a_json_argument_are_400(alpha):
    huge_int = admin(alpha).graphql("mutation { ingestMentions(mentions: [{likes: " + "9" * 5000 + "}]) { accepted } }")
    huge_float = admin(alpha).graphql("mutation { ingestMentions(mentions: [{likes: 1e999}]) { accepted } }")

    assert huge_int.status_code == 400 and huge_float.status_code == 400
    assert first_error(huge_int) == {
        "code": "number_out_of_range",
        "message": "A number has 5000 digits; integers must fit in 64 bits.",
        "field": "query",
    }
    assert first_error(huge_float)["code"] == "number_out_of_range"


def test_get_query_gets_the_same_checks(alpha):
    params = {"query": "query($n: String) { __typename }", "variables": json.dumps({"n": "a\x00"})}
    nul = admin(alpha).get("/graphql/?" + urlencode(params))
    deep = admin(alpha).get("/graphql/?" + urlencode({**params, "variables": '{"n": ' + "[" * 1000 + "]" * 1000 + "}"}))
    huge = admin(alpha).get("/graphql/?" + urlencode({"query": typenames(32_000)}))

    assert nul.status_code == 400
    assert first_error(nul)["field"] == "variables.n"
    assert deep.status_code == 400
    assert first_error(deep) == {
        "code": "too_deep",
        "message": "JSON is nested more than 64 levels deep.",
        "field": "variables",
    }
    assert huge.status_code == 413
    assert first_error(huge)["field"] == "query"


def test_broken_text_in_an_ingest_batch_is_refused_like_rest(alpha, item):
    mutation = "mutation($m: [JSON!]!) { ingestMentions(mentions: $m) { accepted } }"

    response = admin(alpha).graphql(mutation, {"m": [item(external_id="ok1"), item(text="bad\x00text")]})

    assert response.status_code == 400
    assert first_error(response)["code"] == "invalid_encoding"
    assert first_error(response)["field"] == "variables.m[1].text"
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert not Mention.objects.filter(external_id="ok1").exists()


@pytest.mark.parametrize("first", [0, 201, -1])
def test_a_page_size_outside_1_to_200_is_400_naming_first(alpha, first):
    literal = admin(alpha).graphql(f"{{ users(first: {first}) {{ edges {{ node {{ id }} }} }} }}")
    variable = admin(alpha).graphql(
        "query($n: Int!) { cases { edges { node { tasks(first: $n) { edges { node { id } } } } } } }", {"n": first}
    )

    for response in (literal, variable):
        assert response.status_code == 400
        assert first_error(response)["code"] == "invalid"
        assert first_error(response)["field"] == "first"
        assert first_error(response)["message"] == "first is between 1 and 200."


def test_first_and_after_walk_a_list_once_in_its_order(alpha):
    api = admin(alpha)
    for n in range(5):
        api.post("/api/v1/api-keys", {"name": f"walk {n}", "role": "viewer"})
    query = (
        "query($after: String) { apiKeys(first: 2, after: $after) { "
        "edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"
    )

    pages, after = [], None
    while True:
        page = api.graphql(query, {"after": after}).json()["data"]["apiKeys"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    names = [edge["node"]["name"] for page in pages for edge in page["edges"]]
    # Newest first, as the selector orders keys; the tenant's first key comes last.
    assert names == [*(f"walk {n}" for n in reversed(range(5))), "default"]
    assert [len(page["edges"]) for page in pages] == [2, 2, 2]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
