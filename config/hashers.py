from typing import Any

from django.conf import settings
from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Django's Argon2id with parameters from settings; a hash made with other ones is upgraded at the next login."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django rebuilds its hashers when PASSWORD_HASHERS changes, so settings are read here, not at import.
        self.time_cost = int(settings.ARGON2_TIME_COST)
        self.memory_cost = int(settings.ARGON2_MEMORY_COST_KIB)
        self.parallelism = int(settings.ARGON2_PARALLELISM)
