# Sourced by the scripts that run against a live API of their own (schemathesis.sh, client.sh): the project's .env,
# then a database, index prefix and Celery queue of their own, so a demo or test run on the same services is never
# touched; the database is created if missing and migrated. Settings: "Fuzzing the API" in README.md.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=/dev/null
[ -f .env ] && set -a && source .env && set +a

PG_PORT="${VIGIL_PG_PORT:-54329}"
DB_NAME="${VIGIL_FUZZ_DB:-vigil_fuzz}"
export DATABASE_URL="postgres://vigil@127.0.0.1:$PG_PORT/$DB_NAME"
export VIGIL_ES_INDEX_PREFIX="${VIGIL_FUZZ_INDEX_PREFIX:-vigil-fuzz}"
export CELERY_TASK_DEFAULT_QUEUE="${VIGIL_FUZZ_QUEUE:-vigil-fuzz}"

if ! psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" \
    | grep -q 1; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
fi
uv run --frozen python manage.py migrate_schemas --shared -v 0
