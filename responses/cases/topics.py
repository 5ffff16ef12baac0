"""Hot topics seen from the cases: the topics of one case (its brands' mentions and its evidence), and how a topic
relates to each open case. Monitoring knows nothing of cases, so the responses app hands it the mentions."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from config.errors import NotFoundError, ValidationError
from config.jsonsafe import INT_MAX
from monitoring.models import Mention, Topic
from monitoring.topics.selectors import term_overlap, topic_detail, topic_list
from responses.cases.selectors import case_get
from responses.models import CaseStatus, CrisisCase
from tenants.identity.principals import Principal, check_permission

OPEN_CASES_SHOWN = 20


def case_topic_list(*, actor: Principal, filters: Mapping[str, Any]) -> QuerySet[Topic]:
    """GET /topics: with `case`, only the topics holding the case's brands' mentions or its evidence."""
    data = {key: filters.get(key) for key in filters}
    raw = str(data.pop("case", None) or "")
    if not raw:
        return topic_list(actor=actor, filters=data)
    if not raw.isdigit() or not 0 < int(raw) <= INT_MAX:
        raise ValidationError(f"'{raw[:40]}' is not a case id.", field="case")
    try:
        case = case_get(actor=actor, case_id=int(raw))
    except NotFoundError as exc:
        raise NotFoundError(f"No case {raw}.", field="case") from exc
    return topic_list(
        actor=actor,
        filters=data,
        case_brands=[b.pk for b in case.brands.all()],
        case_mentions=[m.pk for m in case.evidence.all()],
    )


def topic_with_cases(*, actor: Principal, topic_id: int) -> dict[str, Any]:
    """The topic's detail, plus each open case it touches: the share of the topic's mentions in the case's scope
    and the overlap of the case's own topic words with the topic's terms."""
    out = topic_detail(actor=actor, topic_id=topic_id)
    check_permission(actor, "cases.read")
    size = out["size"]
    cases = CrisisCase.objects.exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.REVIEWED]).prefetch_related(
        "brands", "evidence"
    )
    topic = Topic.objects.get(pk=topic_id)
    shown = list(cases.order_by("-created_at", "-id")[:OPEN_CASES_SHOWN])
    # One scan of the topic's mentions counts every case's share of them.
    counts = Mention.objects.filter(topic_id=topic_id).aggregate(
        **{
            f"case_{case.pk}": Count(
                "id",
                filter=Q(matched_brands__overlap=[b.pk for b in case.brands.all()])
                | Q(pk__in=[m.pk for m in case.evidence.all()]),
            )
            for case in shown
        }
    )
    related = []
    for case in shown:
        n = counts[f"case_{case.pk}"]
        if not n:
            continue
        related.append(
            {
                "case": case.pk,
                "title": case.title,
                "status": case.status,
                "mentions": n,
                "share": round(n / size, 4) if size else 0.0,
                "term_overlap": term_overlap(list(case.topics) or case.title.split(), topic),
            }
        )
    out["cases"] = related
    return out
