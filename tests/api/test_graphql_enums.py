"""GraphQL enums written out by hand (those without model choices) name exactly what the services accept, so a new
transition, sort or aggregation cannot be missing from one face."""

from api.graphql.enums import CaseTransition, SearchAggregation, SearchSort
from api.graphql.propagation import CascadeExportFormat, CascadeGraph
from monitoring.cascades.exports import EXPORT_FORMATS, GRAPHS
from monitoring.search.query import AGGREGATIONS, SORTS
from responses.cases.services import TRANSITIONS


def test_hand_written_enums_match_the_services_vocabularies():
    assert {t.value for t in CaseTransition} == set(TRANSITIONS)
    assert {s.value for s in SearchSort} == set(SORTS)
    assert {a.value for a in SearchAggregation} == set(AGGREGATIONS)
    assert {f.value for f in CascadeExportFormat} == set(EXPORT_FORMATS)
    assert {g.value for g in CascadeGraph} == set(GRAPHS)
    assert all(
        member.name == member.value.upper()
        for enum in (CaseTransition, SearchSort, SearchAggregation, CascadeExportFormat, CascadeGraph)
        for member in enum
    )
