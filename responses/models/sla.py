"""SLA targets per severity and the breaches cases have recorded."""

from django.db import models

from responses.models.cases import CrisisCase, Severity


class SlaKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Time to acknowledge"
    FIRST_STATEMENT = "first_statement", "Time to first statement"
    RESOLVE = "resolve", "Time to resolve"


class SlaPolicy(models.Model):
    """Response-time targets for one severity; severities without a row use the defaults in responses.sla.selectors."""

    severity = models.CharField(max_length=3, choices=Severity.choices, unique=True)
    acknowledge_minutes = models.PositiveIntegerField()
    first_statement_minutes = models.PositiveIntegerField()
    resolve_minutes = models.PositiveIntegerField()
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["severity"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return f"SLA {self.severity}"


class SlaBreach(models.Model):
    """A target a case missed; recorded (and notified) once per case and kind."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="sla_breaches")
    kind = models.CharField(max_length=16, choices=SlaKind.choices)
    due_at = models.DateTimeField()
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["detected_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="sla_breach_once")]

    def __str__(self) -> str:
        return f"{self.kind} breached on case {self.case_id}"
