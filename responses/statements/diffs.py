"""What changed between two versions of a statement's body, as a unified diff."""

import difflib


def body_diff(before: str, after: str, *, from_label: str, to_label: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), fromfile=from_label, tofile=to_label, lineterm=""
    )
    return "\n".join(lines)
