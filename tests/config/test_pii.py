"""Personal data at rest: Fernet tokens under VIGIL_PII_KEY, readable through a key rotation."""

import pytest

from config.keys import generate_pii_key
from config.pii import pii_decrypt, pii_encrypt, pii_rotate


def test_a_token_hides_the_text_and_opens_with_the_key(settings):
    settings.PII_KEYS = [generate_pii_key()]

    token = pii_encrypt("13800138000")

    assert "13800138000" not in token and token.startswith("gAAAAA")
    assert pii_decrypt(token) == "13800138000"
    assert pii_encrypt("") == "" and pii_decrypt("") == ""


def test_rotation_reads_old_tokens_and_rewrites_them_under_the_new_key(settings):
    old, new = generate_pii_key(), generate_pii_key()
    settings.PII_KEYS = [old]
    token = pii_encrypt("王女士")

    settings.PII_KEYS = [new, old]
    rotated = pii_rotate(token)
    settings.PII_KEYS = [new]

    assert pii_decrypt(rotated) == "王女士"
    with pytest.raises(RuntimeError, match="no longer lists"):
        pii_decrypt(token)
