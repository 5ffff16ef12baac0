"""Signing secrets: no default key signs anything, production refuses weak keys, JWT keys carry a kid and rotate."""

import os
import subprocess
import sys
import time
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django_tenants.utils import tenant_context

from config.keys import generate_pii_key, generate_secret
from tenants.identity.models import User
from tenants.models import Tenant
from tests.conftest import PASSWORD, Api

OLD_DEFAULT_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"


def claims(user_id: object = "1", tenant: str = "alpha") -> dict[str, object]:
    return {"token_type": "access", "exp": int(time.time()) + 600, "jti": "x", "user_id": user_id, "tenant": tenant}


def me(token: str) -> Any:
    return Api("alpha", auth=f"Bearer {token}").get("/api/v1/me")


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIGIL_JWT", "VIGIL_PII", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=generate_secret(),
        VIGIL_JWT_KEYS=f"k1:{generate_secret()}",
        VIGIL_PII_KEY=generate_pii_key(),
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("headers", [None, {"kid": "test"}])
def test_token_signed_with_the_old_default_key_is_401(alpha, headers):
    forged = jwt.encode(claims(), OLD_DEFAULT_KEY, "HS256", headers=headers)

    response = me(forged)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("user_id", ["abc", "1.5", "١", True, None, [1], "9" * 40])
def test_token_with_a_malformed_user_id_is_401(alpha, user_id):
    kid, key = settings.JWT_KEYS[0]
    token = jwt.encode(claims(user_id), key, "HS256", headers={"kid": kid})

    response = me(token)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_with_an_unknown_kid_is_401(alpha):
    key = settings.JWT_KEYS[0][1]
    token = jwt.encode(claims(), key, "HS256", headers={"kid": "nobody"})

    assert me(token).status_code == 401


def test_issued_tokens_name_the_newest_key_and_rotation_keeps_old_ones_valid_until_removed(alpha, login, settings):
    old, new = ("old", generate_secret()), ("new", generate_secret())
    settings.JWT_KEYS = [old]
    old_token = login("alpha", alpha.admin_email).removeprefix("Bearer ")

    settings.JWT_KEYS = [new, old]
    new_token = login("alpha", alpha.admin_email).removeprefix("Bearer ")
    both_valid = me(old_token).status_code, me(new_token).status_code

    settings.JWT_KEYS = [new]
    assert jwt.get_unverified_header(old_token)["kid"] == "old"
    assert jwt.get_unverified_header(new_token)["kid"] == "new"
    assert both_valid == (200, 200)
    assert me(old_token).status_code == 401
    assert me(new_token).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": "short-key"}, "DJANGO_SECRET_KEY is shorter than 50 characters"),
        ({"DJANGO_SECRET_KEY": OLD_DEFAULT_KEY}, "DJANGO_SECRET_KEY is a published default key"),
        ({"VIGIL_JWT_KEYS": ""}, "VIGIL_JWT_KEYS is not set"),
        ({"VIGIL_JWT_KEYS": "k1:short"}, "VIGIL_JWT_KEYS key 'k1' is shorter than 50 characters"),
        ({"VIGIL_JWT_KEYS": f"k1:{OLD_DEFAULT_KEY}"}, "VIGIL_JWT_KEYS key 'k1' is a published default key"),
        ({"VIGIL_JWT_KEYS": generate_secret()}, "VIGIL_JWT_KEYS entries must be 'kid:secret'"),
        ({"VIGIL_PII_KEY": ""}, "VIGIL_PII_KEY is not set"),
        ({"VIGIL_PII_KEY": "not-a-fernet-key"}, "VIGIL_PII_KEY key 1 is not a Fernet key"),
        ({"VIGIL_PII_KEY": f"{generate_pii_key()},{generate_secret()}"}, "VIGIL_PII_KEY key 2 is not a Fernet key"),
        # Personal data written under a random per-process key would be unreadable after a restart.
        ({"VIGIL_PII_KEY": "", "DJANGO_DEBUG": "true"}, "VIGIL_PII_KEY is not set"),
    ],
)
def test_production_refuses_to_start_with_a_missing_short_or_default_key(overrides, message):
    result = run(["-c", "import config.settings"], production_env(**overrides))

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f"django.core.exceptions.ImproperlyConfigured: {message}")


def test_manage_py_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], production_env(DJANGO_SECRET_KEY=""))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]


def test_check_deploy_passes_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(DJANGO_SECURE_SSL_REDIRECT="true")
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_hash_passwords_with_argon2id():
    code = "import django; django.setup(); from django.contrib.auth import hashers; print(hashers.make_password('x'))"

    result = run(["-c", code], production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_old_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(alpha, login, settings):
    settings.PASSWORD_HASHERS = [
        "config.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    with tenant_context(Tenant.objects.get(slug="alpha")):
        user = User.objects.create_user(email="legacy@alpha.example", password=None, role="viewer")
        User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    login("alpha", "legacy@alpha.example")

    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")
