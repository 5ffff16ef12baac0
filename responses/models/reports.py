"""The review report (復盤報告) of a case: each generation a stored, numbered version that is never rewritten."""

from django.db import models

from responses.models.cases import CrisisCase


class ReportTrigger(models.TextChoices):
    REVIEWED = "reviewed", "The case was reviewed"
    REQUESTED = "requested", "Asked for"


class CaseReport(models.Model):
    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)
    trigger = models.CharField(max_length=10, choices=ReportTrigger.choices)
    content = models.JSONField(help_text="The structured report, as GET …/report?format=json answers it.")
    html = models.TextField()
    # Rendered from `html` on the first PDF download, then kept: the PDF of a version is always the same document.
    pdf = models.BinaryField(null=True, blank=True)
    final = models.BooleanField(default=False, help_text="The case was reviewed when it was generated.")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="case_report_version_unique")]

    def __str__(self) -> str:
        return f"case {self.case_id} report v{self.version}"
