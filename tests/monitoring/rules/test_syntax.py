"""The rule language: what parses to what, and every error with the column it points at."""

import pytest

from config.errors import ValidationError
from monitoring.rules import (
    MAX_LENGTH,
    MAX_NESTING,
    MAX_TERMS,
    And,
    Field,
    Near,
    Not,
    Or,
    RuleSyntaxError,
    Term,
    parse,
    validate,
)

a, b, c, d = Term("a"), Term("b"), Term("c"), Term("d")


@pytest.mark.parametrize(
    ("expression", "tree"),
    [
        ("a OR b AND c", Or((a, And((b, c))))),
        ("a AND b OR c AND d", Or((And((a, b)), And((c, d))))),
        ("(a OR b) AND c", And((Or((a, b)), c))),
        ("a b OR c", Or((And((a, b)), c))),
        ("a b c", And((a, b, c))),
        ("a (b OR c)", And((a, Or((b, c))))),
        ("NOT a AND b", And((Not(a), b))),
        ("NOT (a OR b)", Not(Or((a, b)))),
        ("a NOT b", And((a, Not(b)))),
        ("NOT NOT a", a),
        ("NOT NOT NOT a", Not(a)),
        ("a NEAR/3 b AND c", And((Near(a, b, 3), c))),
        ("a OR b NEAR/2 c", Or((a, Near(b, c, 2)))),
        ("!a && b || c", Or((And((Not(a), b)), c))),
        ("a&&b", And((a, b))),
        ("wow! a", And((Term("wow!"), a))),
        ("((a))", a),
    ],
)
def test_precedence_is_not_then_near_then_and_then_or(expression, tree):
    assert parse(expression) == tree


def test_terms_are_normalised_and_phrases_keep_their_spaces():
    assert parse('蘋果 iPhone "Data  Breach" "质量 问题"') == And(
        (Term("苹果"), Term("iphone"), Term("data breach"), Term("质量问题"))
    )


def test_quotes_inside_phrases_are_escaped_with_backslash():
    assert parse(r'"say \"sorry\"" "back\\slash"') == And((Term('say "sorry"'), Term("back\\slash")))


def test_keywords_are_only_operators_in_upper_case():
    assert parse('apple and "AND" near') == And((Term("apple"), Term("and"), Term("and"), Term("near")))


def test_near_takes_terms_or_phrases_in_either_order():
    assert parse('"刹车" NEAR/5 失灵') == Near(Term("刹车"), Term("失灵"), 5)
    assert parse('brake NEAR/12 "stopped working"') == Near(Term("brake"), Term("stopped working"), 12)


def test_field_filters_normalise_their_values():
    tree = parse('platform:Weibo lang:ZH author:"Some One " author_id:12345')

    assert tree == And(
        (
            Field("platform", frozenset({"weibo"})),
            Field("lang", frozenset({"zh"})),
            Field("author", frozenset({"some one"})),
            Field("author_id", frozenset({"12345"})),
        )
    )


def test_a_field_takes_a_group_of_values_joined_by_or():
    assert parse("platform:(weibo OR douyin OR weibo) 召回") == And(
        (Field("platform", frozenset({"weibo", "douyin"})), Term("召回"))
    )


def test_rules_of_only_not_or_only_filters_are_allowed():
    assert parse("NOT 广告") == Not(Term("广告"))
    assert parse("platform:x lang:en-us") == And(
        (Field("platform", frozenset({"x"})), Field("lang", frozenset({"en-us"})))
    )


def test_validate_accepts_a_valid_expression():
    validate('(小米 OR "xiaomi") AND (召回 OR 投诉) AND NOT 广告 AND platform:(weibo OR douyin)')


