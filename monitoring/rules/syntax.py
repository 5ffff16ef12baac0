"""The rule language: a recursive-descent parser from expression text to a normalised tree.

    expression := or
    or         := and ("OR" and)*
    and        := near (["AND"] near)*            -- adjacent operands mean AND
    near       := unary ("NEAR/n" unary)*         -- both sides must be terms or phrases
    unary      := "NOT"* primary
    primary    := word | phrase | field ":" values | "(" or ")"
    values     := value | "(" value ("OR" value)* ")"

Precedence is NOT > NEAR > AND > OR; `&&`, `||` and `!` spell AND, OR and NOT.
"""

import re
from collections.abc import Callable
from typing import cast

from monitoring.rules.errors import RuleSyntaxError
from monitoring.rules.lexer import Kind, Token, tokenize
from monitoring.rules.nodes import And, Field, FieldName, Near, Node, Not, Or, Term
from monitoring.rules.normalize import normalize_name, normalize_text

MAX_LENGTH = 4_000
MAX_TERMS = 200
MAX_NESTING = 32

PLATFORMS = frozenset(
    {
        "weibo",
        "wechat",
        "douyin",
        "xiaohongshu",
        "bilibili",
        "zhihu",
        "x",
        "facebook",
        "instagram",
        "youtube",
        "reddit",
        "news",
        "forum",
        "other",
    }
)

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_OPERAND_START = frozenset({Kind.WORD, Kind.PHRASE, Kind.FIELD, Kind.LPAREN, Kind.NOT})
_BINARY = frozenset({Kind.AND, Kind.OR, Kind.NEAR})
_VALUE = frozenset({Kind.WORD, Kind.PHRASE})


def _platform(raw: str, token: Token) -> str:
    value = raw.lower()
    if value not in PLATFORMS:
        raise RuleSyntaxError(f"Unknown platform '{raw}'", token.column)
    return value


def _language(raw: str, token: Token) -> str:
    value = raw.lower()
    if _LANGUAGE.fullmatch(value) is None:
        raise RuleSyntaxError(f"Invalid language code '{raw}'", token.column)
    return value


def _author(raw: str, token: Token) -> str:
    return normalize_name(raw)


def _author_id(raw: str, token: Token) -> str:
    return raw


_FIELDS: dict[FieldName, Callable[[str, Token], str]] = {
    "platform": _platform,
    "lang": _language,
    "author": _author,
    "author_id": _author_id,
}


def parse(expression: str) -> Node:
    """The tree of a rule expression; raises RuleSyntaxError naming the problem and its column."""
    if len(expression) > MAX_LENGTH:
        raise RuleSyntaxError(f"Expression is longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    return _Parser(tokenize(expression)).expression()


def validate(expression: str) -> None:
    parse(expression)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> Node:
        first = self.peek()
        if first.kind is Kind.END:
            raise RuleSyntaxError("Empty expression", 1)
        node = self.or_(None)
        rest = self.peek()
        if rest.kind is Kind.RPAREN:
            raise RuleSyntaxError("Unbalanced parenthesis", rest.column)
        return node

    # `after` is the token just before the operand being parsed: an operator, "(", or None at the start.
    # It lets "Expected a term" errors name the operator that is missing its operand.

    def or_(self, after: Token | None) -> Node:
        operands = [self.and_(after)]
        while self.peek().kind is Kind.OR:
            operator = self.advance()
            operands.append(self.and_(operator))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self, after: Token | None) -> Node:
        operands = [self.near(after)]
        while True:
            token = self.peek()
            if token.kind is Kind.AND:
                self.advance()
                operands.append(self.near(token))
            elif token.kind in _OPERAND_START:
                operands.append(self.near(None))
            else:
                break
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def near(self, after: Token | None) -> Node:
        left = self.unary(after)
        while self.peek().kind is Kind.NEAR:
            operator = self.advance()
            right = self.unary(operator)
            if not (isinstance(left, Term) and isinstance(right, Term)):
                raise RuleSyntaxError("NEAR needs a term or phrase on each side", operator.column)
            left = Near(left, right, operator.distance)
        return left

    def unary(self, after: Token | None) -> Node:
        # Counting instead of recursing keeps a long run of NOTs from exhausting the stack.
        negations = 0
        while self.peek().kind is Kind.NOT:
            after = self.advance()
            negations += 1
        operand = self.primary(after)
        return Not(operand) if negations % 2 else operand

    def primary(self, after: Token | None) -> Node:
        token = self.peek()
        if token.kind in _VALUE:
            self.advance()
            return self.term(token)
        if token.kind is Kind.FIELD:
            self.advance()
            return self.field(token)
        if token.kind is Kind.LPAREN:
            self.open(token)
            node = self.or_(token)
            self.close(token)
            return node
        raise self.missing_term(token, after)

    def missing_term(self, token: Token, after: Token | None) -> RuleSyntaxError:
        if after is not None and after.kind is not Kind.LPAREN:
            return RuleSyntaxError(f"Expected a term after {after.text}", after.column)
        if token.kind in _BINARY:
            return RuleSyntaxError(f"Expected a term before {token.text}", token.column)
        if after is not None and token.kind is Kind.END:
            return RuleSyntaxError("Unbalanced parenthesis", after.column)
        return RuleSyntaxError("Unbalanced parenthesis", token.column)

    def open(self, paren: Token) -> None:
        self.advance()
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise RuleSyntaxError(f"Nesting deeper than {MAX_NESTING} levels", paren.column)
        if self.peek().kind is Kind.RPAREN:
            raise RuleSyntaxError("Empty parentheses", paren.column)

    def close(self, paren: Token) -> None:
        if self.peek().kind is not Kind.RPAREN:
            raise RuleSyntaxError("Unbalanced parenthesis", paren.column)
        self.advance()
        self.depth -= 1

    def term(self, token: Token) -> Term:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise RuleSyntaxError(f"More than {MAX_TERMS} terms", token.column)
        text = normalize_text(token.text)
        if not text:
            raise RuleSyntaxError("Empty phrase", token.column)
        return Term(text)

    def field(self, token: Token) -> Field:
        if token.text.lower() not in _FIELDS:
            raise RuleSyntaxError(f"Unknown field '{token.text}'", token.column)
        name = cast(FieldName, token.text.lower())
        convert = _FIELDS[name]
        first = self.peek()
        if first.kind in _VALUE:
            self.advance()
            return Field(name, frozenset({self.value(token, first, convert)}))
        if first.kind is not Kind.LPAREN:
            raise RuleSyntaxError(f"Expected a value after '{token.text}:'", token.column)
        self.open(first)
        values = {self.value(token, self.expect_value(token), convert)}
        while self.peek().kind is Kind.OR:
            operator = self.advance()
            values.add(self.value(token, self.expect_value(operator), convert))
        if self.peek().kind not in (Kind.RPAREN, Kind.END):
            raise RuleSyntaxError(f"Only OR can join the values of '{token.text}:'", self.peek().column)
        self.close(first)
        return Field(name, frozenset(values))

    def expect_value(self, after: Token) -> Token:
        token = self.peek()
        if token.kind not in _VALUE:
            described = f"'{after.text}:'" if after.kind is Kind.FIELD else after.text
            raise RuleSyntaxError(f"Expected a value after {described}", after.column)
        return self.advance()

    def value(self, field: Token, token: Token, convert: Callable[[str, Token], str]) -> str:
        raw = token.text.strip()
        if not raw:
            raise RuleSyntaxError(f"Empty value for '{field.text}:'", token.column)
        return convert(raw, token)
