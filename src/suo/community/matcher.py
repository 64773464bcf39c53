"""Keyword matching with one Aho-Corasick automaton (pyahocorasick).

A rulebook may carry thousands of banned words. Looping ``word in text`` over
them costs one scan per word; the automaton finds every word in one pass over
the text, whatever the number of words.

By default a keyword matches anywhere in the text, as a substring, because
Chinese has no spaces between words: ``"加我微信"`` must match inside
``"快加我微信领红包"``. With ``whole_word=True`` a keyword must not be glued
to letters or digits of space-separated scripts (Latin, Cyrillic, Greek,
Hangul...) on either side: ``"ad"`` then matches ``"an ad!"`` but not
``"adidas"``. Han, kana and other scripts written without spaces never form a
word boundary, so an edge made of those characters matches as a substring.

Example:
    >>> m = KeywordMatcher(["加我微信", "spam"])
    >>> m.search("快加我微信领红包"), m.first("no spam here"), m.first("hello")
    (['加我微信'], 'spam', None)
    >>> KeywordMatcher(["ad"], whole_word=True).search("adidas ad")
    ['ad']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import ahocorasick

from suo.errors import InvalidInput

__all__ = ["KeywordMatcher"]


def _spaceless(ch: str) -> bool:
    """Characters of scripts written without spaces between words (Han, kana, Thai...)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, CJK symbols, unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0x20000 <= code <= 0x3FFFF  # CJK extensions
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao
        or 0x1000 <= code <= 0x109F  # Myanmar
        or 0x1780 <= code <= 0x17FF  # Khmer
    )


def _wordy(ch: str) -> bool:
    return (ch.isalnum() or ch == "_") and not _spaceless(ch)


class KeywordMatcher:
    """Find which of many keywords occur in a text, in one pass.

    Args:
        words: the keywords (non-empty strings; duplicates are fine).
        whole_word: require word boundaries (see the module notes).
        case_sensitive: ``False`` compares lower-cased text and words.
        normalize: apply Unicode NFKC first (full-width ``ｗｘ`` reads as ``wx``).

    With the defaults, :meth:`first` finds a keyword exactly when
    ``any(word in text for word in words)`` is true.

    Raises:
        InvalidInput: a keyword is empty or not a string.
    """

    __slots__ = (
        "_automaton",
        "_empty",
        "_plain",
        "case_sensitive",
        "normalize",
        "whole_word",
        "words",
    )

    def __init__(
        self,
        words: Iterable[str],
        *,
        whole_word: bool = False,
        case_sensitive: bool = True,
        normalize: bool = False,
    ) -> None:
        self.whole_word = whole_word
        self.case_sensitive = case_sensitive
        self.normalize = normalize
        self._plain = case_sensitive and not normalize
        unique: dict[str, None] = {}
        for word in words:
            if not isinstance(word, str) or not word:
                raise InvalidInput(
                    f"keywords must be non-empty strings, got {word!r}; drop empty entries"
                )
            unique[word] = None
        self.words: tuple[str, ...] = tuple(unique)
        # Words that read the same after case folding / NFKC share one key;
        # the value keeps every original spelling (reported) and the key's length.
        spellings: dict[str, list[str]] = {}
        for word in self.words:
            key = self._prepare(word)
            if key:
                spellings.setdefault(key, []).append(word)
        automaton = ahocorasick.Automaton()
        for key, originals in spellings.items():
            automaton.add_word(key, (tuple(originals), len(key)))
        self._empty = len(automaton) == 0
        if not self._empty:
            automaton.make_automaton()
        self._automaton = automaton

    def _prepare(self, text: str) -> str:
        if self.normalize:
            text = unicodedata.normalize("NFKC", text)
        if not self.case_sensitive:
            lowered = text.lower()
            # Lower-casing can change the length ('İ'); keep positions aligned.
            text = (
                lowered
                if len(lowered) == len(text)
                else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
            )
        return text

    def _bounded(self, text: str, end: int, length: int) -> bool:
        start = end - length + 1
        if _wordy(text[start]) and start > 0 and _wordy(text[start - 1]):
            return False
        return not (_wordy(text[end]) and end + 1 < len(text) and _wordy(text[end + 1]))

    def first(self, text: str) -> str | None:
        """One keyword found in ``text`` (the first to end), or ``None``."""
        if self._empty:
            return None
        prepared = text if self._plain else self._prepare(text)
        if not self.whole_word:
            for _end, (words, _n) in self._automaton.iter(prepared):
                return str(words[0])
            return None
        for end, (words, n) in self._automaton.iter(prepared):
            if self._bounded(prepared, end, n):
                return str(words[0])
        return None

    def search(self, text: str, *, limit: int = 20) -> list[str]:
        """The distinct keywords found in ``text``, in order of where they end (at most ``limit``)."""
        if self._empty:
            return []
        prepared = text if self._plain else self._prepare(text)
        found: dict[str, None] | None = None  # made on the first hit: most texts have none
        whole = self.whole_word
        for end, (words, n) in self._automaton.iter(prepared):
            if whole and not self._bounded(prepared, end, n):
                continue
            if found is None:
                found = {}
            for word in words:
                found[word] = None
            if len(found) >= limit:
                break
        return [] if found is None else list(found)[:limit]

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.first(text) is not None

    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:
        return (
            f"KeywordMatcher({len(self.words)} words, whole_word={self.whole_word}, "
            f"case_sensitive={self.case_sensitive}, normalize={self.normalize})"
        )
