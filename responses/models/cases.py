"""Crisis cases: the managed response to a crisis, its lifecycle and its append-only timeline."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django_fsm import FSMField, transition


class Scenario(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", "Product quality"
    SERVICE_FAILURE = "service_failure", "Service failure"
    DATA_LEAK = "data_leak", "Data or privacy leak"
    EXECUTIVE_MISCONDUCT = "executive_misconduct", "Executive misconduct"
    MALICIOUS_ATTACK = "malicious_attack", "Malicious attack or rumour"
    SAFETY_ACCIDENT = "safety_accident", "Safety accident"
    NATURAL_DISASTER = "natural_disaster", "Natural disaster"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    """I is the most severe, as in the warning levels (red = I)."""

    I = "I", "I (especially serious)"  # noqa: E741
    II = "II", "II (serious)"
    III = "III", "III (relatively serious)"
    IV = "IV", "IV (general)"


class CaseStatus(models.TextChoices):
    DETECTED = "detected", "Detected"
    ASSESSING = "assessing", "Assessing"
    RESPONDING = "responding", "Responding"
    RECOVERING = "recovering", "Recovering"
    RESOLVED = "resolved", "Resolved"
    REVIEWED = "reviewed", "Reviewed"


# The after-action review's lessons, each free text.
LESSON_FIELDS = ("went_well", "went_wrong", "root_cause", "notes")


class CrisisCase(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    scenario = models.CharField(max_length=24, choices=Scenario.choices, default=Scenario.OTHER)
    severity = models.CharField(max_length=3, choices=Severity.choices, default=Severity.IV)
    # Only the transition methods below change it (protected), so every change goes through the lifecycle rules.
    status = FSMField(default=CaseStatus.DETECTED, choices=CaseStatus.choices, protected=True)
    is_drill = models.BooleanField(default=False, help_text="An exercise (演練), not a real crisis.")
    opened_from_alert = models.ForeignKey(
        "monitoring.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="opened_cases"
    )
    alerts = models.ManyToManyField("monitoring.Alert", blank=True, related_name="cases")
    evidence = models.ManyToManyField("monitoring.Mention", blank=True, related_name="cases")
    brands = models.ManyToManyField("monitoring.Brand", blank=True, related_name="cases")
    topics = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    opened_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assessing_at = models.DateTimeField(null=True, blank=True)
    responding_at = models.DateTimeField(null=True, blank=True)
    recovering_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # SLA clocks: first move out of `detected`, and the first statement published on any channel.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_statement_at = models.DateTimeField(null=True, blank=True)
    # The after-action review's lessons (went_well, went_wrong, root_cause, notes), given with the review transition.
    lessons = models.JSONField(default=dict, blank=True)
    # The warning policy watching the case's scope after its resolution (responses.watch); kept once the watch ends,
    # so its recurrences stay readable and a second resolution restarts it rather than adding another.
    watch_policy = models.ForeignKey(
        "monitoring.WarningPolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="watched_cases"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "severity"], name="case_status_severity")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @transition(field=status, source=CaseStatus.DETECTED, target=CaseStatus.ASSESSING)
    def assess(self) -> None:
        """Someone has picked the case up and is judging how bad it is."""

    @transition(field=status, source=[CaseStatus.DETECTED, CaseStatus.ASSESSING], target=CaseStatus.RESPONDING)
    def respond(self) -> None:
        """The response is running: statements, replies, tasks."""

    @transition(field=status, source=CaseStatus.RESPONDING, target=CaseStatus.RECOVERING)
    def recover(self) -> None:
        """The peak has passed; reputation recovery and follow-ups."""

    @transition(
        field=status,
        source=[CaseStatus.ASSESSING, CaseStatus.RESPONDING, CaseStatus.RECOVERING],
        target=CaseStatus.RESOLVED,
    )
    def resolve(self) -> None:
        """Closed: no more response work."""

    @transition(field=status, source=CaseStatus.RESOLVED, target=CaseStatus.REVIEWED)
    def review(self) -> None:
        """The after-action review is done."""

    @transition(field=status, source=CaseStatus.RESOLVED, target=CaseStatus.RESPONDING)
    def reopen(self) -> None:
        """It flared up again."""


class CaseEvent(models.Model):
    """The case timeline: append-only, the one audit trail of everything done on a case."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"
