"""Standard Webhooks (https://www.standardwebhooks.com) signatures, and the 加签 of DingTalk and Feishu robots."""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

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


def _hmac_sha256_base64(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode("ascii")


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk custom robot 加签: HMAC-SHA256 of "{timestamp}\\n{secret}" keyed with the secret, base64."""
    return _hmac_sha256_base64(secret, f"{timestamp_ms}\n{secret}")


def dingtalk_signed_url(url: str, *, secret: str, timestamp_ms: int) -> str:
    """The robot URL (…/robot/send?access_token=…) with `timestamp` and the URL-encoded `sign` appended."""
    parts = urlsplit(url)
    signature = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms)})
    query = f"{parts.query}&{signature}" if parts.query else signature
    return urlunsplit(parts._replace(query=query))


def feishu_sign(*, secret: str, timestamp_s: int) -> str:
    """Feishu / Lark custom bot 签名校验: HMAC-SHA256 of an empty message keyed with "{timestamp}\\n{secret}"."""
    return _hmac_sha256_base64(f"{timestamp_s}\n{secret}", "")


def feishu_signed_body(body: dict[str, Any], *, secret: str, timestamp_s: int) -> dict[str, Any]:
    """The message with the top-level `timestamp` (seconds, a string) and `sign` the bot checks."""
    return {"timestamp": str(timestamp_s), "sign": feishu_sign(secret=secret, timestamp_s=timestamp_s), **body}
