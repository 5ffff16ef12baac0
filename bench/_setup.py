"""Shared set-up of the benchmarks: Django, a dedicated tenant, result files."""

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from tenants.models import Tenant  # noqa: E402
from tenants.services import TenantCreated, tenant_create, tenant_delete  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def fresh_tenant(slug: str) -> TenantCreated:
    if Tenant.objects.filter(slug=slug).exists():
        tenant_delete(slug=slug)
    # Unlimited: a trial's quota (10,000 mentions a month, 60 requests a minute) would cut every benchmark short.
    return tenant_create(slug=slug, name=f"Benchmark {slug}", admin_email=f"bench@{slug}.example", plan="enterprise")


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    print(f"written to {path}")
    return path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)
