"""What a rule matches: scripts, case, word boundaries, phrases, NEAR distances and field filters."""

import pytest
import rjieba

from monitoring.rules import MatchDocument, RuleSet, normalize_text


def post(text: str, **fields: str) -> MatchDocument:
    defaults = {"platform": "weibo", "language": "zh"}
    return MatchDocument(text=text, tokens=rjieba.cut(text), **{**defaults, **fields})


def matches(expression: str, doc: MatchDocument) -> bool:
    return RuleSet([("rule", expression)]).match(doc) == ["rule"]


def test_normalised_text_is_simplified_lower_case_nfc_with_spaces_collapsed():
    assert normalize_text(" 蘋果 iPhone\u3000质量 问题\n Cafe\u0301  OK ") == "苹果 iphone 质量问题 café ok"


@pytest.mark.parametrize(
    ("expression", "text", "expected"),
    [
        ("召回", "比亚迪宣布召回部分车辆", True),
        ("召回", "比亚迪宣布收回部分车辆", False),
        ("蘋果", "苹果手机", True),
        ("苹果", "蘋果手機", True),
        ('"質量問題"', "这是质量问题吧", True),
        ("iPhone", "新款IPHONE发布", True),
        ("IPHONE", "苹果iPhone发布会", True),
        ("car", "A scary movie", False),
        ("car", "cars are expensive", False),
        ("car", "my CAR, again", True),
        ("car", "买了car很开心", True),
        ("su7", "小米SU7发布", True),
        ("su7", "小米SU77发布", False),
        ("15", "iPhone 150", False),
        ("15", "iPhone 15 发布", True),
        ("c++", "learning C++!", True),
        ("McDonald's", "I love mcdonald's fries", True),
        ("café", "Cafe\u0301 opening", True),
    ],
)
def test_terms_match_across_script_and_case_and_latin_terms_only_whole_words(expression, text, expected):
    assert matches(expression, post(text)) is expected


@pytest.mark.parametrize(
    ("text", "phrase", "words"),
    [
        ("Huge data breach at the bank", True, True),
        ("Huge DATA\n  Breach at the bank", True, True),
        ("breach of customer data", False, True),
        ("database breach", False, False),
    ],
)
def test_a_phrase_needs_its_words_in_order_while_bare_words_need_them_anywhere(text, phrase, words):
    doc = post(text, language="en")

    assert matches('"data breach"', doc) is phrase
    assert matches("data breach", doc) is words


def test_spaces_in_a_chinese_phrase_do_not_matter():
    assert matches('"质量 问题"', post("出现质量问题"))
    assert matches('"质量问题"', post("出现质量 问题"))
    assert not matches('"质量 问题"', post("质量没有问题"))


@pytest.mark.parametrize(
    ("expression", "text", "expected"),
    [
        ('"刹车" NEAR/2 失灵', "刹车突然失灵", True),
        ('"刹车" NEAR/2 失灵', "失灵的是刹车", False),
        ('"刹车" NEAR/3 失灵', "失灵的是刹车", True),
        ("失灵 NEAR/3 刹车", "失灵的是刹车", True),
        ("刹车 NEAR/5 失灵", "他说刹车在高速上突然就失灵了", False),
        ("刹车 NEAR/6 失灵", "他说刹车在高速上突然就失灵了", True),
        ("刹车 NEAR/6 失灵", "刹车很好，但是后来屏幕也坏了", False),
        ("brake NEAR/3 failure", "the brake suffered a total failure", False),
        ("brake NEAR/4 failure", "the brake suffered a total failure", True),
        ('"total failure" NEAR/3 brake', "the brake suffered a total failure", True),
        ("召回 NEAR/4 召回", "召回了，再次召回", True),
        ("召回 NEAR/3 召回", "召回了，再次召回", False),
        ("召回 NEAR/9 召回", "只召回一次", False),
    ],
)
def test_near_counts_words_between_hits_in_either_order(expression, text, expected):
    assert matches(expression, post(text)) is expected


def test_near_uses_the_closest_pair_of_hits():
    text = "刹车很好。屏幕坏了，键盘坏了，喇叭坏了，后来又说刹车失灵"

    assert matches("失灵 NEAR/1 刹车", post(text))


def test_adjacent_terms_must_all_be_present():
    assert matches("小米 召回", post("小米汽车宣布召回"))
    assert not matches("小米 召回", post("小米汽车宣布降价"))


def test_not_only_rules_match_every_post_without_the_term():
    assert matches("NOT 广告", post("小米汽车宣布召回"))
    assert not matches("NOT 广告", post("小米汽车广告"))
    assert matches("NOT 广告", post(""))


@pytest.mark.parametrize(
    ("expression", "fields", "expected"),
    [
        ("platform:weibo", {"platform": "weibo"}, True),
        ("platform:weibo", {"platform": "douyin"}, False),
        ("platform:(weibo OR douyin)", {"platform": "douyin"}, True),
        ("lang:zh", {"language": "zh"}, True),
        ("lang:zh", {"language": "zh-Hant"}, True),
        ("lang:zh-hant", {"language": "zh"}, False),
        ("lang:en", {"language": "zh"}, False),
        ('author:"某某 Official"', {"author_name": "某某 OFFICIAL"}, True),
        ('author:"某某"', {"author_name": "某某 Official"}, False),
        ("author_id:12345", {"author_id": "12345"}, True),
        ("author_id:12345", {"author_id": "123456"}, False),
        ("召回 AND platform:weibo", {"platform": "weibo"}, True),
        ("召回 AND NOT platform:weibo", {"platform": "weibo"}, False),
    ],
)
def test_field_filters(expression, fields, expected):
    assert matches(expression, post("小米宣布召回", **fields)) is expected


def test_keys_come_back_in_the_order_the_rules_were_given():
    rules = RuleSet([(30, "召回"), ("brand", "小米"), (10, "NOT 广告"), (20, "降价")])

    assert rules.match(post("小米召回")) == [30, "brand", 10]


def test_a_rule_set_without_terms_or_rules_still_matches():
    assert RuleSet([("x", "platform:x")]).match(post("anything", platform="x")) == ["x"]
    assert RuleSet([]).match(post("anything")) == []


def test_text_that_cannot_be_encoded_does_not_break_matching():
    doc = MatchDocument(text="召回\ud800", tokens=["召回", "\ud800"], platform="weibo", language="zh")

    assert RuleSet([("r", "召回")]).match(doc) == ["r"]
