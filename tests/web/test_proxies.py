"""Client IP: the socket peer, or X-Forwarded-For only from trusted proxies (rightmost untrusted)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.errors import ConfigurationError
from suo.web.proxies import TrustedProxies, parse_ip

PROXIES = TrustedProxies.of(["10.0.0.0/8", "fd00::/8", "127.0.0.1"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("203.0.113.9:5555", "203.0.113.9"),
        ("2001:DB8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("unknown", None),
        ("_hidden", None),
        ("", None),
        ("[2001:db8::1", None),
        ("999.1.1.1", None),
        ("1.2.3.4, 5.6.7.8", None),
        ("x" * 200, None),
    ],
)
def test_parse_ip(raw: str, expected: str | None) -> None:
    assert parse_ip(raw) == expected


def test_untrusted_peer_ignores_the_header() -> None:
    assert PROXIES.client_ip("198.51.100.4", "1.1.1.1") == "198.51.100.4"
    assert TrustedProxies().client_ip("127.0.0.1", "1.1.1.1") == "127.0.0.1"


def test_no_header_gives_the_peer() -> None:
    assert PROXIES.client_ip("10.0.0.1", None) == "10.0.0.1"
    assert PROXIES.client_ip("10.0.0.1", "") == "10.0.0.1"


def test_rightmost_untrusted_wins_over_a_spoofed_left_part() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the real address.
    assert PROXIES.client_ip("10.0.0.2", "6.6.6.6, 203.0.113.9") == "203.0.113.9"
    # Two layers of our own proxies.
    assert PROXIES.client_ip("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.1.1") == "203.0.113.9"
    # A spoofed entry that *is* in our range, left of the real client, changes nothing.
    assert PROXIES.client_ip("10.0.0.2", "10.9.9.9, 203.0.113.9") == "203.0.113.9"


def test_all_trusted_gives_the_leftmost() -> None:
    assert PROXIES.client_ip("10.0.0.2", "10.0.0.5, 10.0.0.3") == "10.0.0.5"


def test_garbage_entry_stops_at_the_hop_that_reported_it() -> None:
    assert PROXIES.client_ip("10.0.0.2", "203.0.113.9, garbage") == "10.0.0.2"
    assert PROXIES.client_ip("10.0.0.2", "garbage, 10.0.0.7") == "10.0.0.7"


def test_ipv6_and_mapped_peers() -> None:
    assert PROXIES.client_ip("fd00::1", "2001:db8::5") == "2001:db8::5"
    assert PROXIES.client_ip("::ffff:10.0.0.2", "203.0.113.9") == "203.0.113.9"


def test_unix_socket_peer() -> None:
    assert TrustedProxies.of(["unix"]).client_ip(None, "203.0.113.9") == "203.0.113.9"
    assert TrustedProxies.of([]).client_ip(None, "203.0.113.9") is None


def test_bad_network_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not an IP address or network"):
        TrustedProxies.of(["10.0.0.0/33"])
    with pytest.raises(ConfigurationError, match="CIDR"):
        TrustedProxies.of(["proxy.local"])


def test_huge_header_is_bounded() -> None:
    header = ", ".join(["10.0.0.1"] * 10_000)
    assert PROXIES.client_ip("10.0.0.2", header) == "10.0.0.1"


ipv4 = st.ip_addresses(v=4).map(str)
public_ipv4 = ipv4.filter(lambda ip: not PROXIES.trusts(ip))
trusted_ipv4 = st.integers(0, 2**24 - 1).map(lambda n: str(ipaddress.IPv4Address(0x0A000000 + n)))


@given(
    spoofed=st.lists(
        st.one_of(ipv4, st.text(max_size=20).filter(lambda s: "," not in s)), max_size=6
    ),
    client=public_ipv4,
    hops=st.lists(trusted_ipv4, max_size=4),
    peer=trusted_ipv4,
)
def test_the_client_cannot_choose_its_address(
    spoofed: list[str], client: str, hops: list[str], peer: str
) -> None:
    """Whatever a client writes into X-Forwarded-For, the address our proxy saw wins."""
    header = ", ".join([*spoofed, client, *hops])
    assert PROXIES.client_ip(peer, header) == client


@given(peer=public_ipv4, header=st.text(max_size=80))
def test_an_untrusted_peer_is_always_the_client(peer: str, header: str) -> None:
    assert PROXIES.client_ip(peer, header) == peer
