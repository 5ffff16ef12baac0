"""The fuzzing run behind scripts/schemathesis.sh: schemathesis against a live API of its own (scripts/live_api.py).

Exit status: schemathesis's own (non-zero on any failed check), or 1 when the run overstays its time cap.
"""

import argparse
import os
import subprocess
from pathlib import Path

from live_api import ROOT, LiveApi, live_api, log, stop

EXCLUDED_PATHS = [
    # Revoking the run's own key would turn every later request into a 401 and hide the rest of the API.
    "/api/v1/api-keys/{id}/revoke",
    # These send a webhook at once, to whatever URL the fuzzer made up: no traffic leaves this machine.
    "/api/v1/notification-channels/{id}/test",
    "/api/v1/deliveries/{id}/redeliver",
]
# No 5xx, and every answer as documented: its status code, its media type and its body.
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def fuzz(args: argparse.Namespace, api: LiveApi, report_dir: Path) -> int:
    command = [
        "schemathesis", "run", f"{api.base}/api/schema/",
        "--header", f"X-Tenant: {api.slug}",
        "--header", f"Authorization: Api-Key {api.api_key}",
        # The run's real credentials above, not made-up values for the Tenant and credential schemes.
        "--generation-with-security-parameters", "false",
        "--checks", CHECKS,
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        "--workers", str(args.workers),
        # Reproducible: the seed alone decides the cases, not examples remembered from earlier runs.
        "--generation-database", "none",
        "--continue-on-failure",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--no-color",
        "--report", "junit,ndjson",
        "--report-dir", str(report_dir),
        *[option for path in EXCLUDED_PATHS for option in ("--exclude-path", path)],
        *args.extra,
    ]  # fmt: skip
    run = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        return run.wait(timeout=args.max_seconds)
    except subprocess.TimeoutExpired:
        log("schemathesis", f"schemathesis ran over {args.max_seconds}s; failing the run")
        return 1
    finally:
        stop(run)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    env = os.environ.get
    parser.add_argument("--max-examples", type=int, default=int(env("VIGIL_FUZZ_MAX_EXAMPLES", "25")))
    parser.add_argument("--seed", type=int, default=int(env("VIGIL_FUZZ_SEED", "20261202")))
    parser.add_argument("--max-seconds", type=int, default=int(env("VIGIL_FUZZ_MAX_SECONDS", "1200")))
    parser.add_argument("--workers", type=int, default=int(env("VIGIL_FUZZ_WORKERS", "2")))
    parser.add_argument("--report-dir", default=env("VIGIL_FUZZ_REPORT_DIR", str(ROOT / ".services" / "schemathesis")))
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` options, after --")
    args = parser.parse_args()

    report_dir = Path(args.report_dir)
    with live_api("fuzz", report_dir) as api:
        log("schemathesis", f"fuzzing (max {args.max_examples} examples per operation, seed {args.seed})")
        status = fuzz(args, api, report_dir)
    log("schemathesis", f"done: exit {status}; reports and the server log (gunicorn.log) in {report_dir}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
