"""Cheap script and language detection from Unicode ranges, plus a stopword vote for Latin-script text."""

import re
from collections import Counter
from typing import Literal

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


def detect(text: str, simplified: str) -> tuple[Script, str]:
    """(script, ISO 639-1 language or "und") of an NFC text, given its Simplified form."""
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    latin_words = _LATIN_WORD.findall(text)
    latin = sum(map(len, latin_words))
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return "none", "und"
    # Chinese posts borrow a single の now and then; Japanese text is rarely under a fifth kana.
    if kana >= 2 and kana * 5 >= han + kana:
        return "other", "ja"
    if hangul and hangul * 2 >= han + hangul:
        return "other", "ko"
    if han:
        # An English word carries about as much as two Han characters.
        if len(latin_words) >= 2 and len(latin_words) * 3 >= han:
            return "mixed", "zh"
        return ("hant" if is_traditional(text, simplified) else "hans"), "zh"
    if latin * 2 > letters:
        return "latin", _latin_language(latin_words)
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
