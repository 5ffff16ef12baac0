"""Topic clustering on hand-made posts: what joins, what stays apart, what replies follow, what merges."""

from collections import Counter
from itertools import count

from monitoring.topics.clustering import Clusterer, TopicVector, Vocabulary, merges
from monitoring.topics.terms import topic_terms

HOUR = 3600.0


def clusterer(threshold: float = 0.3, topics: tuple[TopicVector, ...] = ()) -> Clusterer:
    ids = count(1)
    return Clusterer(Vocabulary(), topics, threshold=threshold, active_seconds=72 * HOUR, new_topic=lambda _: next(ids))


def terms(text: str) -> Counter[str]:
    return topic_terms(text.lower().split())


def test_posts_about_one_event_share_a_topic_and_another_event_opens_its_own():
    c = clusterer()
    first = c.assign(terms("galaxy note2 battery explodes in pocket"), 0)
    second = c.assign(terms("another note2 battery explodes while charging"), 60)
    other = c.assign(terms("airline loses luggage of whole flight"), 120)
    assert first == second
    assert other != first


def test_a_topic_that_went_quiet_takes_no_new_posts():
    c = clusterer()
    first = c.assign(terms("galaxy note2 battery explodes"), 0)
    later = c.assign(terms("galaxy note2 battery explodes"), 100 * HOUR)
    assert later != first


def test_a_reply_follows_its_root_unless_its_words_clearly_belong_elsewhere():
    c = clusterer()
    battery = c.assign(terms("galaxy note2 battery explodes in pocket"), 0)
    luggage = c.assign(terms("airline loses luggage of whole flight"), 10)
    assert c.follow(battery, terms("wow"), 20) == battery
    assert c.follow(battery, terms("airline loses luggage again flight"), 30) == luggage


def test_stopwords_links_numbers_and_emoticon_codes_are_not_terms():
    found = topic_terms(["我们", "什么", "三星", "爆炸", "[哈哈]", "http", "t.cn", "2013", "转发", "微博", "a", "the"])
    assert set(found) == {"三星", "爆炸"}


def test_topics_whose_centroids_meet_merge_into_the_larger():
    big = TopicVector(1, Counter({"note2": 5, "battery": 5, "explodes": 3}), 0, touched=True)
    small = TopicVector(2, Counter({"note2": 1, "battery": 1, "explodes": 1}), 0)
    unrelated = TopicVector(3, Counter({"airline": 2, "luggage": 2}), 0)
    c = clusterer(topics=(big, small, unrelated))
    assert merges(c, 0.6) == [(1, 2)]
    assert set(c.topics) == {1, 3}
    assert c.topics[1].counts["note2"] == 6


def test_the_idf_weighs_rare_terms_above_common_ones():
    vocabulary = Vocabulary()
    for text in ("note2 battery", "note2 screen", "note2 price"):
        vocabulary.add(terms(text))
    assert vocabulary.idf("battery") > vocabulary.idf("note2")
