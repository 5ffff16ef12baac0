"""Matches posts against many rules at once: one automaton pass per post, then only the rules it can trigger."""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import ahocorasick

from monitoring.rules.compiler import compile_rule, trigger_terms
from monitoring.rules.document import MatchDocument, ScannedDocument
from monitoring.rules.nodes import Near, Term, walk
from monitoring.rules.normalize import is_spaced_word_char, normalize_text
from monitoring.rules.syntax import parse

# What the automaton stores per term: its id, its length, whether its first and last characters must sit on a
# word boundary (Latin letters and digits), and whether a NEAR needs the positions of its hits.
_TermInfo = tuple[int, int, bool, bool, bool]


class RuleSet:
    """Rules compiled once; `match` returns the keys of the rules a post satisfies, in the order they were given."""

    def __init__(self, rules: Iterable[tuple[Hashable, str]]) -> None:
        pairs = list(rules)
        self._keys = [key for key, _ in pairs]
        trees = [parse(expression) for _, expression in pairs]

        term_ids: dict[str, int] = {}
        rule_counts: Counter[int] = Counter()
        positional: set[str] = set()
        for tree in trees:
            nodes = list(walk(tree))
            texts = {node.text for node in nodes if isinstance(node, Term)}
            rule_counts.update(term_ids.setdefault(text, len(term_ids)) for text in texts)
            positional.update(
                text for node in nodes if isinstance(node, Near) for text in (node.left.text, node.right.text)
            )

        self._automaton = _automaton(term_ids, positional)
        self._evaluators = [compile_rule(tree, term_ids) for tree in trees]
        triggered: defaultdict[int, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for index, tree in enumerate(trees):
            terms = trigger_terms(tree, term_ids, rule_counts)
            if terms is None:
                self._always.append(index)
            else:
                for term in terms:
                    triggered[term].append(index)
        self._triggered = {term: tuple(indices) for term, indices in triggered.items()}

    def match(self, doc: MatchDocument) -> list[Hashable]:
        scanned = self._scan(doc)
        candidates = set(self._always)
        for term in scanned.present:
            candidates.update(self._triggered.get(term, ()))
        evaluators = self._evaluators
        return [self._keys[index] for index in sorted(candidates) if evaluators[index](scanned)]

    def match_batch(self, docs: Sequence[MatchDocument]) -> list[list[Hashable]]:
        return [self.match(doc) for doc in docs]

    def _scan(self, doc: MatchDocument) -> ScannedDocument:
        text = normalize_text(doc.text)
        present: set[int] = set()
        offsets: dict[int, list[int]] = {}
        if self._automaton is not None:
            last = len(text) - 1
            for end, (term, length, left_edge, right_edge, needs_offsets) in self._automaton.iter(text):
                start = end - length + 1
                if left_edge and start > 0 and is_spaced_word_char(text[start - 1]):
                    continue
                if right_edge and end < last and is_spaced_word_char(text[end + 1]):
                    continue
                present.add(term)
                if needs_offsets:
                    offsets.setdefault(term, []).append(start)
        return ScannedDocument(doc, text, present, offsets)


def _automaton(term_ids: dict[str, int], positional: set[str]) -> Any:
    """One Aho-Corasick automaton over every distinct term of every rule, or None when no rule has a term."""
    if not term_ids:
        return None
    automaton = ahocorasick.Automaton()
    for text, term in term_ids.items():
        info: _TermInfo = (
            term,
            len(text),
            is_spaced_word_char(text[0]),
            is_spaced_word_char(text[-1]),
            text in positional,
        )
        automaton.add_word(text, info)
    automaton.make_automaton()
    return automaton
