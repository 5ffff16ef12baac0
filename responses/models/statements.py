"""Crisis statements (聲明): versioned text, ordered approvals by case roles, publications per channel."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition

from responses.models.team import CaseRole


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"
    SUPERSEDED = "superseded", "Superseded"


class Channel(models.TextChoices):
    WEIBO = "weibo", "Weibo (微博)"
    WECHAT = "wechat", "WeChat official account (微信公眾號)"
    DOUYIN = "douyin", "Douyin (抖音)"
    XIAOHONGSHU = "xiaohongshu", "Xiaohongshu (小紅書)"
    WEBSITE = "website", "Company website"
    PRESS = "press", "Press release or conference"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    OTHER = "other", "Other"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


def default_approvals() -> list[str]:
    return [CaseRole.LEGAL, CaseRole.COMMANDER]


def _has_live_version(statement: models.Model) -> bool:
    """A retract condition; django-fsm types conditions as taking any model."""
    return getattr(statement, "published_version", None) is not None


_EDITABLE = [StatementStatus.DRAFT, StatementStatus.IN_REVIEW, StatementStatus.APPROVED, StatementStatus.PUBLISHED]


class Statement(models.Model):
    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="statements")
    title = models.CharField(max_length=300)
    # Only the transition methods below change it (protected), so every change goes through the lifecycle rules.
    status = FSMField(default=StatementStatus.DRAFT, choices=StatementStatus.choices, protected=True)
    current_version = models.PositiveIntegerField(default=1)
    # The version that is live on the channels; a revision in progress leaves it pointing at the old one.
    published_version = models.PositiveIntegerField(null=True, blank=True)
    required_approvals = ArrayField(
        models.CharField(max_length=16, choices=CaseRole.choices),
        default=default_approvals,
        blank=True,
        help_text="Case roles that approve each version, in order; empty means no approval is needed.",
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Approvals given before the latest submission do not count (a rejection starts the round again).
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title} (v{self.current_version})"

    @transition(
        field=status,
        source=StatementStatus.DRAFT,
        target=RETURN_VALUE(StatementStatus.IN_REVIEW, StatementStatus.APPROVED),
    )
    def submit(self) -> str:
        """Into review; with no approvals required it is approved at once."""
        return StatementStatus.IN_REVIEW if self.required_approvals else StatementStatus.APPROVED

    @transition(field=status, source=StatementStatus.IN_REVIEW, target=StatementStatus.APPROVED)
    def approve(self) -> None:
        """The last required role has approved the current version."""

    @transition(field=status, source=StatementStatus.IN_REVIEW, target=StatementStatus.DRAFT)
    def reject(self) -> None:
        """An approver sent it back."""

    @transition(field=status, source=_EDITABLE, target=StatementStatus.DRAFT)
    def revise(self) -> None:
        """A new version: earlier approvals no longer count."""

    @transition(
        field=status, source=[StatementStatus.APPROVED, StatementStatus.PUBLISHED], target=StatementStatus.PUBLISHED
    )
    def publish(self) -> None:
        """Out on (one more) channel."""

    @transition(
        field=status,
        source=[*_EDITABLE, StatementStatus.SUPERSEDED],
        target=StatementStatus.RETRACTED,
        conditions=[_has_live_version],
    )
    def retract(self) -> None:
        """Taken down everywhere."""

    @transition(field=status, source=_EDITABLE, target=StatementStatus.SUPERSEDED)
    def supersede(self) -> None:
        """Its replacement has been published."""


class StatementVersion(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    diff = models.TextField(blank=True, help_text="Unified diff of the body against the previous version.")
    author = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="statement_version_unique")]

    def __str__(self) -> str:
        return f"statement {self.statement_id} v{self.number}"


class StatementApproval(models.Model):
    """One approver's decision on one version, in the role they hold on the case."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="approvals")
    version = models.PositiveIntegerField()
    role = models.CharField(max_length=16, choices=CaseRole.choices)
    approver = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="statement_approvals"
    )
    approver_name = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=10, choices=ApprovalDecision.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.decision} statement {self.statement_id} v{self.version}"


class StatementPublication(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="publications")
    version = models.PositiveIntegerField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    url = models.CharField(max_length=2000, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.CharField(max_length=200, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "version", "channel"], name="statement_publication_unique")
        ]

    def __str__(self) -> str:
        return f"statement {self.statement_id} v{self.version} on {self.channel}"
