"""Reads on reply scripts."""

from django.db.models import QuerySet

from config.errors import ValidationError
from responses.models import ReplyScript, Scenario, ScriptLanguage
from tenants.identity.principals import Principal, check_permission


def script_list(*, actor: Principal, scenario: str = "", language: str = "", name: str = "") -> QuerySet[ReplyScript]:
    """Scripts by name then language; `name` gives one reply's language variants."""
    check_permission(actor, "cases.read")
    if language and language not in ScriptLanguage.values:
        raise ValidationError(f"Unknown language '{language}'; expected zh-Hans, zh-Hant or en.", field="language")
    if scenario and scenario not in Scenario.values:
        raise ValidationError(f"Unknown scenario '{scenario}'.", field="scenario")
    scripts = ReplyScript.objects.order_by("name", "language")
    if name:
        scripts = scripts.filter(name=name)
    if scenario:
        scripts = scripts.filter(scenarios__contains=[scenario])
    if language:
        scripts = scripts.filter(language=language)
    return scripts
