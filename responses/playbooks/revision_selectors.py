"""Reading playbook revisions: a case's proposals, and one with its diff against the version that ran."""

from django.db.models import QuerySet

from config.errors import NotFoundError
from responses.cases.selectors import case_get
from responses.models import PlaybookRevision
from tenants.identity.principals import Principal, check_permission


def case_playbook_revisions(*, actor: Principal, case_id: int) -> QuerySet[PlaybookRevision]:
    """The revisions a case's review proposed, oldest first."""
    case = case_get(actor=actor, case_id=case_id)
    return case.playbook_revisions.select_related("playbook").order_by("proposed_at", "id")


def playbook_revision_get(*, actor: Principal, revision_id: int) -> PlaybookRevision:
    check_permission(actor, "cases.read")
    revision = PlaybookRevision.objects.select_related("playbook").filter(pk=revision_id).first()
    if revision is None:
        raise NotFoundError(f"No playbook revision {revision_id}.", field="id")
    return revision
