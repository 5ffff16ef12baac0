"""Playbooks (預案): versioned response templates per scenario and severity, and their activations on cases."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from config.archive import Archivable, live_name_unique
from responses.models.cases import Scenario, Severity


class Playbook(Archivable):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scenario = models.CharField(max_length=24, choices=Scenario.choices)
    # Empty means the playbook fits any severity of its scenario.
    severities = ArrayField(models.CharField(max_length=3, choices=Severity.choices), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    current_version = models.PositiveIntegerField(default=1)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["scenario", "is_active"], name="playbook_scenario_active")]
        constraints = [live_name_unique("playbook")]

    def __str__(self) -> str:
        return self.name


class PlaybookVersion(models.Model):
    """One immutable revision of a playbook's content; editing the content adds a new one."""

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    change_note = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["playbook", "number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique")]

    def __str__(self) -> str:
        return f"{self.playbook_id} v{self.number}"


class PlaybookActivation(models.Model):
    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="playbook_activations")
    # PROTECT: the case's record of what it ran must outlive edits; playbooks are archived, never deleted.
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="activations")
    version = models.PositiveIntegerField()
    activated_by = models.CharField(max_length=200, blank=True)
    activated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activated_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "playbook"], name="playbook_activation_unique")]

    def __str__(self) -> str:
        return f"{self.playbook_id} v{self.version} on case {self.case_id}"


class RevisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


class PlaybookRevision(models.Model):
    """A change to a playbook proposed by a case's review, as whole content against the version that ran on the
    case; an admin applies it (it becomes the playbook's next version) or rejects it with a reason."""

    case = models.ForeignKey("responses.CrisisCase", on_delete=models.CASCADE, related_name="playbook_revisions")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="revisions")
    # The version that ran on the case (its activation's), which the proposal was written against.
    base_version = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    rationale = models.TextField()
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PROPOSED)
    reason = models.TextField(blank=True)
    applied_version = models.PositiveIntegerField(null=True, blank=True)
    proposed_by = models.CharField(max_length=200, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        indexes = [models.Index(fields=["playbook", "status"], name="playbook_revision_status")]

    def __str__(self) -> str:
        return f"revision of {self.playbook_id} v{self.base_version} from case {self.case_id}"
