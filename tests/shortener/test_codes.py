"""Code generators and alias rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.errors import InvalidAlias, InvalidInput
from suo.shortener.codes import (
    ALPHABET,
    RESERVED,
    HashCodes,
    RandomCodes,
    SequenceCodes,
    check_alias,
    decode_base62,
    encode_base62,
)


@given(st.integers(min_value=0, max_value=2**128))
def test_base62_round_trip(n: int) -> None:
    code = encode_base62(n)
    assert set(code) <= set(ALPHABET)
    assert decode_base62(code) == n


def test_base62_rejects_bad_input() -> None:
    with pytest.raises(InvalidInput):
        encode_base62(-1)
    with pytest.raises(InvalidInput, match="not a base-62 digit"):
        decode_base62("ab-c")


@given(st.integers(min_value=2, max_value=8), st.binary(min_size=1, max_size=16), st.data())
def test_sequence_codes_are_a_bijection(length: int, key: bytes, data: st.DataObject) -> None:
    gen = SequenceCodes(key=key, length=length)
    n = data.draw(st.integers(min_value=0, max_value=62**length - 1))
    code = gen.encode(n)
    assert len(code) == length
    assert set(code) <= set(ALPHABET)
    assert gen.decode(code) == n


def test_sequence_codes_never_collide_over_a_whole_small_space() -> None:
    gen = SequenceCodes(key=b"k", length=2)
    codes = {gen.encode(i) for i in range(62**2)}
    assert len(codes) == 62**2


def test_sequence_codes_do_not_reveal_order() -> None:
    gen = SequenceCodes(key=b"secret", length=6)
    codes = [gen.encode(i) for i in range(1, 50)]
    assert codes != sorted(codes)
    assert gen.encode(7) != SequenceCodes(key=b"other", length=6).encode(7)


@given(st.text(min_size=1, max_size=200))
def test_hash_codes_are_deterministic(target: str) -> None:
    gen = HashCodes(length=8)
    a = gen.generate(target, 0, lambda: 0)
    assert a == gen.generate(target, 0, lambda: 0)
    assert len(a) == 8
    assert gen.generate(target, 1, lambda: 0) != a or gen.generate(target, 2, lambda: 0) != a


def test_random_codes_grow_when_crowded() -> None:
    gen = RandomCodes(length=4, grow_after=3)
    assert len(gen.generate("x", 0, lambda: 0)) == 4
    assert len(gen.generate("x", 1, lambda: 0)) == 4
    assert len(gen.generate("x", 3, lambda: 0)) == 5
    assert gen.length == 5


def test_random_codes_are_spread() -> None:
    gen = RandomCodes(length=7)
    codes = {gen.generate("x", 0, lambda: 0) for _ in range(2000)}
    assert len(codes) == 2000


@pytest.mark.parametrize("alias", ["a", "spring-sale", "A_1", "x" * 64, "9lives"])
def test_valid_aliases(alias: str) -> None:
    assert check_alias(alias) == alias


@pytest.mark.parametrize(
    "alias", ["", "-x", "_x", "a b", "a/b", "x" * 65, "中文", "a.b", "a\n", "a%20"]
)
def test_invalid_aliases(alias: str) -> None:
    with pytest.raises(InvalidAlias, match="not allowed"):
        check_alias(alias)


@pytest.mark.parametrize("alias", sorted(w for w in RESERVED if "." not in w))
def test_reserved_aliases_any_case(alias: str) -> None:
    with pytest.raises(InvalidAlias, match="reserved"):
        check_alias(alias.upper())
