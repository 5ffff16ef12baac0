from monitoring.nlp import Analyzer, get_analyzer


def test_traditional_text_segments_like_its_simplified_form() -> None:
    analyzer = Analyzer()

    assert analyzer.analyze("臺北颱風災害").tokens == ["台北", "台风", "灾害"]
    assert analyzer.analyze("台北台风灾害").tokens == ["台北", "台风", "灾害"]


def test_user_words_stay_whole_case_insensitively_and_in_traditional_form() -> None:
    analyzer = Analyzer(["蔚来ES8", "小鹏汽车", "iPhone 17"])

    tokens = analyzer.analyze("我把蔚来es8换成了小鵬汽車，还买了IPHONE 17").tokens

    assert tokens == ["我", "把", "蔚来es8", "换成", "了", "小鹏汽车", "还", "买", "了", "iphone 17"]


def test_user_word_does_not_match_inside_a_longer_latin_word() -> None:
    tokens = Analyzer(["iPhone 17"]).analyze("iPhone 170 发布").tokens

    assert "iphone 17" not in tokens
    assert tokens == ["iphone", "170", "发布"]


def test_user_words_do_not_leak_into_other_analyzers() -> None:
    tenant_a = get_analyzer(frozenset({"小鹏汽车"}))
    tenant_b = get_analyzer(frozenset({"蔚来ES8"}))
    plain = Analyzer()
    text = "小鹏汽车和蔚来ES8"

    assert tenant_a.analyze(text).tokens == ["小鹏汽车", "和", "蔚来", "es8"]
    assert tenant_b.analyze(text).tokens == ["小鹏", "汽车", "和", "蔚来es8"]
    assert plain.analyze(text).tokens == ["小鹏", "汽车", "和", "蔚来", "es8"]


def test_get_analyzer_is_cached_per_dictionary() -> None:
    assert get_analyzer(frozenset({"小鹏汽车"})) is get_analyzer(frozenset({"小鹏汽车"}))
    assert get_analyzer(frozenset({"小鹏汽车"})) is not get_analyzer(frozenset())


def test_weibo_emoticons_are_single_tokens() -> None:
    tokens = Analyzer().analyze("太好笑了[哈哈][doge]").tokens

    assert tokens == ["太", "好笑", "了", "[哈哈]", "[doge]"]


def test_traditional_emoticon_becomes_its_simplified_token() -> None:
    assert Analyzer().analyze("[淚]").tokens == ["[泪]"]


def test_whitespace_and_punctuation_are_dropped_and_latin_words_lowercased() -> None:
    tokens = Analyzer().analyze("Hello,  World!!! 你好。。。").tokens

    assert tokens == ["hello", "world", "你好"]


def test_fullwidth_latin_is_folded_to_halfwidth() -> None:
    tokens = Analyzer(["iPhone 17"]).analyze("Ｈｅｌｌｏ世界！ｉＰｈｏｎｅ　１７").tokens

    assert tokens == ["hello", "世界", "iphone 17"]


def test_words_jieba_would_split_by_character_stay_whole() -> None:
    assert Analyzer().analyze("café 오늘 날씨가 привет").tokens == ["café", "오늘", "날씨가", "привет"]


def test_query_tokens_match_document_tokens() -> None:
    analyzer = Analyzer(["小鹏汽车"])
    text = "小鵬汽車的電池起火了 [怒]"

    assert analyzer.query_tokens(text) == analyzer.analyze(text).tokens
    assert analyzer.query_tokens(text) == ["小鹏汽车", "的", "电池", "起火", "了", "[怒]"]
