#!/usr/bin/env bash
# Fuzzes the whole REST API (OpenAPI at /api/schema/) with schemathesis against a real gunicorn on the running
# services, in a throwaway tenant of its own database; fails on any 5xx or response that breaks the schema.
# Run after scripts/bootstrap.sh (CI: after `make test`). Settings: see "Fuzzing the API" in README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=/dev/null
[ -f .env ] && set -a && source .env && set +a

PG_PORT="${VIGIL_PG_PORT:-54329}"
DB_NAME="${VIGIL_FUZZ_DB:-vigil_fuzz}"
# Its own database, index prefix and Celery queue: a demo or test run on the same services is never touched.
export DATABASE_URL="postgres://vigil@127.0.0.1:$PG_PORT/$DB_NAME"
export VIGIL_ES_INDEX_PREFIX="${VIGIL_FUZZ_INDEX_PREFIX:-vigil-fuzz}"
export CELERY_TASK_DEFAULT_QUEUE="${VIGIL_FUZZ_QUEUE:-vigil-fuzz}"
# The fuzzer is one client sending thousands of requests: rate limits would turn most of them into 429s.
export VIGIL_RATE_LIMIT_PER_MINUTE=1000000 VIGIL_RATE_LIMIT_ANONYMOUS_PER_MINUTE=1000000
export VIGIL_LOGIN_MAX_FAILURES=1000000 VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000

if ! psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" \
    | grep -q 1; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
fi
uv run --frozen python manage.py migrate_schemas --shared -v 0
exec uv run --frozen python scripts/schemathesis_run.py "$@"
