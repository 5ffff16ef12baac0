"""The security audit log as config sees it: one call, `audit(...)`; the audit app supplies the recorder.

config sits below every app and imports none, so its helpers (config.archive archiving a rule, a playbook…)
record through here:

    audit(actor=actor, action="rule.archived", target=rule)

The entry goes to the current tenant's log inside the caller's transaction; see tenants.audit.services.audit_record
for the arguments.
"""

from collections.abc import Callable
from typing import Any

_recorder: Callable[..., Any] | None = None


def recorder_register(recorder: Callable[..., Any]) -> None:
    global _recorder
    _recorder = recorder


def audit(**entry: Any) -> None:
    if _recorder is None:
        raise RuntimeError("no audit recorder registered (the audit app registers it when Django starts)")
    _recorder(**entry)
