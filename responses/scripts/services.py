"""Reply scripts (話術庫): templates with {variables}, approval, rendering that counts usage."""

import string
from typing import Any

from django.db import transaction
from django.db.models import F

from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from responses.cases.timeline import timeline_add
from responses.models import CrisisCase, ReplyScript, Scenario, ScriptApproval, ScriptLanguage
from tenants.identity.principals import Principal, check_permission

MAX_BODY = 5000


def variables_of(body: str, *, field: str = "body") -> list[str]:
    """The {names} a template needs, in order of first use; a malformed template is a 400 naming `field`."""
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise ValidationError(
            f"Template is malformed: {exc} (write {{{{ and }}}} for literal braces).", field=field
        ) from exc
    names: list[str] = []
    for _text, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValidationError(f"Placeholder '{{{name}}}' must be a plain name like {{customer_name}}.", field=field)
        if name not in names:
            names.append(name)
    return names


def _check(errors: ErrorList, values: dict[str, Any]) -> None:
    if "name" in values:
        values["name"] = required_text(errors, values["name"])
    if "body" in values:
        values["body"] = required_text(errors, values["body"], field="body", label="Body", limit=MAX_BODY)
    if "language" in values and values["language"] not in ScriptLanguage.values:
        errors.add("language", f"Unknown language '{values['language']}'; expected zh-Hans, zh-Hant or en.")
    unknown = [s for s in values.get("scenarios") or [] if s not in Scenario.values]
    if unknown:
        errors.add("scenarios", f"Unknown scenario '{unknown[0]}'.")


@transaction.atomic
def script_create(
    *,
    actor: Principal,
    name: str,
    body: str,
    scenarios: list[str] | None = None,
    tone: str = "",
    language: str = ScriptLanguage.ZH_HANS,
) -> ReplyScript:
    check_permission(actor, "scripts.manage")
    values: dict[str, Any] = {"name": name, "body": body, "scenarios": scenarios or [], "language": language}
    errors = ErrorList()
    _check(errors, values)
    errors.raise_if_any()
    variables_of(values["body"])
    if ReplyScript.objects.filter(name=values["name"], language=values["language"]).exists():
        raise ConflictError(
            f"A reply script named '{values['name']}' already exists in {values['language']}.", field="name"
        )
    return ReplyScript.objects.create(tone=tone, **values)


@transaction.atomic
def script_update(
    *,
    actor: Principal,
    script_id: int,
    name: str = UNSET,
    body: str = UNSET,
    scenarios: list[str] = UNSET,
    tone: str = UNSET,
    language: str = UNSET,
) -> ReplyScript:
    check_permission(actor, "scripts.manage")
    script = locked_or_404(ReplyScript, script_id, "reply script")
    given = {
        k: v
        for k, v in {"name": name, "body": body, "scenarios": scenarios, "tone": tone, "language": language}.items()
        if v is not UNSET
    }
    errors = ErrorList()
    _check(errors, given)
    errors.raise_if_any()
    if "body" in given:
        variables_of(str(given["body"]))
        if given["body"] != script.body and script.approval == ScriptApproval.APPROVED:
            # An edited text has not been approved: it goes back to draft.
            script.approval, script.approved_by = ScriptApproval.DRAFT, ""
    name_now, language_now = given.get("name", script.name), given.get("language", script.language)
    if ReplyScript.objects.filter(name=name_now, language=language_now).exclude(pk=script.pk).exists():
        raise ConflictError(f"A reply script named '{name_now}' already exists in {language_now}.", field="name")
    for key, value in given.items():
        setattr(script, key, value)
    script.save()
    return script


@transaction.atomic
def script_approve(*, actor: Principal, script_id: int) -> ReplyScript:
    check_permission(actor, "scripts.approve")
    script = locked_or_404(ReplyScript, script_id, "reply script")
    script.approval, script.approved_by = ScriptApproval.APPROVED, actor.name
    script.save()
    return script


@transaction.atomic
def script_render(*, actor: Principal, script_id: int, variables: dict[str, Any], case_id: int | None = None) -> str:
    """The script with its variables filled in; only approved scripts are used, and each use is counted. A use for a
    case goes on its timeline (`script_used`), which is how the case's response effects see it."""
    check_permission(actor, "cases.work")
    case = None
    if case_id is not None:
        case = CrisisCase.objects.filter(pk=case_id).first()
        if case is None:
            raise NotFoundError(f"No case {case_id}.", field="case_id")
    script = ReplyScript.objects.filter(pk=script_id).first()
    if script is None:
        raise NotFoundError(f"No reply script {script_id}.", field="id")
    if script.approval != ScriptApproval.APPROVED:
        raise ConflictError(
            f"Reply script {script_id} is {script.approval}; only approved scripts can be used.",
            field="id",
            code="not_approved",
        )
    missing = [name for name in variables_of(script.body) if name not in variables]
    if missing:
        raise ValidationError(f"Missing variable '{missing[0]}'.", field=f"variables.{missing[0]}")
    text = script.body.format(**{k: str(v) for k, v in variables.items()})
    ReplyScript.objects.filter(pk=script.pk).update(usage_count=F("usage_count") + 1)
    if case is not None:
        timeline_add(
            case,
            "script_used",
            actor,
            f"Reply script #{script.pk} '{script.name}' ({script.language}) used",
            script_id=script.pk,
            name=script.name,
            language=script.language,
        )
    return text


@transaction.atomic
def script_delete(*, actor: Principal, script_id: int) -> None:
    check_permission(actor, "scripts.manage")
    if not ReplyScript.objects.filter(pk=script_id).delete()[0]:
        raise NotFoundError(f"No reply script {script_id}.", field="id")
