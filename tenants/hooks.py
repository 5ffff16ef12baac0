"""What other apps do when a tenant is created or deleted.

tenants sits below the domain apps and imports none of them; each registers its part here from its
AppConfig.ready (monitoring: the default warning policy and the tenant's search index).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchIndex:
    # Makes the tenant's index (given its slug) and returns its name, or None when it cannot be made now (the
    # index is then made later); signup does not depend on it.
    ensure: Callable[[str], str | None]
    # Deletes the tenant's indices and returns their names.
    delete: Callable[[str], list[str]]


SchemaSetup = Callable[[], object]

_schema_setups: list[SchemaSetup] = []
_search_index: SearchIndex | None = None


def schema_setup_register(setup: SchemaSetup) -> None:
    """`setup` runs in every new tenant's schema once its first admin exists; if it raises, no tenant is made."""
    # Django may call AppConfig.ready more than once.
    if setup not in _schema_setups:
        _schema_setups.append(setup)


def schema_setups() -> list[SchemaSetup]:
    return list(_schema_setups)


def search_index_register(index: SearchIndex) -> None:
    global _search_index
    _search_index = index


def search_index() -> SearchIndex:
    if _search_index is None:
        raise RuntimeError("no search index registered (monitoring registers it when Django starts)")
    return _search_index
