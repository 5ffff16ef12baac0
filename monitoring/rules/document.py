"""A post as rules see it, and what one pass of the term automaton found in it."""

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from monitoring.rules.normalize import normalize_name, normalize_text

# Tokens repeat across posts far more than texts do, so they are worth caching.
_normalize_token = lru_cache(maxsize=65_536)(normalize_text)


@dataclass(frozen=True, slots=True)
class MatchDocument:
    text: str  # analysis text (Simplified Chinese, any case)
    tokens: list[str]  # in-order segmentation of `text`; NEAR distances count these
    platform: str
    language: str
    author_name: str = ""
    author_id: str = ""


class ScannedDocument:
    """The terms present in one normalised post, its fields in comparable form, and NEAR on demand."""

    __slots__ = (
        "_offsets",
        "_token_starts",
        "_tokens",
        "author_id",
        "author_name",
        "languages",
        "platform",
        "present",
        "text",
    )

    def __init__(self, doc: MatchDocument, text: str, present: set[int], offsets: dict[int, list[int]]) -> None:
        self.text = text
        self.present = present
        self.platform = doc.platform.lower()
        language = doc.language.lower()
        # `lang:zh` also matches zh-hant, zh-cn and the like.
        self.languages = frozenset({language, language.partition("-")[0]})
        self.author_name = normalize_name(doc.author_name)
        self.author_id = doc.author_id
        self._tokens = doc.tokens
        self._offsets = offsets
        self._token_starts: list[int] | None = None

    def near(self, left: int, right: int, distance: int) -> bool:
        """Whether a hit of term `left` and a hit of term `right` lie within `distance` tokens of each other."""
        if left not in self.present or right not in self.present:
            return False
        lefts = self._token_indices(left)
        if left == right:
            return any(b - a <= distance for a, b in pairwise(lefts))
        rights = self._token_indices(right)
        i = j = 0
        while i < len(lefts) and j < len(rights):
            gap = lefts[i] - rights[j]
            if -distance <= gap <= distance:
                return True
            if gap < 0:
                i += 1
            else:
                j += 1
        return False

    def _token_indices(self, term: int) -> list[int]:
        starts = self._token_starts
        if starts is None:
            starts = self._token_starts = self._find_token_starts()
        return [bisect_right(starts, offset) - 1 for offset in self._offsets[term]]

    def _find_token_starts(self) -> list[int]:
        """Where each token begins in the normalised text; whitespace tokens are not words and are left out."""
        starts: list[int] = []
        at = 0
        for token in self._tokens:
            normalized = _normalize_token(token)
            if not normalized:
                continue
            found = self.text.find(normalized, at)
            # A token that normalises differently inside its context is skipped rather than matched far away.
            if found < 0:
                continue
            starts.append(found)
            at = found + len(normalized)
        return starts
