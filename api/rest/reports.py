"""The review report of a case over REST: GET /cases/{id}/report as JSON, HTML or PDF (the newest version, or
`?version=`), POST to generate a new version, GET /cases/{id}/report/versions."""

from types import SimpleNamespace
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import TenantViewSet
from config.errors import ValidationError
from config.validation import bounded_int
from responses.models import CaseReport, ReportTrigger
from responses.reports import selectors, services

FORMATS = ("json", "html", "pdf")
V1 = "/api/v1"


class _FormatIsOurs(DefaultContentNegotiation):
    """On the report `format` picks the document (the contract's name), not one of DRF's renderers."""

    # The one setting negotiation reads; DRF's own settings object cannot be copied with another value.
    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class CaseReportVersionOutput(serializers.ModelSerializer):
    class Meta:
        model = CaseReport
        fields = ["version", "created_at", "created_by", "trigger", "final"]


class CaseReportOutput(CaseReportVersionOutput):
    case_id = serializers.IntegerField()
    content = serializers.JSONField(
        help_text="The report: case, evaluation, timeline, statements, commitments, lessons, action_items, key_tasks, "
        "key_nodes, follow_ups, recovery, trends and markers."
    )
    html_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta(CaseReportVersionOutput.Meta):
        fields = ["case_id", *CaseReportVersionOutput.Meta.fields, "html_url", "pdf_url", "content"]

    def get_html_url(self, report: CaseReport) -> str:
        return report_url(report, "html")

    def get_pdf_url(self, report: CaseReport) -> str:
        return report_url(report, "pdf")


def report_url(report: CaseReport, fmt: str) -> str:
    return f"{V1}/cases/{report.case_id}/report?format={fmt}&version={report.version}"


class CaseReportActions(TenantViewSet):
    """The report's operations, mixed into the cases' viewset (they live under /cases/{id})."""

    def get_content_negotiator(self) -> BaseContentNegotiation:
        if getattr(self, "action", None) == "report":
            return _FormatIsOurs()
        return super().get_content_negotiator()

    @extend_schema(
        methods=["GET"],
        operation_id="cases_report_retrieve",
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), description="`json` (default), `html` or `pdf`."),
            OpenApiParameter("version", int, description="A stored version; the newest without it."),
        ],
        responses={
            (200, "application/json"): CaseReportOutput,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The report as a web page."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The report as A4 PDF."),
        },
        summary="The case's review report (復盤報告): the newest version (made on first request) or `version`, as "
        "JSON, HTML or PDF",
    )
    @extend_schema(
        methods=["POST"],
        operation_id="cases_report_create",
        request=None,
        responses={201: CaseReportOutput, 200: CaseReportOutput},
        summary="Generate the report again: a new version (201); once the case is reviewed, the final report (200)",
    )
    @action(detail=True, methods=["get", "post"])
    def report(self, request: Request, pk: str) -> Any:
        if request.method == "POST":
            report, created = services.report_generate(
                actor=self.principal, case_id=int(pk), trigger=ReportTrigger.REQUESTED
            )
            return Response(
                CaseReportOutput(report).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
            )
        fmt = request.query_params.get("format", "json")
        if fmt not in FORMATS:
            raise ValidationError(f"'{fmt[:40]}' is not a report format; expected json, html or pdf.", field="format")
        raw = request.query_params.get("version")
        found = (
            services.report_latest(actor=self.principal, case_id=int(pk))
            if raw is None
            else selectors.report_get(
                actor=self.principal, case_id=int(pk), version=bounded_int(raw, field="version", minimum=1)
            )
        )
        if fmt == "json":
            return Response(CaseReportOutput(found).data)
        if fmt == "html":
            return HttpResponse(found.html, content_type="text/html; charset=utf-8")
        _, pdf = services.report_pdf(actor=self.principal, case_id=found.case_id, version=found.version)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="case-{found.case_id}-report-v{found.version}.pdf"'
        return response

    @extend_schema(
        operation_id="cases_report_versions_list",
        responses=CaseReportVersionOutput(many=True),
        summary="The stored versions of the case's review report, newest first",
    )
    @action(detail=True, methods=["get"], url_path="report/versions")
    def report_versions(self, request: Request, pk: str) -> Response:
        return self.paged(selectors.report_versions(actor=self.principal, case_id=int(pk)), CaseReportVersionOutput)
