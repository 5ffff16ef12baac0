"""Archiving instead of deleting: alerts, cases, deliveries and mentions keep pointing at what they were made from.

An archived item is still read by id; it stops acting (no matching, evaluation, delivery or activation), lists
leave it out unless asked for, and it cannot be edited until restored. Names are unique among live items only,
so a name is free again once its owner is archived.
"""

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from config.audit import audit
from config.errors import ConflictError
from config.lookups import locked_or_404


class Archivable(models.Model):
    name: str  # every archivable model has a name, unique among its live rows
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


A = TypeVar("A", bound=Archivable)


def live_name_unique(prefix: str) -> models.UniqueConstraint:
    """The name is unique among items that are not archived."""
    return models.UniqueConstraint(fields=["name"], condition=Q(archived_at__isnull=True), name=f"{prefix}_live_name")


def archived_filter(queryset: QuerySet[A], include_archived: bool) -> QuerySet[A]:
    return queryset if include_archived else queryset.filter(archived_at__isnull=True)


def refuse_archived(item: Archivable, label: str, *, field: str = "id") -> None:
    if item.archived_at is not None:
        raise ConflictError(
            f"{label.capitalize()} {item.pk} is archived; restore it first.", field=field, code="archived"
        )


def _audit_action(label: str, verb: str) -> str:
    # "warning policy" → "policy.archived", "notification channel" → "channel.archived", as the log names them.
    return f"{label.split()[-1]}.{verb}"


def archive(model: type[A], pk: int, label: str, *, actor: Any) -> tuple[A, bool]:
    """Archive the row (locked) and log it; returns it and whether this call archived it (False: it already was)."""
    item = locked_or_404(model, pk, label)
    if item.archived_at is not None:
        return item, False
    item.archived_at, item.archived_by = timezone.now(), actor.name
    # A full save also moves updated_at, which is how caches of live items (the matcher) notice.
    item.save()
    audit(actor=actor, action=_audit_action(label, "archived"), target=item, details={"name": item.name})
    return item, True


def restore(model: type[A], pk: int, label: str, *, actor: Any) -> tuple[A, bool]:
    """Bring an archived row back; a 409 on `name` when a live item took its name meanwhile."""
    item = locked_or_404(model, pk, label)
    if item.archived_at is None:
        return item, False
    name = item.name
    if model._default_manager.filter(name=name, archived_at__isnull=True).exclude(pk=item.pk).exists():
        raise ConflictError(f"A live {label} named '{name}' exists; rename one of them before restoring.", field="name")
    item.archived_at, item.archived_by = None, ""
    item.save()
    audit(actor=actor, action=_audit_action(label, "restored"), target=item, details={"name": name})
    return item, True
