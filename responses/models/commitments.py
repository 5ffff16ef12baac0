"""Commitments (承諾): what a statement promised the public (a fix, a refund programme, an investigation…), tracked as a
case task with a due time until a later published statement reports it kept, or it is missed or withdrawn."""

from django.db import models
from django_fsm import FSMField, transition


class CommitmentKind(models.TextChoices):
    FIX = "fix", "A fix"
    REFUND = "refund", "A refund programme"
    INVESTIGATION = "investigation", "An investigation"
    COMPENSATION = "compensation", "Compensation"
    POLICY_CHANGE = "policy_change", "A policy change"
    OTHER = "other", "Other"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    MISSED = "missed", "Missed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A missed promise can still be kept late (kept_at after due_at says so) or withdrawn with a reason.
_UNSETTLED = [CommitmentStatus.OPEN, CommitmentStatus.MISSED]


class Commitment(models.Model):
    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="commitments")
    statement = models.ForeignKey(
        "responses.Statement", on_delete=models.CASCADE, related_name="commitments", help_text="Made the promise."
    )
    kind = models.CharField(max_length=20, choices=CommitmentKind.choices)
    description = models.TextField()
    due_at = models.DateTimeField()
    owner = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    # The case task that tracks the work; it follows the commitment's due time, owner and outcome.
    task = models.OneToOneField(
        "responses.CaseTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitment"
    )
    # Only the transition methods change it, so every change goes through the lifecycle.
    status = FSMField(default=CommitmentStatus.OPEN, choices=CommitmentStatus.choices, protected=True)
    follow_up_statement = models.ForeignKey(
        "responses.Statement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_commitments",
        help_text="The published statement that reports the promise kept.",
    )
    kept_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["case", "status"], name="commitment_case_status"),
            models.Index(fields=["status", "due_at"], name="commitment_due"),
        ]

    def __str__(self) -> str:
        return f"commitment {self.pk} ({self.kind}) on case {self.case_id}"

    @transition(field=status, source=_UNSETTLED, target=CommitmentStatus.KEPT)
    def keep(self) -> None:
        """A published statement reports it done."""

    @transition(field=status, source=CommitmentStatus.OPEN, target=CommitmentStatus.MISSED)
    def miss(self) -> None:
        """Its due time passed while open."""

    @transition(field=status, source=_UNSETTLED, target=CommitmentStatus.WITHDRAWN)
    def withdraw(self) -> None:
        """No longer promised, for a stated reason."""
