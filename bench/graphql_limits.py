"""Time to refuse abusive GraphQL documents, now and with the limits Vigil had before (depth 10, 30 aliases).

"Before" runs strawberry on the same schema with only the old extensions, as the old endpoint did for any caller;
"now" posts the document to the endpoint's view without credentials (no database is touched). The documents:
the 344 KiB run of `__typename` from the security report, a 60 KiB one (under the query byte limit, over the token
limit), and `{ __typename }` as the floor.

    uv run python bench/graphql_limits.py [--runs 5]
"""

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from _setup import percentile, write_result  # type: ignore[import-not-found]
from django.conf import settings
from django.test import RequestFactory
from strawberry import Schema
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from api.graphql.schema import Mutation, Query, schema
from api.graphql.views import VigilGraphQLView

DOCUMENTS = {
    "typename_344KiB": "{" + " __typename" * 32_000 + " }",
    "typename_60KiB": "{" + " __typename" * 5_500 + " }",
    "typename_once": "{ __typename }",
}


def timed(run: Callable[[], Any], runs: int) -> tuple[dict[str, float], Any]:
    seconds, outcome = [], None
    for _ in range(runs):
        started = time.perf_counter()
        outcome = run()
        seconds.append(time.perf_counter() - started)
    return {"p50_ms": round(percentile(seconds, 50) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1)}, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    old_schema = Schema(
        query=Query,
        mutation=Mutation,
        extensions=[lambda: QueryDepthLimiter(max_depth=10), lambda: MaxAliasesLimiter(max_alias_count=30)],
    )
    view = VigilGraphQLView.as_view(schema=schema)
    factory = RequestFactory()

    def post(document: str) -> Any:
        request = factory.post("/graphql/", json.dumps({"query": document}), content_type="application/json")
        response: Any = view(request)
        errors = json.loads(response.content).get("errors") or [{"extensions": {"code": None}}]
        return response.status_code, errors[0]["extensions"]["code"]

    results: dict[str, Any] = {}
    for name, document in DOCUMENTS.items():
        before, old_result = timed(partial(old_schema.execute_sync, document), args.runs)
        now, (status, code) = timed(partial(post, document), args.runs)
        results[name] = {
            "bytes": len(document),
            "before": {**before, "errors": [e.message for e in old_result.errors or []][:1]},
            "now": {**now, "status": status, "code": code},
        }
    write_result(
        "graphql_limits",
        {
            "runs": args.runs,
            "limits": {
                "GRAPHQL_MAX_QUERY_BYTES": settings.GRAPHQL_MAX_QUERY_BYTES,
                "GRAPHQL_MAX_TOKENS": settings.GRAPHQL_MAX_TOKENS,
                "GRAPHQL_MAX_DEPTH": settings.GRAPHQL_MAX_DEPTH,
                "GRAPHQL_MAX_ALIASES": settings.GRAPHQL_MAX_ALIASES,
            },
            "documents": results,
        },
    )


if __name__ == "__main__":
    main()
