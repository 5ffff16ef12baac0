"""Reading a case's stored review reports."""

from django.db.models import QuerySet

from config.errors import NotFoundError
from responses.cases.selectors import case_get
from responses.models import CaseReport
from tenants.identity.principals import Principal


def report_get(*, actor: Principal, case_id: int, version: int) -> CaseReport:
    case = case_get(actor=actor, case_id=case_id)
    found = case.reports.filter(version=version).first()
    if found is None:
        raise NotFoundError(f"Case {case_id} has no report version {version}.", field="version")
    return found


def report_versions(*, actor: Principal, case_id: int) -> QuerySet[CaseReport]:
    """Newest first, without the stored documents."""
    return case_get(actor=actor, case_id=case_id).reports.defer("content", "html", "pdf").order_by("-version")
