"""Test settings: random keys per test process (there is no usable default key anywhere), a fast password hasher,
and limits high enough that only the tests about them meet them (they lower them with the `settings` fixture)."""

import os
import secrets

from config.keys import generate_pii_key, generate_secret

os.environ.setdefault("DJANGO_SECRET_KEY", generate_secret())
os.environ.setdefault("VIGIL_JWT_KEYS", f"test:{generate_secret()}")
os.environ.setdefault("VIGIL_PII_KEY", generate_pii_key())
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", f"whsec_{secrets.token_hex(16)}")
os.environ.setdefault("VIGIL_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("VIGIL_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "1000000")
os.environ.setdefault("VIGIL_LOGIN_MAX_FAILURES", "1000000")
os.environ.setdefault("VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS", "1000000")
os.environ.setdefault("VIGIL_ACCOUNT_MAX_REQUESTS_PER_ADDRESS", "1000000")
os.environ.setdefault("VIGIL_ACCOUNT_MAX_REQUESTS_PER_EMAIL", "1000000")
# The default plans' limits (trial: 2 brands, 60 requests a minute) would meet most tests; quota tests turn it on.
os.environ.setdefault("VIGIL_BILLING_ENFORCE_LIMITS", "false")

from config.settings import *  # noqa: F403
from config.settings import CACHES

# Hashing cost is production's concern (tests/api/test_secrets.py checks Argon2 there); MD5 keeps tests fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Counters live in the shared Redis: each test process starts from empty ones, apart from every other run.
CACHES["default"]["KEY_PREFIX"] = f"{os.environ.get('VIGIL_TEST_NAMESPACE', 'vigiltest')}-{secrets.token_hex(4)}"

# A fitted cascade-forecast model is cached per tenant; tests share tenants and roll their rows back, so a model
# one test cached would answer for the next.
FORECAST_MODEL_CACHE_SECONDS = 0
