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


class CaseRole(models.TextChoices):
    """Who does what on one case; held per case, on top of the tenant role."""

    COMMANDER = "commander", "Commander (決策)"
    MONITORING = "monitoring", "Monitoring (監測)"
    ANALYSIS = "analysis", "Analysis (研判)"
    COMMUNICATIONS = "communications", "Communications (發布)"
    RESOURCES = "resources", "Resources (資源調配)"
    LEGAL = "legal", "Legal (法務)"
    CUSTOMER_CARE = "customer_care", "Customer care (客服)"


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


class CaseMember(models.Model):
    """A user holding a case role on one case; one user may hold several roles."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="case_roles")
    role = models.CharField(max_length=16, choices=CaseRole.choices)
    assigned_by = models.CharField(max_length=200, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user", "role"], name="case_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role} on case {self.case_id}"


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


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class CaseTask(models.Model):
    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # A task may go to a role instead of (or as well as) a person: whoever holds it on the case sees it.
    assignee_role = models.CharField(max_length=16, choices=CaseRole.choices, blank=True)
    checklist = models.JSONField(default=list, blank=True, help_text="[{item, done}]")
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.CharField(max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


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


class SlaKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Time to acknowledge"
    FIRST_STATEMENT = "first_statement", "Time to first statement"
    RESOLVE = "resolve", "Time to resolve"


class SlaPolicy(models.Model):
    """Response-time targets for one severity; severities without a row use the defaults in responses.sla."""

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


from responses.playbook_models import *  # noqa: E402, F403
from responses.statement_models import *  # noqa: E402, F403
