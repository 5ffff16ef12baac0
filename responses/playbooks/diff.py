"""What changed between two playbook contents: per section the items added, removed and changed (matched by the
key that identifies an item across versions), and a unified diff of the pretty-printed JSON for people to read."""

import difflib
import json
from collections.abc import Callable
from typing import Any

from responses.models import PlaybookRevision
from responses.playbooks.content import SECTIONS, Content


def content_diff(old: Content, new: Content, *, old_label: str, new_label: str) -> dict[str, Any]:
    """Per section the items added, removed and changed (with each changed field's old and new value), matched by
    title or name; plus a unified diff of the pretty-printed JSON."""
    sections = {
        name: _section_diff(old.get(name, []), new.get(name, []), key_of) for name, (_r, key_of, _f) in SECTIONS.items()
    }
    text = "\n".join(
        difflib.unified_diff(_pretty(old), _pretty(new), fromfile=old_label, tofile=new_label, lineterm="")
    )
    return {"sections": sections, "text": text}


def _section_diff(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key_of: Callable[[dict[str, Any]], str]
) -> dict[str, list[Any]]:
    before = {key_of(item): item for item in old}
    after = {key_of(item): item for item in new}
    changed = []
    for key, item in after.items():
        fields = {
            name: {"old": before[key].get(name), "new": value}
            for name, value in item.items()
            if key in before and before[key].get(name) != value
        }
        if fields:
            changed.append({"key": key, "fields": fields})
    return {
        "added": [item for key, item in after.items() if key not in before],
        "removed": [item for key, item in before.items() if key not in after],
        "changed": changed,
    }


def _pretty(content: Content) -> list[str]:
    # Sorted keys: PostgreSQL's jsonb does not keep the order fields were written in.
    return json.dumps(content, indent=2, ensure_ascii=False, sort_keys=True).splitlines()


def revision_diff(revision: PlaybookRevision) -> dict[str, Any]:
    """A proposed revision against the version that ran on its case. Read from `playbook.versions.all()`, so a list
    that prefetches `playbook__versions` diffs every revision without a query each."""
    base = next(v for v in revision.playbook.versions.all() if v.number == revision.base_version)
    return content_diff(
        base.content, revision.content, old_label=f"v{revision.base_version}", new_label=f"revision {revision.pk}"
    )
