"""After the crisis (用戶關係維護): the people a case hurt, and what the agency does for each of them."""

from django.db import models
from django.db.models import Q

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
