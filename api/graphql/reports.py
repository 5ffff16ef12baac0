"""The review report of a case over GraphQL: the same services and fields as /api/v1/cases/{id}/report (JSON), with
where its HTML and PDF are downloaded."""

from datetime import datetime

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from api.rest.reports import report_url
from responses import models
from responses.reports import selectors, services


@strawberry_django.type(models.CaseReport)
class CaseReport:
    version: int
    created_at: datetime
    created_by: str
    trigger: str = strawberry.field(description="`reviewed` (made by the review) or `requested`.")
    final: bool = strawberry.field(description="Made at the review: the case's report for good.")

    @strawberry_django.field
    def case_id(self, root: models.CaseReport) -> int:
        return root.case_id

    @strawberry_django.field(only=["content"], description="The structured report, as the REST JSON's `content`.")
    def content(self, root: models.CaseReport) -> JSON:
        return root.content

    @strawberry_django.field(description="Where the HTML of this version is downloaded (REST).")
    def html_url(self, root: models.CaseReport) -> str:
        return report_url(root, "html")

    @strawberry_django.field(description="Where the PDF of this version is downloaded (REST).")
    def pdf_url(self, root: models.CaseReport) -> str:
        return report_url(root, "pdf")


@strawberry.type
class ReportsQuery:
    @strawberry.field(
        description="A case's review report: the newest version (made on first request) or `version` (as GET "
        "/api/v1/cases/{id}/report)."
    )
    def case_report(self, info: Info, case_id: int, version: int | None = None) -> CaseReport:
        if version is None:
            return services.report_latest(actor=actor(info), case_id=case_id)  # type: ignore[return-value]
        return selectors.report_get(actor=actor(info), case_id=case_id, version=version)  # type: ignore[return-value]

    @connection(
        Connection[CaseReport],
        description="The stored versions of a case's review report, newest first (as GET …/report/versions).",
    )
    def case_report_versions(self, info: Info, case_id: int) -> QuerySet[models.CaseReport]:
        return selectors.report_versions(actor=actor(info), case_id=case_id)


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(
        description="Generate a case's review report again: a new version, or the final one once the case is "
        "reviewed (as POST /api/v1/cases/{id}/report)."
    )
    def generate_case_report(self, info: Info, case_id: int) -> CaseReport:
        report, _ = services.report_generate(actor=actor(info), case_id=case_id, trigger=models.ReportTrigger.REQUESTED)
        return report  # type: ignore[return-value]
