#!/usr/bin/env bash
# Sets up everything Vigil needs on a fresh Debian machine, idempotently: system packages, the Python
# environment (uv, from uv.lock), the GraphiQL browser assets (npm, from package-lock.json), the backing
# services (scripts/services.sh), the database and the static files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION=0.13.9

log() { printf '[bootstrap] %s\n' "$*" >&2; }

if ! command -v python3 >/dev/null || ! command -v npm >/dev/null || ! command -v curl >/dev/null; then
  log "installing python3, npm and curl from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip npm curl >/dev/null
fi

if ! command -v uv >/dev/null || [ "$(uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  log "installing uv $UV_VERSION"
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "uv==$UV_VERSION"
fi

log "Python environment (uv sync --frozen)"
uv sync --frozen --quiet

if ! cmp -s package-lock.json node_modules/.vigil-installed-lock 2>/dev/null; then
  log "browser assets (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
  cp package-lock.json node_modules/.vigil-installed-lock
fi

scripts/services.sh up

# Signing keys: there is no default, so generate strong ones once into the git-ignored .env and keep them
# (regenerating would log everyone out). Production sets its own (README, "Secrets and key rotation").
new_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
ensure_key() {
  local name=$1 value=$2
  grep -q "^$name=" .env 2>/dev/null && return 0
  [ -f .env ] || (umask 077 && : >.env)
  # keep an existing last line intact when it lacks its newline
  [ -s .env ] && [ -n "$(tail -c1 .env)" ] && echo >>.env
  printf '%s=%s\n' "$name" "$value" >>.env
  log "generated $name into .env"
}
ensure_key DJANGO_SECRET_KEY "$(new_secret)"
ensure_key VIGIL_JWT_KEYS "k$(date -u +%Y%m%d):$(new_secret)"
# Personal data at rest (affected users' contacts): a Fernet key; losing it loses that data, so keep it backed up.
ensure_key VIGIL_PII_KEY "$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"

# shellcheck source=/dev/null
[ -f .env ] && set -a && source .env && set +a
PG_PORT="${VIGIL_PG_PORT:-54329}"
if [ -z "${DATABASE_URL:-}" ]; then
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='vigil'" \
      | grep -q 1; then
    log "creating database vigil"
    psql -h 127.0.0.1 -p "$PG_PORT" -U vigil -d postgres -qc "CREATE DATABASE vigil" >/dev/null
  fi
fi

uv run --frozen python manage.py collectstatic --noinput -v 0
log "ready"
