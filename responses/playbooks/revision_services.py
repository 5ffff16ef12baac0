"""Playbook revisions (預案修訂): a case's review proposes changes to the playbooks that ran on it, each as whole
content against the version that ran; an admin applies one (it becomes the playbook's next version) or rejects it
with a reason.

Applying refuses (409 `playbook_moved_on`) when the playbook got a newer version after the one that ran: the
proposal is whole content, so applying it over a later edit would silently undo that edit. The admin rejects it
and the case's team proposes again against what is current.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import ConflictError, ErrorList, NotFoundError
from config.jsonsafe import INT_MAX
from config.lookups import locked_or_404
from config.validation import required_text
from responses.cases.timeline import timeline_add
from responses.models import (
    CaseStatus,
    CrisisCase,
    Playbook,
    PlaybookActivation,
    PlaybookRevision,
    PlaybookVersion,
    RevisionStatus,
)
from responses.playbooks.content import Content, normalise_content
from responses.playbooks.services import playbook_update
from responses.team.permissions import check_case_action
from tenants.identity.principals import Principal, check_permission

# A review is held once the case is resolved; proposals may follow it while the lessons sink in.
PROPOSING_STATUSES = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)
PROPOSAL_FIELDS = ("playbook", "content", "rationale")
MAX_RATIONALE = 5000
MAX_REASON = 2000
MAX_PROPOSALS = 20


@dataclass(frozen=True)
class Proposal:
    activation: PlaybookActivation
    content: Content
    rationale: str


def _activation(errors: ErrorList, case: CrisisCase, playbook_id: Any, field: str) -> PlaybookActivation | None:
    if not isinstance(playbook_id, int) or isinstance(playbook_id, bool) or not 0 < playbook_id <= INT_MAX:
        errors.add(field, "A playbook id.")
        return None
    activation = case.playbook_activations.select_related("playbook").filter(playbook_id=playbook_id).first()
    if activation is None:
        errors.add(field, f"Playbook {playbook_id} did not run on case {case.pk}; only playbooks it ran are revised.")
    return activation


def _proposal(errors: ErrorList, case: CrisisCase, entry: Any, prefix: str) -> Proposal | None:
    """One proposal checked, with its problems under `<prefix><field>`."""
    if not isinstance(entry, dict):
        errors.add(prefix.rstrip("."), f"An object with {', '.join(PROPOSAL_FIELDS)}.")
        return None
    for key in sorted(str(k)[:40] for k in set(entry) - set(PROPOSAL_FIELDS)):
        errors.add(f"{prefix}{key}", f"Unknown field; expected {', '.join(PROPOSAL_FIELDS)}.")
    activation = _activation(errors, case, entry.get("playbook"), f"{prefix}playbook")
    before = len(errors.items)
    content = normalise_content(errors, entry.get("content"), field=f"{prefix}content")
    rationale = entry.get("rationale", "")
    if not isinstance(rationale, str):
        errors.add(f"{prefix}rationale", "Must be text.")
        rationale = ""
    rationale = required_text(errors, rationale, field=f"{prefix}rationale", label="Rationale", limit=MAX_RATIONALE)
    if activation is None or len(errors.items) > before:
        return None
    ran = PlaybookVersion.objects.get(playbook=activation.playbook, number=activation.version)
    if content == ran.content:
        errors.add(f"{prefix}content", f"Same as v{ran.number}, the version that ran; nothing to revise.")
        return None
    return Proposal(activation=activation, content=content, rationale=rationale)


def proposals_check(errors: ErrorList, case: CrisisCase, entries: Any, *, field: str) -> list[Proposal]:
    """The review's proposals, each checked; problems go to `errors` as `<field>.<n>.<field>`."""
    if entries is None:
        return []
    if not isinstance(entries, list) or len(entries) > MAX_PROPOSALS:
        errors.add(field, f"A list of at most {MAX_PROPOSALS} proposals.")
        return []
    found = [_proposal(errors, case, entry, f"{field}.{n}.") for n, entry in enumerate(entries)]
    return [proposal for proposal in found if proposal is not None]


