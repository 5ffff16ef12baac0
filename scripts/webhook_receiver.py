"""A local webhook receiver for the demo: verifies each request's Standard Webhooks signature and logs it.

uv run python scripts/webhook_receiver.py --port 8765 --secret-file .demo/credentials.json
"""

import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret-file", type=Path, required=True, help="JSON file with a 'webhook_secret' key")
    parser.add_argument("--log", type=Path, default=None, help="append one JSON line per request here")
    args = parser.parse_args()

    def secret() -> str:
        # Read on every request: the demo writes the file after this receiver has started.
        return str(json.loads(args.secret_file.read_text())["webhook_secret"])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                Webhook(secret()).verify(body, headers)
                verified = True
            except (WebhookVerificationError, KeyError, ValueError, OSError):
                verified = False
            self.send_response(204 if verified else 401)
            self.end_headers()
            payload = json.loads(body or b"{}")
            record = {
                "received_at": time.time(),
                "verified": verified,
                "id": headers.get("webhook-id"),
                "type": payload.get("type"),
                "level": (payload.get("data") or {}).get("level"),
                "index": (payload.get("data") or {}).get("index"),
            }
            line = json.dumps(record, ensure_ascii=False)
            print(line, flush=True)
            if args.log:
                with args.log.open("a") as handle:
                    handle.write(line + "\n")

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"webhook receiver on http://127.0.0.1:{args.port}/", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
