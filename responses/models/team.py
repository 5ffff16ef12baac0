"""The case team: case roles, held per case on top of the tenant role."""

from django.db import models

from responses.models.cases import CrisisCase


class CaseRole(models.TextChoices):
    """Who does what on one case; held per case, on top of the tenant role."""

    COMMANDER = "commander", "Commander (決策)"
    MONITORING = "monitoring", "Monitoring (監測)"
    ANALYSIS = "analysis", "Analysis (研判)"
    COMMUNICATIONS = "communications", "Communications (發布)"
    RESOURCES = "resources", "Resources (資源調配)"
    LEGAL = "legal", "Legal (法務)"
    CUSTOMER_CARE = "customer_care", "Customer care (客服)"


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