def proposal_record(*, actor: Principal, case: CrisisCase, proposal: Proposal) -> PlaybookRevision:
    """Store a checked proposal and timeline it; the caller holds the case and has checked the actor."""
    playbook = proposal.activation.playbook
    revision = PlaybookRevision.objects.create(
        case=case,
        playbook=playbook,
        base_version=proposal.activation.version,
        content=proposal.content,
        rationale=proposal.rationale,
        proposed_by=actor.name,
    )
    timeline_add(
        case,
        "playbook_revision_proposed",
        actor,
        f"Proposed a revision of playbook '{playbook.name}' v{revision.base_version}: {revision.rationale[:200]}",
        revision_id=revision.pk,
        playbook_id=playbook.pk,
        base_version=revision.base_version,
    )
    return revision


@transaction.atomic
def playbook_revision_propose(
    *, actor: Principal, case_id: int, playbook: Any, content: Any, rationale: Any
) -> PlaybookRevision:
    """Propose a revision of a playbook that ran on the case, at or after its review (who steers the case)."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "steer")
    if case.status not in PROPOSING_STATUSES:
        raise ConflictError(
            f"Case {case.pk} is {case.status}; playbook revisions are proposed at its review, once it is resolved.",
            field="id",
            code="case_not_resolved",
        )
    errors = ErrorList()
    proposal = _proposal(errors, case, {"playbook": playbook, "content": content, "rationale": rationale}, "")
    errors.raise_if_any()
    assert proposal is not None
    return proposal_record(actor=actor, case=case, proposal=proposal)


def _undecided(revision_id: int) -> PlaybookRevision:
    revision = PlaybookRevision.objects.select_for_update().select_related("playbook").filter(pk=revision_id).first()
    if revision is None:
        raise NotFoundError(f"No playbook revision {revision_id}.", field="id")
    if revision.status != RevisionStatus.PROPOSED:
        raise ConflictError(
            f"Playbook revision {revision.pk} is already {revision.status}.", field="id", code="already_decided"
        )
    return revision


def _decide(revision: PlaybookRevision, actor: Principal, status: str) -> None:
    revision.status = status
    revision.decided_by = actor.name
    revision.decided_at = timezone.now()


@transaction.atomic
def playbook_revision_apply(*, actor: Principal, revision_id: int) -> PlaybookRevision:
    """Make the proposed content the playbook's next version (admins); cases that ran the old one keep it."""
    check_permission(actor, "playbooks.manage")
    revision = _undecided(revision_id)
    playbook = locked_or_404(Playbook, revision.playbook_id, "playbook")
    if playbook.current_version != revision.base_version:
        raise ConflictError(
            f"Playbook '{playbook.name}' is at v{playbook.current_version}, past v{revision.base_version} that this "
            "revision was proposed against; reject it and propose again against the current version.",
            field="id",
            code="playbook_moved_on",
        )
    case = CrisisCase.objects.get(pk=revision.case_id)
    updated = playbook_update(
        actor=actor,
        playbook_id=playbook.pk,
        content=revision.content,
        change_note=f"Revision {revision.pk} from the review of case #{case.pk}: {revision.rationale}"[:500],
    )
    _decide(revision, actor, RevisionStatus.APPLIED)
    revision.applied_version = updated.current_version
    revision.save()
    timeline_add(
        case,
        "playbook_revised",
        actor,
        f"Playbook '{updated.name}' v{updated.current_version} made from revision {revision.pk} "
        f"(proposed against v{revision.base_version})",
        revision_id=revision.pk,
        playbook_id=updated.pk,
        playbook_name=updated.name,
        base_version=revision.base_version,
        version=updated.current_version,
    )
    return revision


@transaction.atomic
def playbook_revision_reject(*, actor: Principal, revision_id: int, reason: str) -> PlaybookRevision:
    """Turn a proposal down with a reason (admins); the playbook stays as it is."""
    check_permission(actor, "playbooks.manage")
    errors = ErrorList()
    reason = required_text(errors, reason, field="reason", label="Reason", limit=MAX_REASON)
    errors.raise_if_any()
    revision = _undecided(revision_id)
    _decide(revision, actor, RevisionStatus.REJECTED)
    revision.reason = reason
    revision.save()
    timeline_add(
        CrisisCase.objects.get(pk=revision.case_id),
        "playbook_revision_rejected",
        actor,
        f"Revision {revision.pk} of playbook '{revision.playbook.name}' rejected: {reason[:200]}",
        revision_id=revision.pk,
        playbook_id=revision.playbook_id,
        reason=reason,
    )
    return revision
