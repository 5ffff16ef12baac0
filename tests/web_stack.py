"""Real web processes on free loopback ports: gunicorn (config/gunicorn.conf.py) and nginx in front of it, started
by scripts/services.sh exactly as `make demo` does. Used by the proxy tests and bench/slow_clients.py."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "scripts" / "services.sh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer within the timeout
    seconds: float
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> Answer:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, time.perf_counter() - started, dict(response.getheaders()), data)
    except (TimeoutError, ConnectionError):
        return Answer(None, time.perf_counter() - started, {}, b"")
    finally:
        conn.close()


@contextmanager
def half_open_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` clients that connect, send the start of a request header and never finish it (slowloris)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def wait_until_answering(port: int, seconds: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        if request(port, "GET", "/healthz", timeout=1).status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered /healthz on 127.0.0.1:{port} within {seconds}s")


@contextmanager
def gunicorn(log_dir: Path, *, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn with config/gunicorn.conf.py on a free port; yields the port once /healthz answers."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"gunicorn-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            # Generous: importing Django and the NLP stack takes seconds alone, minutes on a crowded machine.
            wait_until_answering(port, 240, process)
            yield port
        finally:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; nothing here needs to drain
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def nginx(state_dir: Path, upstream_port: int, env: dict[str, str] | None = None) -> Iterator[int]:
    """nginx by `scripts/services.sh up nginx` with its own state dir, on a free port in front of upstream_port."""
    port = free_port()
    service_env = {
        **os.environ,
        "VIGIL_SERVICES_DIR": str(state_dir),
        "PORT": str(port),
        "VIGIL_APP_PORT": str(upstream_port),
        **(env or {}),
    }
    service_env.pop("VIGIL_APP_UPSTREAM", None)

    def services(*args: str) -> None:
        done = subprocess.run([str(SERVICES), *args], env=service_env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"services.sh {' '.join(args)} failed: {done.stderr}")

    services("up", "nginx")
    try:
        yield port
    finally:
        services("down", "nginx")
        shutil.rmtree(state_dir, ignore_errors=True)


def services_dir() -> Path:
    return Path(os.environ.get("VIGIL_SERVICES_DIR") or ROOT / ".services")
