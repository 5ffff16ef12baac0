"""A real HTTP server on 127.0.0.1 that records what webhooks send it and answers as it is told."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.url = ""
        self._lock = threading.Lock()
        self._failures_left = 0
        self._failure_status = 500
        self._reply = b'{"ok": true}'

    def fail_first(self, count: int, status: int = 500) -> None:
        """Answer `status` to the next `count` requests, then 200 again."""
        with self._lock:
            self._failures_left, self._failure_status = count, status

    def reply_with(self, body: bytes) -> None:
        with self._lock:
            self._reply = body

    def _record(self, request: Received) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
            if self._failures_left:
                self._failures_left -= 1
                return self._failure_status, b'{"error": "receiver told to fail"}'
            return 200, self._reply


def allow_target(settings: Any, url: str) -> None:
    """Let webhooks reach the URL's loopback host:port, as WEBHOOK_ALLOWED_TARGETS does for the demo's receiver."""
    parts = urlsplit(url)
    settings.WEBHOOK_ALLOWED_TARGETS = [*settings.WEBHOOK_ALLOWED_TARGETS, f"{parts.hostname}:{parts.port}"]


@contextmanager
def running_receiver(host: str = "127.0.0.1", port: int = 0) -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, reply = receiver._record(Received(self.path, headers, body))
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    receiver.url = f"http://{host}:{server.server_address[1]}/hooks/vigil"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
