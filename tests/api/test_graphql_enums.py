"""GraphQL enums written out by hand (those without model choices) name exactly what the services accept, so a new
transition, sort or aggregation cannot be missing from one face."""

from api.graphql.enums import CaseTransition, SearchAggregation, SearchSort
from monitoring.search.query import AGGREGATIONS, SORTS
from responses.cases.services import TRANSITIONS


def test_hand_written_enums_match_the_services_vocabularies():
    assert {t.value for t in CaseTransition} == set(TRANSITIONS)
    assert {s.value for s in SearchSort} == set(SORTS)
    assert {a.value for a in SearchAggregation} == set(AGGREGATIONS)
    assert all(
        member.name == member.value.upper()
        for enum in (CaseTransition, SearchSort, SearchAggregation)
        for member in enum
    )
