"""What an alert change says to people: a title and text for chat, the full explanation as data."""

from config.timestamps import format_timestamp
from monitoring.models import Alert, Brand, MonitoringRule
from monitoring.warning.engine import Change

LEVEL_NAMES = {"blue": "Blue (IV)", "yellow": "Yellow (III)", "orange": "Orange (II)", "red": "Red (I)"}
VERBS = {"opened": "opened", "escalated": "escalated to", "reminded": "still at", "resolved": "resolved, was"}


def scope_label(scope: str) -> str:
    kind, _, ident = scope.partition(":")
    if kind == "rule":
        rule = MonitoringRule.objects.filter(pk=ident).first()
        return f"rule “{rule.name}”" if rule else scope
    if kind == "brand":
        brand = Brand.objects.filter(pk=ident).first()
        return f"brand “{brand.name}”" if brand else scope
    return "all monitoring"


def alert_payload(alert: Alert) -> dict[str, object]:
    return {
        "alert_id": alert.pk,
        "policy": {"id": alert.policy_id, "name": alert.policy.name},
        "scope": alert.scope,
        "status": alert.status,
        "level": alert.level,
        "peak_level": alert.peak_level,
        "index": alert.index_value,
        "opened_at": format_timestamp(alert.opened_at),
        "indicators": alert.indicators,
    }


def notify_change(change: Change) -> None:
    from api.webhooks.services import notify

    alert = Alert.objects.select_related("policy").get(pk=int(change.alert_id or 0))
    kind = "reminded" if change.kind == "reminded" else change.kind
    title = f"[{LEVEL_NAMES[change.level]}] {alert.policy.name}: {scope_label(alert.scope)} {VERBS[kind]}"
    top = sorted(alert.indicators, key=lambda r: r["contribution"], reverse=True)[:3]
    lines = [f"Warning index {change.index:.0f}/100 ({VERBS[kind]} {LEVEL_NAMES[change.level]})."]
    lines += [f"- {r['key']}: {r['explanation']} (score {r['score']:.2f} × weight {r['weight']:.2f})" for r in top]
    notify(
        event_type=f"alert.{kind}",
        data={"change": change.kind, **alert_payload(alert)},
        title=title,
        text="\n".join(lines),
    )
