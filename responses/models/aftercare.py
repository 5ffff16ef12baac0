"""After the crisis (用戶關係維護): the people a case hurt, and what the agency does for each of them."""

from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from monitoring.models import Platform, Sentiment


class AffectedUserSource(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    MENTION = "mention", "From a mention's author"
    SEARCH = "search", "From a search over the case's scope"


class AffectedUser(models.Model):
    """A person a case affected (受影響用戶), once per case and platform account.

    The contact details are personal data: the `*_token` columns hold Fernet tokens (config.pii), never the text,
    and only responses.aftercare reads them, auditing each read. Erasing a person empties them, the account id and
    the evidence links, and keeps the row (platform, source, sentiment, times) for the case's statistics.
    """

    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="affected_users")
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True)
    author_external_id = models.CharField(max_length=128, blank=True, help_text="The account id on the platform.")
    source = models.CharField(max_length=10, choices=AffectedUserSource.choices, default=AffectedUserSource.MANUAL)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    evidence = models.ManyToManyField("monitoring.Mention", blank=True, related_name="affected_users")
    handle_token = models.TextField(blank=True)
    phone_token = models.TextField(blank=True)
    email_token = models.TextField(blank=True)
    order_number_token = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.CharField(max_length=200, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    erased_by = models.CharField(max_length=200, blank=True)
    # A keyed digest of the erased account (platform and id), so that imports do not bring the person back.
    erased_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "platform", "author_external_id"],
                condition=~Q(author_external_id=""),
                name="affected_user_case_account",
            )
        ]
        indexes = [models.Index(fields=["case", "erased_digest"], name="affected_user_erased")]

    def __str__(self) -> str:
        return f"affected user {self.pk} on case {self.case_id}"


class FollowUpType(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    INQUIRY = "inquiry", "Inquiry"
    APOLOGY = "apology", "Apology"
    COMPENSATION = "compensation", "Compensation"
    CALLBACK = "callback", "Callback"
    SATISFACTION_SURVEY = "satisfaction_survey", "Satisfaction survey"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class CompensationApproval(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed (at or below the threshold)"
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class FollowUp(models.Model):
    """One piece of work with one affected user: a complaint handled, an apology made, a compensation paid…"""

    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="follow_ups")
    affected_user = models.ForeignKey(AffectedUser, on_delete=models.CASCADE, related_name="follow_ups")
    type = models.CharField(max_length=20, choices=FollowUpType.choices)
    # Only the transition methods change it, so every change goes through the lifecycle.
    status = FSMField(default=FollowUpStatus.OPEN, choices=FollowUpStatus.choices, protected=True)
    owner = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    due_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True, help_text="The first reply sent.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the beat told the tenant it went past due (once per due time: a new due time or a reopen clears it).
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    compensation_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    compensation_currency = models.CharField(max_length=3, blank=True)
    compensation_approval = models.CharField(
        max_length=10, choices=CompensationApproval.choices, default=CompensationApproval.NOT_NEEDED
    )
    compensation_decided_by = models.CharField(max_length=200, blank=True)
    compensation_decided_at = models.DateTimeField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Satisfaction 1–5.")
    nps = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Likelihood to recommend 0–10.")
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["case", "status"], name="follow_up_case_status"),
            models.Index(fields=["status", "due_at"], name="follow_up_due"),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.pk} ({self.type}) on case {self.case_id}"

    @transition(field=status, source=FollowUpStatus.OPEN, target=FollowUpStatus.IN_PROGRESS)
    def start(self) -> None:
        """Someone is working on it."""

    @transition(field=status, source=[FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS], target=FollowUpStatus.RESOLVED)
    def resolve(self) -> None:
        """The person's issue is settled."""

    @transition(
        field=status,
        source=[FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS, FollowUpStatus.RESOLVED],
        target=FollowUpStatus.CLOSED,
    )
    def close(self) -> None:
        """Done with: resolved and confirmed, or nothing more to do."""

    @transition(
        field=status, source=[FollowUpStatus.RESOLVED, FollowUpStatus.CLOSED], target=FollowUpStatus.IN_PROGRESS
    )
    def reopen(self) -> None:
        """It was not settled after all."""


class FollowUpNote(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="notes")
    author = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on follow-up {self.follow_up_id}"


class ReplyChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    DIRECT_MESSAGE = "direct_message", "Private message on the platform"
    PUBLIC_REPLY = "public_reply", "Public reply under the post"
    WECHAT = "wechat", "WeChat"
    OTHER = "other", "Other"


class FollowUpReply(models.Model):
    """A reply sent to the person: the reply script it was rendered from, the channel and the time. The text holds
    the person's variables (their name, order number), so it is encrypted like their contact details."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="replies")
    script = models.ForeignKey(
        "responses.ReplyScript", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up_replies"
    )
    text_token = models.TextField()
    channel = models.CharField(max_length=20, choices=ReplyChannel.choices)
    sent_at = models.DateTimeField()
    sent_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"reply on follow-up {self.follow_up_id}"


class AftercareSettings(models.Model):
    """The tenant's follow-up settings (one row; missing values fall back to responses.aftercare.settings)."""

    sla_minutes = models.JSONField(default=dict, blank=True, help_text="Minutes to due per follow-up type.")
    compensation_approval_threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    compensation_threshold_currency = models.CharField(max_length=3, blank=True)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "aftercare settings"
