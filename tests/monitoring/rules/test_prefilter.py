"""The compiled matcher with its automaton and prefilter agrees with a plain walk of each rule's tree."""

import random
import re

import pytest
import rjieba

from monitoring.rules import And, Field, MatchDocument, Near, Node, Not, Or, RuleSet, Term, normalize_text, parse

SEED = 1_234
TERMS = [
    "苹果", "蘋果", "质量", "質量", "问题", "召回", "投诉", "刹车", "失灵", "广告", "小米", "退款", "车",
    "car", "scary", "Car", "data", "breach", "iPhone", "iphone15", "su7", "小米su7",
    '"data breach"', '"质量 问题"', '"刹车失灵"', '"小米 SU7"',
]  # fmt: skip
FIELDS = ["platform:weibo", "platform:(douyin OR x)", "lang:zh", "lang:en", 'author:"某某"', "author_id:42"]
FILLER = ["的", "了", "很", "。", "cars", "a", "database", "scary", "說", "SCARY", "carpool", "15"]


def random_expression(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth == 0 or roll < 0.35:
        kind = rng.random()
        if kind < 0.15:
            return rng.choice(FIELDS)
        if kind < 0.3:
            return f"{rng.choice(TERMS)} NEAR/{rng.randint(1, 4)} {rng.choice(TERMS)}"
        return rng.choice(TERMS)
    if roll < 0.5:
        return f"NOT ({random_expression(rng, depth - 1)})"
    operands = [f"({random_expression(rng, depth - 1)})" for _ in range(rng.randint(2, 3))]
    return rng.choice([" AND ", " ", " OR "]).join(operands)


def random_post(rng: random.Random) -> MatchDocument:
    words = [w.strip('"') for w in rng.choices(TERMS, k=rng.randint(0, 5))] + rng.choices(FILLER, k=rng.randint(0, 8))
    rng.shuffle(words)
    text = "".join(rng.choice(["", " "]) + (w.upper() if rng.random() < 0.2 else w) for w in words)
    return MatchDocument(
        text=text,
        tokens=rjieba.cut(text),
        platform=rng.choice(["weibo", "douyin", "x", "news"]),
        language=rng.choice(["zh", "en", "zh-hant"]),
        author_name=rng.choice(["某某", "其他", ""]),
        author_id=rng.choice(["42", "7"]),
    )


def hits(text: str, term: str) -> list[int]:
    """Start offsets of every occurrence; the vocabulary's Latin letters are all ASCII."""
    left = r"(?<![a-z0-9_])" if re.match(r"[a-z0-9_]", term[0]) else ""
    right = r"(?![a-z0-9_])" if re.match(r"[a-z0-9_]", term[-1]) else ""
    return [m.start() for m in re.finditer(f"(?={left}{re.escape(term)}{right})", text)]


def word_index(text: str, tokens: list[str]) -> list[int]:
    """For each character of the normalised text, the index of the word it falls in (-1 before the first)."""
    starts, at = [], 0
    for token in tokens:
        normalized = normalize_text(token)
        found = text.find(normalized, at) if normalized else -1
        if found >= 0:
            starts.append(found)
            at = found + len(normalized)
    return [sum(1 for start in starts if start <= offset) - 1 for offset in range(len(text))]


def naive_matches(trees: list[tuple[int, Node]], doc: MatchDocument) -> list[int]:
    text = normalize_text(doc.text)
    owner = word_index(text, doc.tokens)

    def evaluate(node: Node) -> bool:
        match node:
            case Term(text=term):
                return bool(hits(text, term))
            case Near(left=left, right=right, distance=distance):
                return any(
                    abs(owner[i] - owner[j]) <= distance
                    for i in hits(text, left.text)
                    for j in hits(text, right.text)
                    if left != right or i != j
                )
            case Field(name="platform", values=values):
                return doc.platform in values
            case Field(name="lang", values=values):
                return doc.language in values or doc.language.split("-")[0] in values
            case Field(name="author", values=values):
                return doc.author_name.lower() in values
            case Field(name="author_id", values=values):
                return doc.author_id in values
            case Not(operand=operand):
                return not evaluate(operand)
            case And(operands=operands):
                return all(evaluate(op) for op in operands)
            case Or(operands=operands):
                return any(evaluate(op) for op in operands)
        raise AssertionError(node)

    return [key for key, tree in trees if evaluate(tree)]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[tuple[int, str]], list[MatchDocument]]:
    rng = random.Random(SEED)
    rules = [(index, random_expression(rng, 3)) for index in range(300)]
    docs = [random_post(rng) for _ in range(300)]
    return rules, docs


def test_compiled_matching_with_prefilter_equals_a_naive_walk(corpus):
    rules, docs = corpus
    trees = [(key, parse(expression)) for key, expression in rules]

    compiled = RuleSet(rules).match_batch(docs)
    naive = [naive_matches(trees, doc) for doc in docs]

    assert compiled == naive
    matched = sum(map(len, naive))
    assert 0.05 * len(rules) * len(docs) < matched < 0.95 * len(rules) * len(docs)


def test_match_batch_is_match_for_each_document_in_order(corpus):
    rules, docs = corpus
    rule_set = RuleSet(rules)

    assert rule_set.match_batch(docs[:20]) == [rule_set.match(doc) for doc in docs[:20]]
    assert rule_set.match_batch([]) == []
