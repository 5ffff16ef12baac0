#!/usr/bin/env bash
# `make demo`: everything up, the demo tenant created afresh, web + Celery worker + beat started in the
# background, URLs and credentials printed. `scripts/demo.sh stop` stops web, worker and beat.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEMO="$ROOT/.demo"
PORT="${PORT:-8000}"
PROCESSES=(web worker beat)

log() { printf '[demo] %s\n' "$*" >&2; }

stop_processes() {
  local name pid i
  for name in "${PROCESSES[@]}"; do
    [ -f "$DEMO/$name.pid" ] || continue
    pid="$(cat "$DEMO/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
      log "$name stopped"
    fi
    rm -f "$DEMO/$name.pid"
  done
}

if [ "${1:-}" = "stop" ]; then stop_processes; exit 0; fi

started=$(date +%s)
scripts/bootstrap.sh
mkdir -p "$DEMO/logs"
stop_processes

log "migrating the public schema"
uv run --frozen python manage.py migrate_schemas --shared -v 0
uv run --frozen python manage.py demo_setup

start() {
  local name=$1; shift
  nohup "$@" >"$DEMO/logs/$name.log" 2>&1 &
  echo $! >"$DEMO/$name.pid"
}
start web uv run --frozen gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --access-logfile -
start worker uv run --frozen celery -A config worker --loglevel INFO --concurrency 2
start beat uv run --frozen celery -A config beat --loglevel INFO --schedule "$DEMO/celerybeat-schedule"

log "waiting for /readyz"
ready=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >"$DEMO/readyz.json" 2>/dev/null; then ready=1; break; fi
  sleep 1
done
[ -n "$ready" ] || { log "web did not become ready; see $DEMO/logs/web.log"; cat "$DEMO/readyz.json" 2>/dev/null; exit 1; }

uv run --frozen python - "$DEMO/credentials.json" "$PORT" "$(( $(date +%s) - started ))" <<'PY'
import json
import sys

creds = json.load(open(sys.argv[1]))
port, seconds = sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
print(f"""
Vigil demo is running ({seconds}s to set up).

  API docs (Swagger UI)  {base}/api/docs/
  OpenAPI schema         {base}/api/schema/
  GraphiQL               {base}/graphql/   (add the header  X-Tenant: {creds['tenant']})
  Readiness              {base}/readyz
  Tenant host            http://{creds['host']}:{port}/api/v1/me

  Tenant                 {creds['tenant']}
  Admin login            {creds['admin_email']} / {creds['admin_password']}
  API key                {creds['api_key']}
  Credentials file       {sys.argv[1]}

Try:
  curl -H 'X-Tenant: {creds['tenant']}' -H 'Authorization: Api-Key {creds['api_key']}' {base}/api/v1/me

Stop web, worker and beat with `make stop`; the services with `make services-down`.
""")
PY
