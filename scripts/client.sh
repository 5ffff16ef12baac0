#!/usr/bin/env bash
# Generates the Python client from the OpenAPI document of a live server (openapi-python-client, into the git-ignored
# .client/) and runs the integrator's example (scripts/client_example.py) with it against that server, in a throwaway
# tenant with a Celery worker of its own. Run after scripts/bootstrap.sh (CI: after `make fuzz`). See "The Python
# client" in README.md.
set -euo pipefail
# shellcheck source=scripts/live_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/live_env.sh"
exec uv run --frozen python scripts/client_run.py "$@"
