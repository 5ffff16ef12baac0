"""Segmentation of Simplified text: rjieba for the running text, whole tokens for emoticons and user words."""

import re
from collections.abc import Iterable

import ahocorasick
import rjieba

from monitoring.nlp.normalize import fold, to_nfc, to_simplified

# Weibo emoticons such as [哈哈] or [doge] carry sentiment on their own and must not be cut into characters.
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,8}\]")
_NON_HAN_WORD = re.compile(r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Word characters that are neither ASCII nor Han, which jieba would emit one by one.
_OUTSIDE_JIEBA_WORDS = re.compile(r"[^\W\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A token is kept if it holds a letter, digit or pictograph; whitespace and pure punctuation are dropped.
_MEANINGFUL = re.compile(r"[^\W_]|[\u2600-\u27bf\U0001f000-\U0001faff]")


class Segmenter:
    """Cuts one tenant's text; its user words never reach the shared rjieba dictionary, so they cannot leak."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        words = {fold(to_simplified(to_nfc(word.strip()))) for word in user_words} - {""}
        self._automaton: ahocorasick.Automaton | None = None
        if words:
            automaton = ahocorasick.Automaton()
            for word in words:
                automaton.add_word(word, len(word))
            automaton.make_automaton()
            self._automaton = automaton

    def segment(self, text: str) -> list[str]:
        """Tokens of a Simplified text, lowercased."""
        folded = fold(text)
        tokens: list[str] = []
        cursor = 0
        for start, end in self._protected_spans(folded):
            tokens.extend(_cut(folded[cursor:start]))
            tokens.append(folded[start:end])
            cursor = end
        tokens.extend(_cut(folded[cursor:]))
        return tokens

    def _protected_spans(self, folded: str) -> list[tuple[int, int]]:
        candidates = [match.span() for match in _EMOTICON.finditer(folded)]
        if self._automaton is not None:
            for last, length in self._automaton.iter_long(folded):
                start, end = last + 1 - length, last + 1
                if _on_word_boundaries(folded, start, end):
                    candidates.append((start, end))
        # Leftmost first, longest first at the same start, and never overlapping.
        candidates.sort(key=lambda span: (span[0], -span[1]))
        spans: list[tuple[int, int]] = []
        for start, end in candidates:
            if not spans or start >= spans[-1][1]:
                spans.append((start, end))
        return spans


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    """A user word like "es8" must not match inside the Latin word "es80"; Han text has no such boundary."""
    before_ok = start == 0 or not (_is_latin_alnum(text[start - 1]) and _is_latin_alnum(text[start]))
    after_ok = end == len(text) or not (_is_latin_alnum(text[end - 1]) and _is_latin_alnum(text[end]))
    return before_ok and after_ok


def _is_latin_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _cut(text: str) -> list[str]:
    if not text:
        return []
    if _OUTSIDE_JIEBA_WORDS.search(text) is None:
        # str.isalnum is the C fast path for the common all-word token (`[^\W_]` matches exactly the isalnum chars).
        return [token for token in rjieba.cut(text) if token.isalnum() or _MEANINGFUL.search(token)]
    # jieba keeps only ASCII letters and digits together: glue back "caf"+"é", Hangul and kana runs, Cyrillic words.
    tokens: list[str] = []
    joinable_before = False
    for piece in rjieba.cut(text):
        joinable = _NON_HAN_WORD.fullmatch(piece) is not None
        if joinable and joinable_before:
            tokens[-1] += piece
        else:
            tokens.append(piece)
        joinable_before = joinable
    return [token for token in tokens if token.isalnum() or _MEANINGFUL.search(token)]
