#!/usr/bin/env bash
# Runs the whole suite against the real services: the parallel part first, then the tests that stop and
# restart a service or start and time their own web processes (they would disturb parallel neighbours, or be
# slowed by them), then one summary line over both.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh

results="$ROOT/.services/test-results"
mkdir -p "$results"
rm -f "$results"/*.xml
status=0
uv run --frozen pytest -n "${VIGIL_TEST_WORKERS:-2}" -m "not disruptive and not processes" \
  --junitxml="$results/parallel.xml" "$@" \
  || status=$?
uv run --frozen pytest -m "disruptive or processes" --junitxml="$results/disruptive.xml" "$@" || status=$?
uv run --frozen python - "$results" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for path in Path(sys.argv[1]).glob("*.xml"):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"{passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
exit "$status"
