"""Splits an expression into tokens that remember their 1-based column."""

import re
from dataclasses import dataclass
from enum import Enum

from monitoring.rules.errors import RuleSyntaxError


class Kind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    NEAR = "NEAR"
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the word, the unescaped phrase, the field name, or the operator as written
    column: int
    distance: int = 0


# A bare word runs up to whitespace, a parenthesis, a quote, a colon, or a `&&` / `||` operator.
_WORD = re.compile(r'(?:[^\s()":&|]|&(?!&)|\|(?!\|))+')
_NEAR = re.compile(r"NEAR/([0-9]+)")
_KEYWORDS = {"AND": Kind.AND, "OR": Kind.OR, "NOT": Kind.NOT, "&&": Kind.AND, "||": Kind.OR}


def tokenize(expression: str) -> list[Token]:
    """All tokens, ending with an END token placed just past the last character."""
    tokens: list[Token] = []
    at = 0
    while at < len(expression):
        char = expression[at]
        column = at + 1
        if char.isspace():
            at += 1
        elif char in "()":
            tokens.append(Token(Kind.LPAREN if char == "(" else Kind.RPAREN, char, column))
            at += 1
        elif char == '"':
            text, at = _phrase(expression, at)
            tokens.append(Token(Kind.PHRASE, text, column))
        elif expression.startswith(("&&", "||"), at):
            tokens.append(Token(_KEYWORDS[expression[at : at + 2]], expression[at : at + 2], column))
            at += 2
        elif char == "!":
            tokens.append(Token(Kind.NOT, char, column))
            at += 1
        elif char == ":":
            raise RuleSyntaxError("Unexpected ':'", column)
        else:
            match = _WORD.match(expression, at)
            assert match is not None  # every character the branches above leave out starts a word
            word = match.group()
            at = match.end()
            if expression.startswith(":", at):
                tokens.append(Token(Kind.FIELD, word, column))
                at += 1
            else:
                tokens.append(_word_token(word, column))
    tokens.append(Token(Kind.END, "", len(expression) + 1))
    return tokens


def _phrase(expression: str, start: int) -> tuple[str, int]:
    """The unescaped text of the quoted phrase opening at `start`, and the index just past its closing quote."""
    chars: list[str] = []
    at = start + 1
    while at < len(expression):
        char = expression[at]
        if char == "\\" and expression[at + 1 : at + 2] in ('"', "\\"):
            chars.append(expression[at + 1])
            at += 2
        elif char == '"':
            return "".join(chars), at + 1
        else:
            chars.append(char)
            at += 1
    raise RuleSyntaxError("Unterminated quote", start + 1)


def _word_token(word: str, column: int) -> Token:
    if word in _KEYWORDS:
        return Token(_KEYWORDS[word], word, column)
    if word == "NEAR" or word.startswith("NEAR/"):
        near = _NEAR.fullmatch(word)
        if near is None:
            raise RuleSyntaxError("NEAR needs a distance like NEAR/5", column)
        distance = int(near.group(1))
        if distance < 1:
            raise RuleSyntaxError("NEAR distance must be at least 1", column)
        return Token(Kind.NEAR, word, column, distance)
    return Token(Kind.WORD, word, column)
