"""The plan's monthly mentions quota at ingest (tenants.billing.quotas): in the batch's transaction, the new mentions
that fit are stored and counted once, the ones beyond are rejected per item with `quota_exceeded`.

Only new mentions use the quota: updates of stored ones and unchanged re-sends always go through."""

from dataclasses import dataclass

from monitoring.ingest.payload import ItemError
from monitoring.ingest.validation import MentionInput
from tenants.billing.quotas import MentionsAdmission, mentions_admit, mentions_count

QUOTA_FIELD = "quota_exceeded"


@dataclass(frozen=True)
class Admitted:
    keep: list[bool]
    errors: list[ItemError]
    admission: MentionsAdmission


def admit(changed: list[MentionInput], known: set[tuple[str, str]]) -> Admitted:
    """Which of `changed` the batch stores: all updates, and new mentions in batch order while the quota lasts."""
    new = [(m.platform, m.external_id) not in known for m in changed]
    admission = mentions_admit(sum(new))
    keep: list[bool] = []
    errors: list[ItemError] = []
    places = admission.admitted
    for mention, is_new in zip(changed, new, strict=True):
        if is_new and places <= 0:
            keep.append(False)
            errors.append(ItemError(mention.index, QUOTA_FIELD, admission.rejection()))
            continue
        places -= is_new
        keep.append(True)
    return Admitted(keep=keep, errors=errors, admission=admission)


def count(admitted: Admitted, stored: int) -> None:
    """The batch's newly stored mentions into today's usage (one upsert), and the quota notices due."""
    mentions_count(admitted.admission, stored)
