"""The run behind scripts/client.sh: generate the Python client from a live server's schema, then run the example.

The client is generated from /api/schema/ as served, into .client/vigil_client (git-ignored; --fail-on-warning, so
an operation the generator cannot express fails the run), and scripts/client_example.py uses it against the same
server. Exit status: the generator's or the example's, whichever fails first.
"""

import os
import shutil
import subprocess
import sys
import urllib.request

from live_api import ROOT, live_api, log

OUTPUT = ROOT / ".client"
PACKAGE = OUTPUT / "vigil_client"


def generate(base: str) -> int:
    OUTPUT.mkdir(exist_ok=True)
    schema = OUTPUT / "openapi.json"
    request = urllib.request.Request(f"{base}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        schema.write_bytes(response.read())
    shutil.rmtree(PACKAGE, ignore_errors=True)
    command = [
        "openapi-python-client", "generate", "--path", str(schema), "--meta", "none", "--output-path", str(PACKAGE),
        "--config", str(ROOT / "scripts" / "openapi_client.yaml"), "--fail-on-warning",
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main() -> int:
    with live_api("client", ROOT / ".services" / "client", worker=True) as api:
        status = generate(api.base)
        if status != 0:
            log("client", f"openapi-python-client failed with {status}")
            return status
        log("client", f"generated {PACKAGE.relative_to(ROOT)}; running scripts/client_example.py")
        env = {
            **os.environ,
            "PYTHONPATH": str(OUTPUT),
            "VIGIL_API_URL": api.base,
            "VIGIL_TENANT": api.slug,
            "VIGIL_API_KEY": api.api_key,
        }
        example = [sys.executable, str(ROOT / "scripts" / "client_example.py")]
        status = subprocess.run(example, cwd=ROOT, env=env, check=False).returncode
    log("client", f"done: exit {status}; server and worker logs in .services/client/")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
