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
MANAGE = ["uv", "run", "--frozen", "python", "manage.py"]
# Revoking the run's own key would turn every later request into a 401 and hide the rest of the API.
EXCLUDED_PATHS = ["/api/v1/api-keys/{id}/revoke"]


def log(message: str) -> None:
    print(f"[schemathesis] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    env = os.environ.get
    parser.add_argument("--max-examples", type=int, default=int(env("VIGIL_FUZZ_MAX_EXAMPLES", "25")))
    parser.add_argument("--seed", type=int, default=int(env("VIGIL_FUZZ_SEED", "20261202")))
    parser.add_argument("--max-seconds", type=int, default=int(env("VIGIL_FUZZ_MAX_SECONDS", "900")))
    parser.add_argument("--workers", type=int, default=int(env("VIGIL_FUZZ_WORKERS", "2")))
    parser.add_argument("--report-dir", default=env("VIGIL_FUZZ_REPORT_DIR", str(ROOT / ".services" / "schemathesis")))
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` options, after --")
    args = parser.parse_args()

    slug = f"fuzz-{secrets.token_hex(3)}"
    created = json.loads(
        subprocess.run(
            [
                *MANAGE,
                "tenant_create",
                "--slug",
                slug,
                "--name",
                "Schemathesis",
                "--admin-email",
                f"admin@{slug}.test",
                "--json",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    log(f"tenant {slug} created")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    server_log = (report_dir / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            "uv",
            "run",
            "--frozen",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    status = 1
    try:
        wait_healthy(base, server)
        log(f"gunicorn on {base}; fuzzing (max {args.max_examples} examples per operation, seed {args.seed})")
        command = [
            "uv",
            "run",
            "--frozen",
            "schemathesis",
            "run",
            f"{base}/api/schema/",
            "--header",
            f"X-Tenant: {slug}",
            "--header",
            f"Authorization: Api-Key {created['api_key']}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            str(args.workers),
            "--generation-database",
            "none",
            "--continue-on-failure",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--no-color",
            "--report",
            "junit,ndjson",
            "--report-dir",
            str(report_dir),
            *[option for path in EXCLUDED_PATHS for option in ("--exclude-path", path)],
            *args.extra,
        ]
        try:
            status = subprocess.run(command, cwd=ROOT, timeout=args.max_seconds).returncode
        except subprocess.TimeoutExpired:
            log(f"schemathesis ran over {args.max_seconds}s; failing the run")
            status = 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
        subprocess.run([*MANAGE, "tenant_delete", "--slug", slug], cwd=ROOT, check=False)
        # Tasks the API enqueued for this run's queue have no worker; drop them with the tenant.
        subprocess.run(
            [
                "uv",
                "run",
                "--frozen",
                "celery",
                "-A",
                "config",
                "purge",
                "-f",
                "-Q",
                os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "vigil-fuzz"),
            ],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
    log(f"done: exit {status}; reports in {report_dir} (server log: gunicorn.log)")
    return status


if __name__ == "__main__":
    sys.exit(main())
