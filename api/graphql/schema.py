"""The GraphQL schema, composed from one Query and one Mutation class per area."""

import strawberry
from django.conf import settings
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from api.graphql.identity import IdentityMutation, IdentityQuery


@strawberry.type
class Query(IdentityQuery):
    pass


@strawberry.type
class Mutation(IdentityMutation):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=30),
    ],
)
