"""Reads of the dead letters: what background work set aside, and how much of it is still open."""

from django.db.models import Count, QuerySet

from config.errors import ValidationError
from monitoring.models import DeadLetter, DeadLetterKind
from tenants.identity.principals import Principal, check_permission


def dead_letter_list(
    *, actor: Principal, kind: str | None = None, resolved: bool | None = None
) -> QuerySet[DeadLetter]:
    """Newest first; `resolved` False gives the open ones only."""
    check_permission(actor, "dead_letters.read")
    letters = DeadLetter.objects.order_by("-id")
    if kind:
        if kind not in DeadLetterKind.values:
            raise ValidationError(
                f"Unknown kind '{kind}'; expected one of {', '.join(DeadLetterKind.values)}.", field="kind"
            )
        letters = letters.filter(kind=kind)
    if resolved is not None:
        letters = letters.filter(resolved_at__isnull=not resolved)
    return letters


def dead_letter_counts(*, actor: Principal) -> dict[str, int]:
    """Open dead letters per kind (every kind listed, zero included)."""
    check_permission(actor, "dead_letters.read")
    found = dict(
        DeadLetter.objects.filter(resolved_at=None).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return {kind: int(found.get(kind, 0)) for kind in DeadLetterKind.values}
