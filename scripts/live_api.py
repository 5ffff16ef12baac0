"""A throwaway tenant served by a real gunicorn on the running services, for the runs against a live API
(scripts/schemathesis_run.py, scripts/client_run.py). Run them through their shell scripts, which pick the database,
index prefix and Celery queue (scripts/live_env.sh).
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, "manage.py"]


@dataclass(frozen=True)
class LiveApi:
    base: str
    slug: str
    api_key: str


def log(tag: str, message: str) -> None:
    print(f"[{tag}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 300) -> None:
    """Until /readyz is 200: a dependency that is down answers 503 by design, which a run would count as failed."""
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
    """Its whole process group: gunicorn's or Celery's workers, schemathesis's threads."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _started(command: list[str], log_path: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    output = stack.enter_context(log_path.open("wb"))
    process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop, process)
    return process


@contextmanager
def live_api(tag: str, log_dir: Path, *, worker: bool = False) -> Iterator[LiveApi]:
    """A new tenant with an admin API key behind gunicorn on a free loopback port (and, with `worker`, a Celery
    worker on the run's own queue, for what the API does in the background: search indexing, warnings). Logs go
    to `log_dir` (gunicorn.log, worker.log); the tenant and the queue's leftovers are deleted afterwards."""
    slug = f"{tag}-{secrets.token_hex(3)}"
    created = subprocess.run(
        # Unlimited: a trial's 60 requests a minute would turn most of a fuzz run into 429s.
        [*MANAGE, "tenant_create", "--slug", slug, "--name", f"{tag} run", "--admin-email", f"admin@{slug}.test",
         "--plan", "enterprise", "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    log(tag, f"tenant {slug} created")
    log_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{free_port()}"
    queue = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
    try:
        with ExitStack() as stack:
            # A worker's first request loads every URLconf and the GraphQL schema: on a busy machine that can take
            # over a minute, and gunicorn would kill the worker for it.
            server = _started(
                ["gunicorn", "config.wsgi", "--bind", base.removeprefix("http://"), "--workers", "2", "--timeout",
                 "120", "--no-control-socket"],
                log_dir / "gunicorn.log", stack,
            )  # fmt: skip
            if worker:
                _started(
                    ["celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "1", "--without-gossip",
                     "--without-mingle", "--loglevel", "INFO"],
                    log_dir / "worker.log", stack,
                )  # fmt: skip
            wait_ready(base, server)
            log(tag, f"gunicorn on {base}{' with a Celery worker on ' + queue if worker else ''}")
            yield LiveApi(base=base, slug=slug, api_key=json.loads(created.stdout)["api_key"])
    finally:
        subprocess.run([*MANAGE, "tenant_delete", "--slug", slug], cwd=ROOT, check=False)
        # Tasks left on this run's own queue belong to the deleted tenant.
        subprocess.run(
            ["celery", "-A", "config", "purge", "-f", "-Q", queue], cwd=ROOT, check=False, capture_output=True
        )
