"""The one form that rule terms and documents are compared in."""

import re
import unicodedata
from functools import cache

import opencc

# Scripts written without spaces between words: terms in them match anywhere, and spaces between them carry no
# meaning, so `"质量 问题"` matches 质量问题. CJK (with kana and full-width forms), Thai, Lao, Myanmar, Khmer.
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_SPACES = re.compile(rf"(?<=[{_UNSPACED}])(?P<gap>\s+)(?=[{_UNSPACED}])|\s+")
_SPACED_WORD_CHAR = re.compile(rf"[^\W{_UNSPACED}]")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize_text(text: str) -> str:
    """NFC, Traditional to Simplified Chinese, lower case, and whitespace collapsed (dropped between CJK)."""
    composed = unicodedata.normalize("NFC", text)
    try:
        simplified = _t2s().convert(composed)
    except UnicodeEncodeError:
        # OpenCC needs UTF-8; a lone surrogate in a post must not stop ingestion.
        simplified = _t2s().convert(composed.encode("utf-8", "replace").decode("utf-8"))
    return _SPACES.sub(lambda m: "" if m.group("gap") else " ", simplified.lower()).strip()


def normalize_name(name: str) -> str:
    """Author names compare exactly but for case and Unicode composition."""
    return unicodedata.normalize("NFC", name).strip().lower()


def is_spaced_word_char(char: str) -> bool:
    """Letters and digits of scripts that separate words with spaces: the ones a Latin term must not touch."""
    return _SPACED_WORD_CHAR.match(char) is not None
