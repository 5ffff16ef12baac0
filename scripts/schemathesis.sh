#!/usr/bin/env bash
# Fuzzes the whole REST API (OpenAPI at /api/schema/) with schemathesis against a real gunicorn on the running
# services, in a throwaway tenant of its own database; fails on any 5xx or any answer the schema does not document
# (status code, media type, body). Run after scripts/bootstrap.sh (CI: after `make test`). Settings: see "Fuzzing
# the API" in README.md.
set -euo pipefail
# shellcheck source=scripts/live_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/live_env.sh"
# The fuzzer is one client sending thousands of requests: rate limits would turn most of them into 429s.
export VIGIL_RATE_LIMIT_PER_MINUTE=1000000 VIGIL_RATE_LIMIT_ANONYMOUS_PER_MINUTE=1000000
export VIGIL_LOGIN_MAX_FAILURES=1000000 VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000
exec uv run --frozen python scripts/schemathesis_run.py "$@"
