"""Turns a rule tree into a closure over a scanned document, and picks the terms that can trigger it."""

from collections.abc import Callable, Mapping

from monitoring.rules.document import ScannedDocument
from monitoring.rules.nodes import And, Field, Near, Node, Not, Or, Term

Evaluator = Callable[[ScannedDocument], bool]


def compile_rule(node: Node, term_ids: Mapping[str, int]) -> Evaluator:
    """A closure that says whether the rule matches; term checks are set look-ups on the ids the automaton found."""
    match node:
        case Term(text=text):
            term = term_ids[text]
            return lambda doc: term in doc.present
        case Near(left=left, right=right, distance=distance):
            first, second = term_ids[left.text], term_ids[right.text]
            return lambda doc: doc.near(first, second, distance)
        case Field():
            return _field(node)
        case Not(operand=operand):
            inner = compile_rule(operand, term_ids)
            return lambda doc: not inner(doc)
        case And(operands=operands):
            terms, others = _split(operands, term_ids)
            return _all(terms, others)
        case Or(operands=operands):
            terms, others = _split(operands, term_ids)
            return _any(terms, others)


def _split(operands: tuple[Node, ...], term_ids: Mapping[str, int]) -> tuple[frozenset[int], tuple[Evaluator, ...]]:
    """Bare terms become one set operation; only the other operands need closures of their own."""
    terms = frozenset(term_ids[op.text] for op in operands if isinstance(op, Term))
    others = tuple(compile_rule(op, term_ids) for op in operands if not isinstance(op, Term))
    return terms, others


def _all(terms: frozenset[int], others: tuple[Evaluator, ...]) -> Evaluator:
    if not others:
        return lambda doc: terms <= doc.present

    def evaluate(doc: ScannedDocument) -> bool:
        if not terms <= doc.present:
            return False
        # A plain loop: all() over a generator costs a third of the matching time on this hot path.
        for other in others:  # noqa: SIM110
            if not other(doc):
                return False
        return True

    return evaluate


def _any(terms: frozenset[int], others: tuple[Evaluator, ...]) -> Evaluator:
    if not others:
        return lambda doc: not terms.isdisjoint(doc.present)

    def evaluate(doc: ScannedDocument) -> bool:
        if not terms.isdisjoint(doc.present):
            return True
        for other in others:  # noqa: SIM110 - as in _all, a loop beats any() over a generator here
            if other(doc):
                return True
        return False

    return evaluate


def _field(node: Field) -> Evaluator:
    values = node.values
    match node.name:
        case "platform":
            return lambda doc: doc.platform in values
        case "lang":
            return lambda doc: not values.isdisjoint(doc.languages)
        case "author":
            return lambda doc: doc.author_name in values
        case "author_id":
            return lambda doc: doc.author_id in values


def trigger_terms(node: Node, term_ids: Mapping[str, int], rule_counts: Mapping[int, int]) -> frozenset[int] | None:
    """Terms of which at least one is present in every document the rule matches, or None if no such set exists.

    Of the candidate sets an AND offers, the one whose terms appear in the fewest rules wins: a term many rules
    share (投诉, recall) is usually a common word, while the rarer ones are the brands that make a post relevant.
    """
    match node:
        case Term(text=text):
            return frozenset({term_ids[text]})
        case Near(left=left, right=right):
            return frozenset({min(term_ids[left.text], term_ids[right.text], key=rule_counts.__getitem__)})
        case Field() | Not():
            return None
        case And(operands=operands):
            options = [t for t in (trigger_terms(op, term_ids, rule_counts) for op in operands) if t is not None]
            if not options:
                return None
            return min(options, key=lambda terms: sum(rule_counts[term] for term in terms))
        case Or(operands=operands):
            union: set[int] = set()
            for op in operands:
                terms = trigger_terms(op, term_ids, rule_counts)
                if terms is None:
                    return None
                union |= terms
            return frozenset(union)
