"""KeywordMatcher: one automaton that flags exactly what the naive loop flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.community import KeywordMatcher
from suo.community.samples import sample_keywords, sample_messages
from suo.errors import InvalidInput

from .strategies import any_texts, texts, word_lists


@given(word_lists, texts)
def test_first_agrees_with_naive_loop(words: list[str], text: str) -> None:
    matcher = KeywordMatcher(words)
    assert (matcher.first(text) is not None) == any(word in text for word in words)


@given(word_lists, texts)
def test_search_finds_exactly_the_words_in_the_text(words: list[str], text: str) -> None:
    found = KeywordMatcher(words).search(text, limit=10_000)
    assert set(found) == {w for w in words if w in text}
    assert len(found) == len(set(found))


@given(word_lists, texts)
def test_case_insensitive_agrees_with_lowered_naive(words: list[str], text: str) -> None:
    matcher = KeywordMatcher(words, case_sensitive=False)
    assert set(matcher.search(text, limit=10_000)) == {
        w for w in words if w.lower() in text.lower()
    }


@given(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=10), any_texts)
def test_any_unicode_agrees_with_naive(words: list[str], text: str) -> None:
    assert (KeywordMatcher(words).first(text) is not None) == any(w in text for w in words)


def test_two_thousand_sample_keywords_flag_the_same_messages() -> None:
    words = sample_keywords(2000)
    messages = sample_messages(words, 2000, spam_share=0.15)
    matcher = KeywordMatcher(words)
    ours = [matcher.first(m) is not None for m in messages]
    naive = [any(w in m for w in words) for m in messages]
    assert ours == naive
    assert 200 < sum(ours) < 400  # the sample really contains spam


def test_chinese_matches_as_substring() -> None:
    m = KeywordMatcher(["加我微信", "红包"])
    assert m.search("快来加我微信领红包") == ["加我微信", "红包"]
    assert m.first("微信加我") is None


def test_whole_word_for_latin_but_substring_for_han() -> None:
    m = KeywordMatcher(["ad", "广告"], whole_word=True)
    assert m.search("adidas") == []
    assert m.search("an ad!") == ["ad"]
    assert m.search("看ad了") == ["ad"]  # Han neighbours are not word characters
    assert m.search("这是广告吗") == ["广告"]
    assert m.search("ad_x ads bad") == []


def test_normalize_reads_full_width() -> None:
    m = KeywordMatcher(["wx"], normalize=True, case_sensitive=False)
    assert m.first("加ＷＸ") == "wx"
    assert KeywordMatcher(["wx"]).first("加ＷＸ") is None


def test_empty_keyword_is_refused() -> None:
    with pytest.raises(InvalidInput, match="non-empty"):
        KeywordMatcher(["ok", ""])
    assert KeywordMatcher([]).first("anything") is None
    assert "加我微信" not in KeywordMatcher(["spam"])
    assert "spam me" in KeywordMatcher(["spam"])
