"""The scopes analytics read: the tenant, a brand, a rule, a hot topic, or a case (whose mentions the responses app
supplies, since monitoring knows nothing of cases)."""

import re

from config.errors import NotFoundError, ValidationError
from config.jsonsafe import INT_MAX
from monitoring.models import Brand, MonitoringRule, Topic

SCOPE_KINDS = ("tenant", "brand", "rule", "topic", "case")
_SCOPE = re.compile(r"(brand|rule|topic|case):([0-9]{1,19})")


def parse_scope(raw: str) -> tuple[str, int | None]:
    """`tenant`, `brand:<id>`, `rule:<id>`, `topic:<id>` or `case:<id>` as (kind, id)."""
    if raw == "tenant":
        return "tenant", None
    match = _SCOPE.fullmatch(raw)
    if match is None or not 0 < int(match.group(2)) <= INT_MAX:
        raise ValidationError(
            f"'{raw[:100]}' is not a scope; expected tenant, brand:<id>, rule:<id>, topic:<id> or case:<id>.",
            field="scope",
        )
    return match.group(1), int(match.group(2))


def checked_scope(raw: str, *, case_given: bool) -> tuple[str, int | None]:
    """The parsed scope, its brand or rule found (archived ones too: they are read by id), and a case scope only
    with the case's mentions given by the caller."""
    kind, scope_id = parse_scope(raw)
    if kind == "case" and not case_given:
        raise ValidationError("A case scope needs the case's mentions.", field="scope")
    if kind != "case" and case_given:
        raise ValueError("case mentions are for a case scope only")
    if kind in ("brand", "rule", "topic") and scope_id is not None:
        found = {
            "brand": Brand.objects.filter(pk=scope_id).exists,
            "rule": MonitoringRule.objects.filter(pk=scope_id).exists,
            "topic": Topic.objects.filter(pk=scope_id).exists,
        }[kind]
        if not found():
            raise NotFoundError(f"No {kind} {scope_id}.", field="scope")
    return kind, scope_id
