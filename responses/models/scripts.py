"""Reply scripts (話術): approved reply templates per scenario and language."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from responses.models.cases import Scenario


class ScriptLanguage(models.TextChoices):
    ZH_HANS = "zh-Hans", "Simplified Chinese"
    ZH_HANT = "zh-Hant", "Traditional Chinese"
    EN = "en", "English"


class ScriptApproval(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class ReplyScript(models.Model):
    """A reply template (話術) with {variables}, for answering affected users consistently."""

    # One name, one script per language: the zh-Hans, zh-Hant and en variants of the same reply share it.
    name = models.CharField(max_length=200)
    body = models.TextField(help_text="Text with {variable} placeholders, e.g. {customer_name}, {order_id}.")
    scenarios = ArrayField(models.CharField(max_length=24, choices=Scenario.choices), default=list, blank=True)
    tone = models.CharField(max_length=40, blank=True, help_text="e.g. apologetic, factual, reassuring")
    language = models.CharField(max_length=8, choices=ScriptLanguage.choices, default=ScriptLanguage.ZH_HANS)
    approval = models.CharField(max_length=10, choices=ScriptApproval.choices, default=ScriptApproval.DRAFT)
    approved_by = models.CharField(max_length=200, blank=True)
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="reply_script_name_language")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
