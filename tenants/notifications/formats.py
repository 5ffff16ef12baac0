"""Request bodies per webhook format: the generic envelope, or the message shape each chat robot expects."""

from collections.abc import Callable
from typing import Any

from tenants.notifications.models import WebhookFormat

# Platform limits: longer messages are refused outright, so an alert would never arrive.
SLACK_SECTION_MAX_CHARS = 3000
WECOM_MARKDOWN_MAX_BYTES = 4096


def _clip_chars(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _clip_bytes(value: str, limit: int) -> str:
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value
    return encoded[: limit - len("…".encode())].decode("utf-8", errors="ignore") + "…"


def _slack_escape(value: str) -> str:
    # Slack reads <…> as links and mentions; these three are the characters it asks senders to escape.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def envelope_ordered(payload: dict[str, Any]) -> dict[str, Any]:
    """The envelope with its keys in the documented order (jsonb storage does not keep it)."""
    return {key: payload[key] for key in ("id", "type", "created_at", "tenant", "data")}


def _generic(payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    return envelope_ordered(payload)


def _slack(payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    message = _clip_chars(f"*{_slack_escape(title)}*\n{_slack_escape(text)}", SLACK_SECTION_MAX_CHARS)
    return {"text": message, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": message}}]}


def _wecom(payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"content": _clip_bytes(f"## {title}\n{text}", WECOM_MARKDOWN_MAX_BYTES)},
    }


def _dingtalk(payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": f"## {title}\n\n{text}"}}


def _feishu(payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    return {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}


_RENDERERS: dict[str, Callable[[dict[str, Any], str, str], dict[str, Any]]] = {
    WebhookFormat.GENERIC: _generic,
    WebhookFormat.SLACK: _slack,
    WebhookFormat.WECOM: _wecom,
    WebhookFormat.DINGTALK: _dingtalk,
    WebhookFormat.FEISHU: _feishu,
}


def render_body(format: str, *, payload: dict[str, Any], title: str, text: str) -> dict[str, Any]:
    return _RENDERERS[format](payload, title, text)
