"""The parsed form of a rule expression. Term texts and field values are already normalised."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

FieldName = Literal["platform", "lang", "author", "author_id"]


@dataclass(frozen=True, slots=True)
class Term:
    text: str


@dataclass(frozen=True, slots=True)
class Near:
    left: Term
    right: Term
    distance: int


@dataclass(frozen=True, slots=True)
class Field:
    name: FieldName
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Node"


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple["Node", ...]


Node = Term | Near | Field | Not | And | Or


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        match current:
            case Near(left=left, right=right):
                stack += (right, left)
            case Not(operand=operand):
                stack.append(operand)
            case And(operands=operands) | Or(operands=operands):
                stack.extend(reversed(operands))
