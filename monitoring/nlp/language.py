"""Cheap script and language detection from Unicode ranges, plus a stopword vote for Latin-script text."""

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from monitoring.nlp.normalize import is_traditional

Script = Literal["hans", "hant", "latin", "mixed", "other", "none"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f']+")
_LETTER = re.compile(r"[^\W\d_]")

# Words frequent in one language and rare in the others; a tie between languages means "und".
_STOPWORD_LISTS = {
    "en": "the and is are was were this that with have has you i my it's not for of to be but they what just so we "
    "your don't can't it will would there their been from about all very really",
    "fr": "le la les et est une des du je pas qui pour dans sur avec c'est très mais vous nous il elle",
    "de": "der die das und ist nicht ich ein eine zu mit auf für sich auch wir sie es den dem",
    "es": "el los las y está una por para con pero muy es del al lo como más yo",
    "pt": "o os não uma com para mas muito você é está isso do da em",
    "it": "il lo gli è non che una per con ma sono questo della molto",
    "nl": "de het een en niet ik je van dat met voor op zijn",
    "id": "yang dan di ini itu tidak dengan untuk saya aku ada juga",
}
_STOPWORDS = {language: frozenset(words.split()) for language, words in _STOPWORD_LISTS.items()}


# Bit flags of what each character is, for counting a whole batch at once.
_HAN_BIT, _KANA_BIT, _HANGUL_BIT, _LATIN_BIT, _LETTER_BIT = 1, 2, 4, 8, 16
_CLASSES = (
    (_HAN, _HAN_BIT),
    (_KANA, _KANA_BIT),
    (_HANGUL, _HANGUL_BIT),
    (re.compile(r"[A-Za-z\u00c0-\u024f']"), _LATIN_BIT),
    (_LETTER, _LETTER_BIT),
)


def _flags(codepoints: np.ndarray) -> np.ndarray:
    """Each character's flags, decided by the very patterns above (each matches one character): a pattern's matches
    become NUL in one substitution, and a NUL that was not one before is a match."""
    chars = "".join(map(chr, codepoints.tolist()))
    flags = np.zeros(len(codepoints), dtype=np.uint8)
    for pattern, bit in _CLASSES:
        replaced = np.frombuffer(pattern.sub("\0", chars).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        flags[(replaced == 0) & (codepoints != 0)] |= bit
    return flags


_BMP_FLAGS = _flags(np.arange(0x10000, dtype=np.uint32))


def detect_batch(texts: Sequence[str], simplified: Sequence[str]) -> list[tuple[Script, str]]:
    """(script, ISO 639-1 language or "und") of each NFC text, given its Simplified form. The characters of the
    whole batch are classified and counted in one numpy pass: a regex count per text and class cost more than
    segmentation."""
    codepoints = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = np.empty(len(codepoints), dtype=np.uint8)
    basic = codepoints < 0x10000
    flags[basic] = _BMP_FLAGS[codepoints[basic]]
    astral = np.flatnonzero(~basic)
    if len(astral):
        unique, inverse = np.unique(codepoints[astral], return_inverse=True)
        flags[astral] = _flags(unique)[inverse]
    doc = np.repeat(np.arange(len(texts)), np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))

    def per_text(mask: np.ndarray) -> list[int]:
        return np.bincount(doc[mask], minlength=len(texts)).tolist()

    han, kana, hangul, latin, letters = (
        per_text((flags & bit) != 0) for bit in (_HAN_BIT, _KANA_BIT, _HANGUL_BIT, _LATIN_BIT, _LETTER_BIT)
    )
    in_word = (flags & _LATIN_BIT) != 0
    word_starts = in_word.copy()
    word_starts[1:] &= ~(in_word[:-1] & (doc[1:] == doc[:-1]))
    words = per_text(word_starts)
    return [
        _decide(text, simple, han[i], kana[i], hangul[i], latin[i], letters[i], words[i])
        for i, (text, simple) in enumerate(zip(texts, simplified, strict=True))
    ]


def _decide(
    text: str, simplified: str, han: int, kana: int, hangul: int, latin: int, letters: int, latin_words: int
) -> tuple[Script, str]:
    if letters == 0:
        return "none", "und"
    # Chinese posts borrow a single の now and then; Japanese text is rarely under a fifth kana.
    if kana >= 2 and kana * 5 >= han + kana:
        return "other", "ja"
    if hangul and hangul * 2 >= han + hangul:
        return "other", "ko"
    if han:
        # An English word carries about as much as two Han characters.
        if latin_words >= 2 and latin_words * 3 >= han:
            return "mixed", "zh"
        return ("hant" if is_traditional(text, simplified) else "hans"), "zh"
    if latin * 2 > letters:
        return "latin", _latin_language(_LATIN_WORD.findall(text))
    return "other", "und"


def _latin_language(words: list[str]) -> str:
    votes: Counter[str] = Counter()
    for word in words:
        lowered = word.lower()
        for language, stopwords in _STOPWORDS.items():
            if lowered in stopwords:
                votes[language] += 1
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return "und"
    return ranked[0][0]
