#!/usr/bin/env bash
# `make demo`: everything up, the demo tenant created afresh, web + Celery worker + beat started in the
# background, URLs and credentials printed. `scripts/demo.sh stop` stops web, worker and beat.
# Clients reach nginx on 127.0.0.1:$PORT (8000); it buffers requests and responses for gunicorn on the private
# 127.0.0.1:$VIGIL_APP_PORT (8001), so slow clients cannot tie up its workers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEMO="$ROOT/.demo"
PORT="${PORT:-8000}"
export VIGIL_APP_PORT="${VIGIL_APP_PORT:-8001}"
PROCESSES=(replay web worker beat receiver)
# The demo's webhook receiver listens on loopback, which webhooks may reach only if allowed exactly.
export WEBHOOK_ALLOWED_TARGETS="127.0.0.1:${VIGIL_DEMO_RECEIVER_PORT:-8765}"
# Invitation and password-reset mail goes to files, one per message, instead of an SMTP server.
export DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"
export DJANGO_EMAIL_FILE_PATH="$DEMO/mail"
export VIGIL_ACCOUNT_LINK_BASE_URL="${VIGIL_ACCOUNT_LINK_BASE_URL:-http://127.0.0.1:$PORT}"

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
rm -f "$DEMO/webhooks.jsonl"
uv run --frozen python manage.py demo_setup --webhook-url "http://127.0.0.1:${VIGIL_DEMO_RECEIVER_PORT:-8765}/vigil"
# History the cascade forecasts learn from: past rumour cascades with their own (2012–2016) times, so they fall
# outside every live window. The live stream is a non-rumour cascade, not among them.
log "importing ${VIGIL_DEMO_HISTORY_CASCADES:-60} past CED rumour cascades as history"
uv run --frozen python manage.py import_ced --tenant demo --label rumor --cascades "${VIGIL_DEMO_HISTORY_CASCADES:-60}" \
  --max-reposts 400 >"$DEMO/logs/history.log" 2>&1

start() {
  local name=$1; shift
  nohup "$@" >"$DEMO/logs/$name.log" 2>&1 &
  echo $! >"$DEMO/$name.pid"
}
start receiver uv run --frozen python scripts/webhook_receiver.py --port "${VIGIL_DEMO_RECEIVER_PORT:-8765}" \
  --secret-file "$DEMO/credentials.json" --log "$DEMO/webhooks.jsonl"
# Sync workers, 2 × cores + 1 (config/gunicorn.conf.py), bound to VIGIL_APP_PORT; nginx (re)reads its upstream.
start web uv run --frozen gunicorn -c config/gunicorn.conf.py
PORT="$PORT" scripts/services.sh up nginx
start worker uv run --frozen celery -A config worker --loglevel INFO --concurrency 2
# Ticks every 15 s in the demo so that the alert's recovery shows within minutes of the stream ending.
start beat env VIGIL_WARNING_TICK_SECONDS="${VIGIL_WARNING_TICK_SECONDS:-15}" uv run --frozen celery -A config beat --loglevel INFO --schedule "$DEMO/celerybeat-schedule"

log "waiting for /readyz"
ready=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >"$DEMO/readyz.json" 2>/dev/null; then ready=1; break; fi
  sleep 1
done
[ -n "$ready" ] || { log "web did not become ready; see $DEMO/logs/web.log and .services/log/nginx-error.log"; cat "$DEMO/readyz.json" 2>/dev/null; exit 1; }

# The crisis stream: a real Weibo cascade (a phone explosion, CED dataset) replayed live through the REST API.
API_KEY="$(uv run --frozen python -c "import json; print(json.load(open('$DEMO/credentials.json'))['api_key'])")"
start replay uv run --frozen python manage.py replay_ced --tenant demo --api-key "$API_KEY" \
  --url "http://127.0.0.1:$PORT/api/v1/mentions/batch" --cascade "${VIGIL_DEMO_CASCADE:-2620_zhPt4B8YZ_2163396973.json}" \
  --duration "${VIGIL_DEMO_REPLAY_SECONDS:-120}"
log "crisis stream replaying in the background (log: $DEMO/logs/replay.log)"
log "waiting for the first alert (the demo policy watches the own brand over 2-minute windows)"
for _ in $(seq 1 150); do
  grep -q '"type": "alert.opened"' "$DEMO/webhooks.jsonl" 2>/dev/null && break
  sleep 1
done
grep '"type": "alert' "$DEMO/webhooks.jsonl" 2>/dev/null | sed 's/^/[demo] webhook received: /' >&2 || \
  log "no alert yet; see $DEMO/logs/worker.log"

log "the response: the case the policy opened, its playbook, the team, the statement's approval and publishing"
uv run --frozen python scripts/demo_response.py "$DEMO/credentials.json" "http://127.0.0.1:$PORT" \
  --wait "${VIGIL_DEMO_CASE_WAIT_SECONDS:-90}" --effects-wait "${VIGIL_DEMO_EFFECTS_WAIT_SECONDS:-90}" | tee "$DEMO/response.txt"

uv run --frozen python - "$DEMO/credentials.json" "$PORT" "$(( $(date +%s) - started ))" <<'PY'
import json
import sys

import urllib.request

creds = json.load(open(sys.argv[1]))
port, seconds = sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
headers = {"X-Tenant": creds["tenant"], "Authorization": f"Api-Key {creds['api_key']}",
           "Content-Type": "application/json"}


def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# The agency takes the brand alert on as a crisis case (what a responder would do in their frontend).
cases = call("GET", "/api/v1/cases")["results"]
case_line = (f"case #{cases[-1]['id']}: {base}/api/v1/cases/{cases[-1]['id']}/timeline (also .demo/case.json)"
             if cases else "none yet")
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
  Billing admin          {creds['billing_admin']['email']} / {creds['billing_admin']['password']}  (public host: {base}/api/v1/platform/tenants)
  Credentials file       {sys.argv[1]}
  Crisis case            {case_line}

A real Weibo crisis (a Galaxy Note 2 exploding, CED dataset) is streaming in through the REST API for
two minutes. The early-warning engine raises an alert on the own brand, escalates it as the story spreads
and resolves it a few minutes after the stream ends; at yellow the policy opens a crisis case by itself, which
runs the product-safety playbook (tasks per case role, a holding-statement draft). The team (logins in the
credentials file) staffed it, approved the statement (legal, then the commander) and published it on Weibo and
the website (above; .demo/response.txt). Every step is delivered, signed, to the local webhook receiver
(log: .demo/webhooks.jsonl). Invitation and password-reset mail is written to .demo/mail/. Try:
  curl -H 'X-Tenant: {creds['tenant']}' -H 'Authorization: Api-Key {creds['api_key']}' {base}/api/v1/me
  curl -H 'X-Tenant: {creds['tenant']}' -H 'Authorization: Api-Key {creds['api_key']}' \\
       '{base}/api/v1/mentions/search?q=爆炸&aggs=volume,sentiment,terms&interval=1m'
  curl -H 'X-Tenant: {creds['tenant']}' -H 'Authorization: Api-Key {creds['api_key']}' {base}/api/v1/alerts
  # as the billing admin, on the public host (no X-Tenant):
  curl -s -X POST -H 'Content-Type: application/json' {base}/api/v1/auth/token \\
       -d '{{"email": "{creds['billing_admin']['email']}", "password": "{creds['billing_admin']['password']}"}}'
  curl -H 'Authorization: Bearer <access>' '{base}/api/v1/platform/tenants/{creds['tenant']}'

Stop web, worker and beat with `make stop`; the services with `make services-down`.
""")
PY
