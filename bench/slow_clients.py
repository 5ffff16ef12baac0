"""/healthz latency while N clients hold half-open requests (slowloris): bare gunicorn against nginx + gunicorn.

Both setups run the same gunicorn (config/gunicorn.conf.py, sync workers, 2 by default as in the finding) on free
loopback ports; nginx is started by scripts/services.sh as in `make demo`. A request that gets no answer within
--timeout counts as a timeout and enters the percentiles at the timeout.

    uv run python bench/slow_clients.py [--connections 0,2,50] [--requests 20] [--workers 2] [--timeout 2]
"""

import argparse
import os
import time
from contextlib import ExitStack
from typing import Any

from _setup import ROOT, percentile, write_result  # type: ignore[import-not-found]

from tests.web_stack import gunicorn, half_open_connections, nginx, request, services_dir


def measure(port: int, connections: int, requests: int, timeout: float) -> dict[str, Any]:
    with half_open_connections(port, connections):
        time.sleep(0.5)  # let the server take them on
        answers = [request(port, "GET", "/healthz", timeout=timeout) for _ in range(requests)]
    seconds = [answer.seconds for answer in answers]
    return {
        "half_open_connections": connections,
        "requests": requests,
        "answered_200": sum(answer.status == 200 for answer in answers),
        "timeouts": sum(answer.status is None for answer in answers),
        "p50_ms": round(percentile(seconds, 50) * 1000, 1),
        "p99_ms": round(percentile(seconds, 99) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
    }


def run(setup: str, connections: int, args: argparse.Namespace) -> dict[str, Any]:
    logs = services_dir() / "bench-web"
    with ExitStack() as stack:
        # A fresh gunicorn for every point: a starved one would carry its stuck workers into the next.
        port = stack.enter_context(gunicorn(logs / "app", workers=args.workers))
        if setup == "nginx+gunicorn":
            port = stack.enter_context(nginx(logs / "nginx", port))
        result = measure(port, connections, args.requests, args.timeout)
    print(f"{setup:15} {connections:4} half-open: {result}")
    return {"setup": setup, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", default="0,2,50", help="comma-separated counts of half-open clients")
    parser.add_argument("--requests", type=int, default=20, help="/healthz requests per point, one at a time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds a /healthz request may take")
    args = parser.parse_args()
    os.chdir(ROOT)
    counts = [int(value) for value in args.connections.split(",")]
    points = [run(setup, n, args) for setup in ("gunicorn", "nginx+gunicorn") for n in counts]
    write_result(
        "slow_clients",
        {
            "workers": args.workers,
            "timeout_s": args.timeout,
            "cores": os.cpu_count(),
            "points": points,
        },
    )


if __name__ == "__main__":
    main()
