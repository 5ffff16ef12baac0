"""Password hashing cost: Vigil's Argon2id parameters against Django's defaults (PBKDF2 and Argon2), ms per hash.

Every wrong-password guess costs the server one hash, so this is also the CPU an attacker gets per login attempt.

    uv run python bench/password_hashing.py [--rounds 10]
"""

import argparse
import statistics
import time
from typing import Any

from _setup import write_result  # type: ignore[import-not-found]
from django.conf import settings
from django.contrib.auth import hashers

from config.hashers import Argon2PasswordHasher


class DjangoDefaultArgon2(hashers.Argon2PasswordHasher):
    pass


def measure(hasher: hashers.BasePasswordHasher, rounds: int) -> dict[str, Any]:
    encoded = hasher.encode("correct-horse-battery", hasher.salt())
    verify_ms = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.verify("wrong-password-guess", encoded)
        verify_ms.append((time.perf_counter() - started) * 1000)
    return {
        "algorithm": hasher.algorithm,
        "summary": {str(k): str(v) for k, v in hasher.safe_summary(encoded).items() if k not in ("salt", "hash")},
        "verify_ms_median": round(statistics.median(verify_ms), 1),
        "verify_ms_min": round(min(verify_ms), 1),
        "verify_ms_max": round(max(verify_ms), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    results = {
        "vigil_argon2id": measure(Argon2PasswordHasher(), args.rounds),
        "django_default_pbkdf2_sha256": measure(hashers.PBKDF2PasswordHasher(), args.rounds),
        "django_default_argon2id": measure(DjangoDefaultArgon2(), args.rounds),
    }
    write_result(
        "password_hashing",
        {
            "rounds": args.rounds,
            "vigil_params": {
                "time_cost": settings.ARGON2_TIME_COST,
                "memory_kib": settings.ARGON2_MEMORY_COST_KIB,
                "parallelism": settings.ARGON2_PARALLELISM,
            },
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
