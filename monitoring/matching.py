"""The current tenant's compiled rules, brands and user dictionary, rebuilt only when they change."""

from dataclasses import dataclass
from threading import Lock

from django.db.models import Count, Max

from monitoring.models import Brand, MonitoringRule
from monitoring.rules import RuleSet
from tenants.context import current_schema

_CACHE_SIZE = 64


@dataclass(frozen=True)
class TenantMatcher:
    version: tuple[object, ...]
    rules: RuleSet
    brands: RuleSet
    user_words: frozenset[str]


_cache: dict[str, TenantMatcher] = {}
_lock = Lock()


def _version() -> tuple[object, ...]:
    rules = MonitoringRule.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    brands = Brand.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return rules["n"], rules["at"], brands["n"], brands["at"]


def tenant_matcher() -> TenantMatcher:
    """Compiled matchers for the tenant of the current schema; one cheap query when nothing changed."""
    schema = current_schema()
    version = _version()
    cached = _cache.get(schema)
    if cached is not None and cached.version == version:
        return cached
    # Archiving saves the row, so it moves updated_at and with it the version above.
    rules = RuleSet(
        (rule.pk, rule.expression) for rule in MonitoringRule.objects.filter(is_active=True, archived_at__isnull=True)
    )
    brand_rows = list(Brand.objects.filter(is_active=True, archived_at__isnull=True))
    brands = RuleSet((brand.pk, brand.expression) for brand in brand_rows)
    words = frozenset(word for brand in brand_rows for word in [brand.name, *brand.keywords] if word.strip())
    matcher = TenantMatcher(version=version, rules=rules, brands=brands, user_words=words)
    with _lock:
        if len(_cache) >= _CACHE_SIZE and schema not in _cache:
            _cache.pop(next(iter(_cache)))
        _cache[schema] = matcher
    return matcher
