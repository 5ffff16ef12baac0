"""Generating a case's review report (復盤報告): a new numbered version on each generation until the case is
reviewed; the one generated at the review is final, and every later request answers it instead of a new one."""

from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from config.lookups import locked_or_404
from responses.cases.selectors import case_get
from responses.cases.timeline import timeline_add
from responses.models import CaseReport, CaseStatus, CrisisCase, ReportTrigger
from responses.reports import charts
from responses.reports.content import report_content
from responses.reports.selectors import report_get
from responses.team.permissions import check_case_action
from tenants.identity.principals import Principal


@transaction.atomic
def report_generate(*, actor: Principal, case_id: int, trigger: str) -> tuple[CaseReport, bool]:
    """A new version of the case's report, and True; or the final one, and False, once the case has been reviewed.
    Asking for one (`requested`) needs the `report` case action; the review transition generates its own."""
    case_get(actor=actor, case_id=case_id)
    case = locked_or_404(CrisisCase, case_id, "case")
    if trigger == ReportTrigger.REQUESTED:
        check_case_action(actor, case, "report")
    final = case.reports.filter(final=True).first()
    if final is not None:
        return final, False
    return _generate(actor, case, trigger, timezone.now()), True


@transaction.atomic
def report_latest(*, actor: Principal, case_id: int) -> CaseReport:
    """The newest version; a case without one gets its first, made for whoever reads it first."""
    latest = case_get(actor=actor, case_id=case_id).reports.order_by("-version").first()
    if latest is not None:
        return latest
    # Locked only to make the first one, so two first readers do not both number theirs 1.
    case = locked_or_404(CrisisCase, case_id, "case")
    latest = case.reports.order_by("-version").first()
    return latest or _generate(actor, case, ReportTrigger.REQUESTED, timezone.now())


def report_pdf(*, actor: Principal, case_id: int, version: int | None = None) -> tuple[CaseReport, bytes]:
    """The version's PDF, rendered from its HTML the first time it is asked for and kept from then on."""
    report = (
        report_latest(actor=actor, case_id=case_id)
        if version is None
        else report_get(actor=actor, case_id=case_id, version=version)
    )
    if report.pdf is None:
        # Imported here: loading WeasyPrint parses its stylesheets, too slow for every process that loads the cases.
        import weasyprint

        # Only an empty slot is filled: a PDF once stored is the version's PDF for good.
        CaseReport.objects.filter(pk=report.pk, pdf__isnull=True).update(
            pdf=weasyprint.HTML(string=report.html).write_pdf()
        )
    stored = CaseReport.objects.values_list("pdf", flat=True).get(pk=report.pk)
    assert stored is not None, "filled above"
    return report, bytes(stored)


def _generate(actor: Principal, case: CrisisCase, trigger: str, now: datetime) -> CaseReport:
    content = report_content(actor, case, now)
    version = (case.reports.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    final = case.status == CaseStatus.REVIEWED
    html = render_to_string(
        "responses/report.html",
        {
            **content,
            "version": version,
            "trigger": trigger,
            "final": final,
            "generated_at": now.isoformat(),
            "charts": {
                "volume": charts.volume_chart(content["trends"]["series"], content["markers"]),
                "score": charts.score_chart(content["evaluation"]["components"]),
                "funnel": charts.funnel_chart(content["follow_ups"]["funnel"]),
                # Without a spread to rank there is nothing to draw; the table says so.
                "key_nodes": charts.key_nodes_chart(content["key_nodes"]) if content["key_nodes"] else None,
            },
        },
    )
    report = CaseReport.objects.create(
        case=case, version=version, created_by=actor.name, trigger=trigger, content=content, html=html, final=final
    )
    timeline_add(
        case,
        "report_generated",
        actor,
        f"Review report v{version} generated" + (" (final)" if final else ""),
        version=version,
        trigger=trigger,
        final=final,
    )
    return report