@pytest.mark.parametrize(
    ("expression", "message", "column"),
    [
        ("", "Empty expression", 1),
        ("   ", "Empty expression", 1),
        ("(召回 OR 投诉", "Unbalanced parenthesis", 1),
        ("召回 OR 投诉) AND 质量", "Unbalanced parenthesis", 9),
        ("a OR (", "Unbalanced parenthesis", 6),
        ("()", "Empty parentheses", 1),
        ("lawsuit NOT", "Expected a term after NOT", 9),
        ("召回 AND", "Expected a term after AND", 4),
        ("召回 OR OR 质量", "Expected a term after OR", 4),
        ("(召回 AND)", "Expected a term after AND", 5),
        ("a && ||", "Expected a term after &&", 3),
        ("a !", "Expected a term after !", 3),
        ("AND 召回", "Expected a term before AND", 1),
        ("(OR a)", "Expected a term before OR", 2),
        ("colour:red", "Unknown field 'colour'", 1),
        ("召回 http://x", "Unknown field 'http'", 4),
        (":a", "Unexpected ':'", 1),
        ('abc "foo', "Unterminated quote", 5),
        (r'"foo\"', "Unterminated quote", 1),
        ('"" 召回', "Empty phrase", 1),
        ("brake NEAR fail", "NEAR needs a distance like NEAR/5", 7),
        ("brake NEAR/x fail", "NEAR needs a distance like NEAR/5", 7),
        ("brake NEAR/0 fail", "NEAR distance must be at least 1", 7),
        ("(a OR b) NEAR/3 c", "NEAR needs a term or phrase on each side", 10),
        ("a NEAR/3 b NEAR/3 c", "NEAR needs a term or phrase on each side", 12),
        ("NOT a NEAR/3 b", "NEAR needs a term or phrase on each side", 7),
        ("a NEAR/3 platform:x", "NEAR needs a term or phrase on each side", 3),
        ("platform:tiktok", "Unknown platform 'tiktok'", 10),
        ("platform:(weibo OR TikTok)", "Unknown platform 'TikTok'", 20),
        ("召回 platform:", "Expected a value after 'platform:'", 4),
        ("platform:(OR weibo)", "Expected a value after 'platform:'", 1),
        ("platform:(weibo OR)", "Expected a value after OR", 17),
        ("platform:(weibo douyin)", "Only OR can join the values of 'platform:'", 17),
        ("platform:(weibo", "Unbalanced parenthesis", 10),
        ("platform:()", "Empty parentheses", 10),
        ('author:" "', "Empty value for 'author:'", 8),
        ("lang:chinese", "Invalid language code 'chinese'", 6),
    ],
)
def test_errors_name_the_problem_and_its_column(expression, message, column):
    with pytest.raises(RuleSyntaxError) as raised:
        parse(expression)

    assert raised.value.message == f"{message} at column {column}"
    assert raised.value.column == column


def test_a_syntax_error_is_a_validation_error_on_the_expression_field():
    with pytest.raises(ValidationError) as raised:
        validate("召回 AND")

    assert isinstance(raised.value, RuleSyntaxError)
    assert raised.value.as_dict() == {
        "code": "invalid_expression",
        "message": "Expected a term after AND at column 4",
        "field": "expression",
    }


def test_expression_length_is_limited():
    assert parse("a" * MAX_LENGTH) == Term("a" * MAX_LENGTH)

    with pytest.raises(RuleSyntaxError) as raised:
        parse("a" * (MAX_LENGTH + 1))

    assert raised.value.message == f"Expression is longer than {MAX_LENGTH} characters at column {MAX_LENGTH + 1}"


def test_term_count_is_limited_and_the_error_points_at_the_first_term_too_many():
    allowed = " OR ".join(f"t{i}" for i in range(MAX_TERMS))
    too_many = f"{allowed} OR t{MAX_TERMS}"
    tree = parse(allowed)
    assert isinstance(tree, Or)
    assert len(tree.operands) == MAX_TERMS

    with pytest.raises(RuleSyntaxError) as raised:
        parse(too_many)

    column = too_many.index(f"t{MAX_TERMS}") + 1
    assert raised.value.message == f"More than {MAX_TERMS} terms at column {column}"


def test_near_operands_count_as_terms_and_field_values_do_not():
    at_limit = " ".join(["a NEAR/2 b"] * (MAX_TERMS // 2)) + " platform:(weibo OR douyin)"

    assert isinstance(parse(at_limit), And)


def test_nesting_is_limited():
    assert parse("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == a

    with pytest.raises(RuleSyntaxError) as raised:
        parse("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))

    assert raised.value.message == f"Nesting deeper than {MAX_NESTING} levels at column {MAX_NESTING + 1}"


def test_a_long_run_of_not_does_not_exhaust_the_stack():
    assert parse("!" * (MAX_LENGTH - 1) + "a") == Not(a)
