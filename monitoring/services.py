"""Writes on what a tenant watches: monitoring rules and brands."""

from django.db import transaction

from config.archive import archive, refuse_archived, restore
from config.errors import ConflictError, ErrorList
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from monitoring.models import Brand, BrandKind, MonitoringRule
from monitoring.rules import validate as validate_expression
from tenants.billing.quotas import plan_limit_check
from tenants.identity.principals import Principal, check_permission

MAX_KEYWORDS = 50


def _check_keywords(errors: ErrorList, keywords: list[str]) -> list[str]:
    cleaned = [k.strip() for k in keywords if k.strip()]
    if len(cleaned) > MAX_KEYWORDS:
        errors.add("keywords", f"At most {MAX_KEYWORDS} keywords.")
    for keyword in cleaned:
        if len(keyword) > 100:
            errors.add("keywords", f"Keyword '{keyword[:20]}…' is longer than 100 characters.")
            break
    return list(dict.fromkeys(cleaned))


def rules_in_use() -> int:
    """What the plan's `rules` limit counts: rules not archived (paused ones included)."""
    return MonitoringRule.objects.filter(archived_at__isnull=True).count()


def brands_in_use() -> int:
    """What the plan's `brands` limit counts: brands not archived (own and competitors)."""
    return Brand.objects.filter(archived_at__isnull=True).count()


def _unique(model: type[MonitoringRule] | type[Brand], name: str, exclude: int | None = None) -> None:
    others = model.objects.filter(name=name, archived_at__isnull=True)
    clash = (others.exclude(pk=exclude) if exclude is not None else others).exists()
    if clash:
        raise ConflictError(f"A {model._meta.verbose_name} named '{name}' already exists.", field="name")


@transaction.atomic
def rule_create(
    *, actor: Principal, name: str, expression: str, description: str = "", is_active: bool = True
) -> MonitoringRule:
    check_permission(actor, "rules.manage")
    errors = ErrorList()
    name = required_text(errors, name)
    errors.raise_if_any()
    validate_expression(expression)
    _unique(MonitoringRule, name)
    plan_limit_check("rules")
    return MonitoringRule.objects.create(
        name=name, expression=expression.strip(), description=description, is_active=is_active
    )


@transaction.atomic
def rule_update(
    *,
    actor: Principal,
    rule_id: int,
    name: str = UNSET,
    expression: str = UNSET,
    description: str = UNSET,
    is_active: bool = UNSET,
) -> MonitoringRule:
    check_permission(actor, "rules.manage")
    rule = locked_or_404(MonitoringRule, rule_id, "rule")
    refuse_archived(rule, "rule")
    errors = ErrorList()
    if name is not UNSET:
        rule.name = required_text(errors, name)
    errors.raise_if_any()
    if expression is not UNSET:
        validate_expression(expression)
        rule.expression = expression.strip()
    if name is not UNSET:
        _unique(MonitoringRule, rule.name, exclude=rule.pk)
    if description is not UNSET:
        rule.description = description
    if is_active is not UNSET:
        rule.is_active = is_active
    rule.save()
    return rule


@transaction.atomic
def rule_archive(*, actor: Principal, rule_id: int) -> MonitoringRule:
    """What DELETE does: the rule stops matching new mentions; mentions it matched keep its id."""
    check_permission(actor, "rules.manage")
    return archive(MonitoringRule, rule_id, "rule", actor=actor)[0]


@transaction.atomic
def rule_restore(*, actor: Principal, rule_id: int) -> MonitoringRule:
    check_permission(actor, "rules.manage")
    if MonitoringRule.objects.filter(pk=rule_id, archived_at__isnull=False).exists():
        plan_limit_check("rules")
    return restore(MonitoringRule, rule_id, "rule", actor=actor)[0]


def _check_kind(errors: ErrorList, kind: str) -> None:
    if kind not in BrandKind.values:
        errors.add("kind", f"Unknown kind '{kind}'; expected own or competitor.")


@transaction.atomic
def brand_create(
    *,
    actor: Principal,
    name: str,
    expression: str,
    kind: str = BrandKind.OWN,
    keywords: list[str] | None = None,
    is_active: bool = True,
) -> Brand:
    check_permission(actor, "rules.manage")
    errors = ErrorList()
    name = required_text(errors, name)
    _check_kind(errors, kind)
    cleaned = _check_keywords(errors, keywords or [])
    errors.raise_if_any()
    validate_expression(expression)
    _unique(Brand, name)
    plan_limit_check("brands")
    return Brand.objects.create(
        name=name, expression=expression.strip(), kind=kind, keywords=cleaned, is_active=is_active
    )


@transaction.atomic
def brand_update(
    *,
    actor: Principal,
    brand_id: int,
    name: str = UNSET,
    expression: str = UNSET,
    kind: str = UNSET,
    keywords: list[str] = UNSET,
    is_active: bool = UNSET,
) -> Brand:
    check_permission(actor, "rules.manage")
    brand = locked_or_404(Brand, brand_id, "brand")
    refuse_archived(brand, "brand")
    errors = ErrorList()
    if name is not UNSET:
        brand.name = required_text(errors, name)
    if kind is not UNSET:
        _check_kind(errors, kind)
        brand.kind = kind
    if keywords is not UNSET:
        brand.keywords = _check_keywords(errors, keywords)
    errors.raise_if_any()
    if expression is not UNSET:
        validate_expression(expression)
        brand.expression = expression.strip()
    if name is not UNSET:
        _unique(Brand, brand.name, exclude=brand.pk)
    if is_active is not UNSET:
        brand.is_active = is_active
    brand.save()
    return brand


@transaction.atomic
def brand_archive(*, actor: Principal, brand_id: int) -> Brand:
    """What DELETE does: the brand stops matching; cases and mentions linked to it keep it."""
    check_permission(actor, "rules.manage")
    return archive(Brand, brand_id, "brand", actor=actor)[0]


@transaction.atomic
def brand_restore(*, actor: Principal, brand_id: int) -> Brand:
    check_permission(actor, "rules.manage")
    if Brand.objects.filter(pk=brand_id, archived_at__isnull=False).exists():
        plan_limit_check("brands")
    return restore(Brand, brand_id, "brand", actor=actor)[0]
