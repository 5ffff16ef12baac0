"""Monitoring rules: boolean keyword expressions, their validation, and a compiled matcher for many rules at once."""

from monitoring.rules.document import MatchDocument
from monitoring.rules.errors import RuleSyntaxError
from monitoring.rules.matcher import RuleSet
from monitoring.rules.nodes import And, Field, Near, Node, Not, Or, Term
from monitoring.rules.normalize import normalize_text
from monitoring.rules.syntax import MAX_LENGTH, MAX_NESTING, MAX_TERMS, PLATFORMS, parse, validate

__all__ = [
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_TERMS",
    "PLATFORMS",
    "And",
    "Field",
    "MatchDocument",
    "Near",
    "Node",
    "Not",
    "Or",
    "RuleSet",
    "RuleSyntaxError",
    "Term",
    "normalize_text",
    "parse",
    "validate",
]
