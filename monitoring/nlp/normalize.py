"""Unicode and Chinese-variant normalisation: NFC for display, Simplified (OpenCC t2s) for analysis."""

import re
import unicodedata

import opencc

# The Weibo emoticon pattern the data README prescribes for stripping labels' source from weibo_senti_100k.
EMOTICON_LABEL_LEAK = re.compile(r"\[[^\[\]]{1,8}\]")

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Fullwidth forms of ASCII (U+FF01..U+FF5E) and the ideographic space.
_HALFWIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}


def to_nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def to_simplified(text: str) -> str:
    # Only CJK text can change, and most Latin posts are pure ASCII: skip the converter for those.
    return _T2S.convert(text) if _NON_ASCII.search(text) else text


def is_traditional(original: str, simplified: str) -> bool:
    """Whether the text is written in Traditional characters, given its t2s form.

    Simplified posts often carry a stray Traditional character (嗎, 時), and Traditional posts share most
    characters with Simplified ones, so the test compares how many characters each direction would change.
    """
    if original == simplified:
        return False
    to_simplified_changes = _changed_chars(original, simplified)
    to_traditional_changes = _changed_chars(original, _S2T.convert(original))
    return to_simplified_changes > to_traditional_changes


def _changed_chars(before: str, after: str) -> int:
    return sum(a != b for a, b in zip(before, after, strict=False)) + abs(len(before) - len(after))


def fold(text: str) -> str:
    """Lowercase, with fullwidth ASCII made halfwidth (Ｈｅｌｌｏ → hello), without changing the length.

    Offsets found in the folded text therefore apply to the original.
    """
    folded = text.translate(_HALFWIDTH).lower()
    if len(folded) == len(text):
        return folded
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text.translate(_HALFWIDTH))
