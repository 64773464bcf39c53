"""Hypothesis strategies for community objects and texts."""

from __future__ import annotations

from hypothesis import strategies as st

# A small alphabet makes keyword hits common: mixed Han, Latin (both cases),
# digits, spaces and punctuation.
ALPHABET = "加我微信优惠领红包aAbBvVxX01 ，,.!"

words = st.text(alphabet=ALPHABET, min_size=1, max_size=4)
word_lists = st.lists(words, min_size=1, max_size=40)
texts = st.text(alphabet=ALPHABET, max_size=40)
any_texts = st.text(max_size=60)
