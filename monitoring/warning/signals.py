"""Signals other apps hook into without the warning engine knowing them (crisis cases promote alerts)."""

from django.dispatch import Signal

# Sent inside the engine's transaction after an alert opened, escalated, was reminded or resolved;
# keyword arguments: alert (monitoring.Alert), kind (str).
alert_changed = Signal()
