"""Standard Webhooks (https://www.standardwebhooks.com) secrets and signatures, via the reference library."""

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "Vigil-Webhooks/1"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_mask(secret: str) -> str | None:
    """What the API shows after creation: enough to tell two secrets apart, not enough to sign."""
    if not secret:
        return None
    return f"{SECRET_PREFIX}…{secret[-4:]}"


def signed_headers(*, secret: str, message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """Headers for one request; the timestamp is the attempt's, so receivers can refuse stale replays."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
