"""The fuzzing run behind scripts/schemathesis.sh: a throwaway tenant, a real gunicorn, schemathesis, cleanup.

Exit status: schemathesis's own (non-zero on any failed check), or 1 when the run overstays its time cap.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, "manage.py"]
EXCLUDED_PATHS = [
    # Revoking the run's own key would turn every later request into a 401 and hide the rest of the API.
    "/api/v1/api-keys/{id}/revoke",
    # These send a webhook at once, to whatever URL the fuzzer made up: no traffic leaves this machine.
    "/api/v1/notification-channels/{id}/test",
    "/api/v1/deliveries/{id}/redeliver",
]
CHECKS = "not_a_server_error,response_schema_conformance"


def log(message: str) -> None:
    print(f"[schemathesis] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    """Until /readyz is 200: a dependency that is down answers 503 by design, which the run would count as failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{base}/readyz was not 200 within {seconds:.0f}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Its whole process group: gunicorn's workers, schemathesis's threads."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fuzz(args: argparse.Namespace, base: str, slug: str, api_key: str, report_dir: Path) -> int:
    command = [
        "schemathesis", "run", f"{base}/api/schema/",
        "--header", f"X-Tenant: {slug}",
        "--header", f"Authorization: Api-Key {api_key}",
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
        log(f"schemathesis ran over {args.max_seconds}s; failing the run")
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

    slug = f"fuzz-{secrets.token_hex(3)}"
    created = subprocess.run(
        [*MANAGE, "tenant_create", "--slug", slug, "--name", "Schemathesis", "--admin-email", f"admin@{slug}.test",
         "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    api_key = json.loads(created.stdout)["api_key"]
    log(f"tenant {slug} created")
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{free_port()}"
    with (report_dir / "gunicorn.log").open("wb") as server_log:
        server = subprocess.Popen(
            ["gunicorn", "config.wsgi", "--bind", base.removeprefix("http://"), "--workers", "2", "--timeout", "60",
             "--no-control-socket"],
            cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_ready(base, server)
            log(f"gunicorn on {base}; fuzzing (max {args.max_examples} examples per operation, seed {args.seed})")
            status = fuzz(args, base, slug, api_key, report_dir)
        finally:
            stop(server)
            subprocess.run([*MANAGE, "tenant_delete", "--slug", slug], cwd=ROOT, check=False)
            # The API enqueued tasks on this run's own queue, which no worker reads; they go with the tenant.
            queue = env("CELERY_TASK_DEFAULT_QUEUE", "vigil-fuzz")
            subprocess.run(
                ["celery", "-A", "config", "purge", "-f", "-Q", queue], cwd=ROOT, check=False, capture_output=True
            )
    log(f"done: exit {status}; reports and the server log (gunicorn.log) in {report_dir}")
    return status


if __name__ == "__main__":
    sys.exit(main())
