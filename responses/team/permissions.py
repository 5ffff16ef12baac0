"""The one check of what a caller may do on a case, where a case role stands in for a tenant permission (the
commander of a case commands it even when their tenant role is viewer)."""

from collections.abc import Iterable

from config.errors import PermissionDeniedError
from responses.models import CaseMember, CaseRole, CrisisCase
from tenants.identity.principals import SYSTEM, Principal, permission_guards_check
from tenants.identity.roles import role_has_permission

ANY_MEMBER = frozenset(CaseRole.values)
COMMANDER = frozenset({CaseRole.COMMANDER})

# The actions on one case: the tenant permission that allows each on every case, and the case roles that allow it
# on their own case whatever the holder's tenant role (a viewer who commands a case steers it). Reading needs only
# cases.read, which every tenant role has. Statement approvals go by the role that is due (responses.statements).
CASE_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "assess": ("cases.work", ANY_MEMBER),
    "note": ("cases.work", ANY_MEMBER),
    "link": ("cases.work", ANY_MEMBER),
    "update": ("cases.work", COMMANDER),
    "add_task": ("cases.work", COMMANDER),
    # Besides these, whoever a task is assigned to (by person or by a case role they hold) works it.
    "work_task": ("cases.work", COMMANDER),
    "write_statement": ("cases.work", frozenset({CaseRole.COMMUNICATIONS, CaseRole.COMMANDER})),
    "steer": ("cases.command", COMMANDER),
    "staff": ("cases.command", COMMANDER),
    "activate_playbook": ("cases.command", COMMANDER),
    # Generating the review report again on request (reading it needs only cases.read).
    "report": ("cases.command", COMMANDER),
    # Affected users and their follow-ups: adding and working them; reading their contact details (and exporting
    # one person's data); erasing a person on request; approving a compensation above the threshold.
    "care": ("cases.work", frozenset({CaseRole.CUSTOMER_CARE, CaseRole.COMMANDER})),
    "read_contacts": ("contacts.read", frozenset({CaseRole.CUSTOMER_CARE, CaseRole.COMMANDER, CaseRole.LEGAL})),
    "erase_contacts": ("contacts.erase", frozenset({CaseRole.LEGAL, CaseRole.COMMANDER})),
    "approve_compensation": ("compensation.approve", COMMANDER),
}


def roles_held(case: CrisisCase, actor: Principal) -> set[str]:
    """The case roles the caller holds on this case; API keys hold none (roles belong to people)."""
    if actor.user is None:
        return set()
    return set(CaseMember.objects.filter(case=case, user=actor.user).values_list("role", flat=True))


def check_case_action(actor: Principal, case: CrisisCase, action: str, *, also_roles: Iterable[str] = ()) -> None:
    """Pass with the action's tenant permission, or holding one of its case roles (or `also_roles`) on this case."""
    permission, roles = CASE_ACTIONS[action]
    if actor is SYSTEM:
        return
    if role_has_permission(actor.role, permission):
        permission_guards_check(actor, permission)
        return
    wanted = roles | set(also_roles)
    if roles_held(case, actor) & wanted:
        permission_guards_check(actor, permission)
        return
    raise PermissionDeniedError(
        f"Role '{actor.role}' may not {permission} unless holding {' or '.join(sorted(wanted))} on case {case.pk}.",
        code="permission_denied",
    )
