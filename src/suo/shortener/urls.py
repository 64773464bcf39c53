"""URL safety: judge a target the way a browser will read it.

A short link sends every visitor's browser to its target, so suo refuses
targets that a browser would run (``javascript:``), read as something other
than what a person sees (``https://good.com@evil.com``, ``https:\\\\evil.com``,
``http://0x7f.1/``), or that break the redirect response itself (CR/LF).

Parsing follows the WHATWG URL Standard, the one browsers implement, through
the ``ada_url`` binding of the ada parser; ``urllib`` reads backslashes, hosts
and IPv4 forms differently from a browser and is not used for judging. On top
of the parser sit suo's own rules (see ``docs/url-safety.md``):

* only absolute ``http://`` and ``https://`` targets, written with ``//``;
* no control characters, invisible formatting characters or backslashes;
* no user name or password in the authority;
* hosts spelled plainly: no percent-encoding, no hex/octal/integer IPv4, valid
  DNS labels, IDN stored as punycode and checked for mixed-script look-alikes;
* no loopback, private, link-local or single-label hosts unless the policy
  allows private hosts (intranet shorteners);
* no port that browsers refuse (the Fetch standard's "bad ports") or port 0;
* no percent-encoded CR/LF/NUL in the path and no encoded CRLF pair anywhere.

Example:
    >>> normalize_url("HTTPS://Example.COM/a b")
    'https://example.com/a%20b'
    >>> normalize_url("https://例子.测试/路径")
    'https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84'
    >>> inspect_url("javascript:alert(1)").reasons
    (<Reason.DANGEROUS_SCHEME: 'dangerous_scheme'>,)
"""

from __future__ import annotations

import codecs
import enum
import functools
import html
import importlib
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import ada_url
from attrs import field, frozen

from suo.errors import InvalidURL

__all__ = [
    "DEFAULT_POLICY",
    "MAX_URL_LENGTH",
    "Reason",
    "URLCheck",
    "URLPolicy",
    "URLProblem",
    "inspect_url",
    "normalize_url",
]

#: Longest target accepted, in UTF-8 bytes (before and after normalisation).
MAX_URL_LENGTH = 8192


class Reason(enum.StrEnum):
    """Why a URL was refused; stable codes for programs (messages are for people)."""

    NOT_A_STRING = "not_a_string"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    INVISIBLE_CHARACTER = "invisible_character"
    BACKSLASH = "backslash"
    DANGEROUS_SCHEME = "dangerous_scheme"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    NOT_ABSOLUTE = "not_absolute"
    MISSING_SLASHES = "missing_slashes"
    MALFORMED = "malformed"
    CREDENTIALS = "credentials"
    ENCODED_HOST = "encoded_host"
    HOST_SYNTAX = "host_syntax"
    INVALID_IDN = "invalid_idn"
    MIXED_SCRIPT = "mixed_script"
    LOOKALIKE_CHARACTER = "lookalike_character"
    OBFUSCATED_IP = "obfuscated_ip"
    PRIVATE_HOST = "private_host"
    DENIED_HOST = "denied_host"
    HOST_NOT_ALLOWED = "host_not_allowed"
    BAD_PORT = "bad_port"
    ENCODED_CONTROL = "encoded_control"


@frozen
class URLProblem:
    """One reason a URL was refused.

    Attributes:
        reason: the stable :class:`Reason` code.
        message: what was wrong and what to send instead, for a person.
    """

    reason: Reason
    message: str


@frozen
class URLCheck:
    """The verdict on one URL, from :func:`inspect_url`.

    Attributes:
        input: the value that was judged.
        url: the normalised URL when accepted, else ``None``.
        problems: every reason it was refused (empty when accepted).

    Example:
        >>> check = inspect_url("https://good.example@evil.example/")
        >>> check.ok, check.reasons
        (False, (<Reason.CREDENTIALS: 'credentials'>,))
    """

    input: object
    url: str | None
    problems: tuple[URLProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the URL is accepted."""
        return not self.problems

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The :class:`Reason` codes of :attr:`problems`, in order."""
        return tuple(p.reason for p in self.problems)


def _to_ascii(name: str) -> str:
    """UTS 46 ToASCII as browsers apply it ('' when the name is invalid)."""
    out = ada_url.idna_to_ascii(name)
    return out.decode("ascii") if isinstance(out, bytes) else str(out)


def _host_set(hosts: Iterable[str]) -> frozenset[str]:
    out = set()
    for h in hosts:
        if not isinstance(h, str) or not h.strip(". "):
            raise InvalidURL(
                f"host list entry {h!r} is not a host name; use names like 'example.com'"
            )
        name = h.strip().rstrip(".").lower()
        out.add(_to_ascii(name) or name)
    return frozenset(out)


def _positive(_inst: object, attribute: Any, value: int) -> None:
    if not isinstance(value, int) or value < 16:
        raise InvalidURL(f"{attribute.name} must be an int of at least 16 bytes, got {value!r}")


@frozen
class URLPolicy:
    """The rules a shortener applies to targets; the default suits a public shortener.

    Attributes:
        allow_private_hosts: accept loopback/private/link-local IPs and names
            such as ``localhost``, ``*.local``, ``*.internal`` and single-label
            hosts (for a shortener that only serves an intranet).
        allowed_hosts: when not empty, only these hosts and their subdomains.
        denied_hosts: these hosts and their subdomains are refused.
        allow_mixed_script: accept IDN labels that mix Latin, Greek and
            Cyrillic letters (look-alike "homograph" domains).
        strict_idna: also require IDN labels to be valid IDNA 2008 (checked
            with the ``idna`` package), which refuses emoji and symbol domains.
        max_length: longest URL in UTF-8 bytes.

    Example:
        >>> intranet = URLPolicy(allow_private_hosts=True)
        >>> intranet.normalize("http://wiki/start")
        'http://wiki/start'
        >>> URLPolicy(denied_hosts=["evil.example"]).inspect("https://a.evil.example/").reasons
        (<Reason.DENIED_HOST: 'denied_host'>,)
    """

    allow_private_hosts: bool = False
    allowed_hosts: frozenset[str] = field(default=frozenset(), converter=_host_set)
    denied_hosts: frozenset[str] = field(default=frozenset(), converter=_host_set)
    allow_mixed_script: bool = False
    strict_idna: bool = False
    max_length: int = field(default=MAX_URL_LENGTH, validator=_positive)

    def normalize(self, url: str) -> str:
        """Return the normalised form of ``url`` or raise :class:`~suo.errors.InvalidURL`.

        Example:
            >>> URLPolicy().normalize("https://Example.com:443/?q=1#top")
            'https://example.com/?q=1#top'
        """
        href, problems = _judge(url, self)
        if problems:
            raise InvalidURL(problems[0].message, reason=problems[0].reason.value)
        assert href is not None
        return href

    def inspect(self, url: object) -> URLCheck:
        """Judge ``url`` without raising; the result lists every reason found.

        Example:
            >>> URLPolicy().inspect("http://127.0.0.1/").reasons
            (<Reason.PRIVATE_HOST: 'private_host'>,)
        """
        href, problems = _judge(url, self)
        return URLCheck(input=url, url=None if problems else href, problems=tuple(problems))


#: The policy :func:`normalize_url` uses when none is given.
DEFAULT_POLICY = URLPolicy()


def normalize_url(url: str, *, policy: URLPolicy | None = None) -> str:
    """Return the normalised form of an http(s) ``url`` or raise :class:`~suo.errors.InvalidURL`.

    The result is what a browser would navigate to (WHATWG serialisation):
    lower-case scheme and host, IDN as punycode, default port dropped, dot
    segments resolved, unsafe characters percent-encoded. The message of the
    error says what was wrong and what to send instead.

    Args:
        url: the target as a person or program typed it.
        policy: the rules to apply; :data:`DEFAULT_POLICY` when omitted.

    Example:
        >>> normalize_url("HTTPS://Example.COM/a b")
        'https://example.com/a%20b'
        >>> normalize_url("javascript&colon;alert(1)")
        Traceback (most recent call last):
        ...
        suo.errors.InvalidURL: 'javascript&colon;alert(1)' is a disguised 'javascript:' URL ...
    """
    href, problems = _judge(url, policy or DEFAULT_POLICY)
    if problems:
        raise InvalidURL(problems[0].message, reason=problems[0].reason.value)
    assert href is not None
    return href


def inspect_url(url: object, *, policy: URLPolicy | None = None) -> URLCheck:
    """Judge ``url`` without raising; see :class:`URLCheck`.

    Example:
        >>> inspect_url("https://example.com/").url
        'https://example.com/'
        >>> inspect_url("//evil.example").reasons
        (<Reason.NOT_ABSOLUTE: 'not_absolute'>,)
    """
    return (policy or DEFAULT_POLICY).inspect(url)


# --------------------------------------------------------------------------
# the parser: ada's C API directly when available (one call per component,
# no per-attribute Python dispatch), else the public ada_url.URL class.

_Parsed = tuple[str, str, str, int]  # href, hostname, port, host type (0 name, 1 IPv4, 2 IPv6)

try:
    _ada = importlib.import_module("ada_url._ada_wrapper")
    _ffi: Any = _ada.ffi
    _lib: Any = _ada.lib
except Exception:  # pragma: no cover - a build of ada_url without the cffi module
    _ffi = _lib = None


def _parse_c(s: str) -> _Parsed | None:
    b = s.encode()
    obj = _lib.ada_parse(b, len(b))
    try:
        if not _lib.ada_is_valid(obj):
            return None
        h = _lib.ada_get_href(obj)
        n = _lib.ada_get_hostname(obj)
        p = _lib.ada_get_port(obj)
        return (
            _ffi.unpack(h.data, h.length).decode(),
            _ffi.unpack(n.data, n.length).decode() if n.length else "",
            _ffi.unpack(p.data, p.length).decode() if p.length else "",
            int(_lib.ada_get_host_type(obj)),
        )
    finally:
        _lib.ada_free(obj)


def _parse_py(s: str) -> _Parsed | None:
    try:
        u = ada_url.URL(s)
    except ValueError:
        return None
    return str(u.href), str(u.hostname), str(u.port), int(u.host_type)


_parse = _parse_c if _lib is not None else _parse_py

# --------------------------------------------------------------------------
# character classes

# C0 controls, DEL, C1 controls: browsers strip or drop some of them silently,
# CR/LF split HTTP headers, NUL truncates strings in C code downstream.
_CONTROL = "\x00-\x1f\x7f-\x9f"
# Characters that render as nothing (or reorder text) and so make a link read
# differently from where it goes. ZWJ/ZWNJ (U+200C/D) stay allowed: Persian
# and Indic words in paths need them.
_INVISIBLE = "\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb"
_BAD_CHAR = re.compile(f"[{_CONTROL}{_INVISIBLE}\\\\]")
_CTL_INVISIBLE = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_FAST = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://((?:[A-Za-z0-9_-]{1,63}\.)+[A-Za-z]{1,63}\.?)(?::[0-9]{1,5})?(?!/?[?#]@)"
    f"(?:[/?#][^\\x00-\\x20\\x7f-\\x9f\\\\{_INVISIBLE}\ud800-\udfff]*)?\\Z"
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_AUTHORITY = re.compile(r"[^/?#]*")
_AT_AFTER_AUTHORITY = re.compile(r"/?[?#]@")
_LABEL = re.compile(r"[a-z0-9_-]+\Z")
_ENCODED_CTL_PATH = re.compile(r"%0[0aAdD]")
_ENCODED_CRLF = re.compile(r"%0[dD]%0[aA]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Schemes that run code, read local data or escape the web: never a target.
_DANGEROUS = frozenset(
    {
        "javascript", "vbscript", "livescript", "mocha", "data", "file", "blob",
        "about", "filesystem", "view-source", "jar", "mhtml", "ms-its", "res",
        "resource", "chrome", "chrome-extension", "moz-extension", "wyciwyg",
    }
)  # fmt: skip

# Fetch standard, "bad port": browsers refuse to connect to these.
_BAD_PORTS = frozenset(
    {
        1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77,
        79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123,
        135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526,
        530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
        995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
        6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
    }
)  # fmt: skip

# Special-use names that never lead to a public site (RFC 6761, 6762, 8375,
# and ICANN's reserved .internal).
_PRIVATE_TLDS = frozenset({"localhost", "local", "internal", "localdomain"})
# Public names that always resolve to loopback, and "IP echo" DNS services
# (10.0.0.1.nip.io resolves to 10.0.0.1): the usual SSRF detours.
_LOOPBACK_ALIASES = frozenset({"localtest.me", "lvh.me", "vcap.me"})
_IP_ECHO_DNS = frozenset({"nip.io", "sslip.io", "xip.io", "traefik.me"})
_IP_IN_NAME = re.compile(r"(?:^|[.-])(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})(?=[.-]|$)")


def _local_name(name: str) -> str | None:
    """Why the domain ``name`` (no trailing dot) is not public, or None."""
    if name.rpartition(".")[2] in _PRIVATE_TLDS:
        return "a local-only name"
    two = ".".join(name.rsplit(".", 2)[-2:])
    if two == "home.arpa":
        return "a local-only name"
    if two in _LOOPBACK_ALIASES:
        return "a public name that always resolves to 127.0.0.1"
    if two in _IP_ECHO_DNS:
        for m in _IP_IN_NAME.finditer(name[: -len(two)]):
            try:
                ip = ipaddress.IPv4Address(".".join(m.groups()))
            except ValueError:
                continue
            if not _is_public_ip(ip):
                return f"a name that resolves to the non-public address {ip}"
    return None


def _char_name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name:
        name = {
            "\t": "CHARACTER TABULATION", "\n": "LINE FEED", "\r": "CARRIAGE RETURN",
            "\x00": "NULL", "\x7f": "DELETE", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
        }.get(ch, "control character")  # fmt: skip
    return f"U+{ord(ch):04X} {name}"


def _preview(s: str, limit: int = 60) -> str:
    return repr(s if len(s) <= limit else s[:limit] + "…")


# --------------------------------------------------------------------------
# disguised schemes: what would a sloppy decoder downstream make of this?

_JS_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|([0-7]{1,3})|(.))", re.S)
_WS_CTL = re.compile(f"[\\s{_CONTROL}{_INVISIBLE}]+")


def _unescape_js(m: re.Match[str]) -> str:
    hx, uni, octal, other = m.groups()
    if hx or uni:
        return chr(int(hx or uni, 16))
    if octal:
        return chr(int(octal, 8) & 0xFF)
    return str(other)


def _disguised_scheme(s: str) -> str | None:
    """The dangerous scheme hidden in ``s`` by entities, escapes or whitespace, if any."""
    from urllib.parse import unquote

    t = s
    for _ in range(3):  # layered encodings: %26%23106 -> &#106 -> j
        before = t
        t = html.unescape(unquote(t))
        t = _JS_ESCAPE.sub(_unescape_js, t)
        if t == before:
            break
    t = _WS_CTL.sub("", t).lstrip("<>\"'`/ ").lower()
    m = _SCHEME.match(t)
    if m and m.group(1) in _DANGEROUS:
        return m.group(1)
    return None


# --------------------------------------------------------------------------
# host rules

_SCRIPTS_CONFUSABLE = frozenset({"LATIN", "GREEK", "CYRILLIC"})
# Characters that survive IDNA mapping yet read as URL delimiters, so a host
# like 'evil.com∕example.com' (U+2215) looks like a path on example.com.
_DELIMITER_LOOKALIKES = {
    "\u2215": "/", "\u2044": "/", "\u29f8": "/", "\u2571": "/", "\u29f6": "/",
    "\u2216": "\\", "\u29f5": "\\", "\u29f9": "\\", "\u2572": "\\",
    "\u2236": ":", "\ua789": ":", "\u0589": ":", "\u05c3": ":", "\u02f8": ":", "\u1361": ":",
    "\u2024": ".", "\u2027": ".", "\u2e31": ".", "\ua4f8": ".", "\u0701": ".", "\u0702": ".",
    "\u2048": "?", "\u2049": "?", "\u0294": "?", "\u2047": "?",
}  # fmt: skip
# Cyrillic letters that read as Latin ones (the set Chromium uses to decide
# whether to show a Cyrillic label as punycode): 'аррӏе' passes for 'apple'.
_CYRILLIC_LATIN_LOOKALIKE = frozenset("асԁеһіјӏорԛѕԝхуъьҽпгѵѡ")
_CYRILLIC_TLDS = frozenset(
    {
        "xn--p1ai",
        "xn--90ae",
        "xn--j1amh",
        "xn--90a3ac",
        "xn--d1alf",
        "xn--80ao21a",
        "xn--l1acc",
        "xn--p1acf",
        "xn--90ais",
        "xn--c1avg",
        "xn--80asehdb",
        "xn--80aswg",
        "xn--80adxhks",
        "xn--d1acj3b",
        "xn--e1a4c",
    }
)


def _scripts(label: str) -> set[str]:
    found = set()
    for ch in label:
        if ch.isascii():
            if ch.isalpha():
                found.add("LATIN")
            continue
        name = unicodedata.name(ch, "")
        word = name.split(" ", 1)[0]
        if word in ("CJK", "IDEOGRAPHIC"):
            word = "HAN"
        if word in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HALFWIDTH"):
            word = "KANA"
        if unicodedata.category(ch).startswith("L"):
            found.add(word)
    return found


def _check_idn_label(label: str, tld: str, policy: URLPolicy, problems: list[URLProblem]) -> None:
    problems.extend(_idn_label_problems(label, tld, policy.strict_idna, policy.allow_mixed_script))


@functools.lru_cache(maxsize=4096)
def _idn_label_problems(
    label: str, tld: str, strict_idna: bool, allow_mixed_script: bool
) -> tuple[URLProblem, ...]:
    # Cached: the same few thousand domains come back again and again, and
    # punycode decoding is pure Python.
    problems: list[URLProblem] = []
    policy = URLPolicy(strict_idna=strict_idna, allow_mixed_script=allow_mixed_script)
    _idn_label_rules(label, tld, policy, problems)
    return tuple(problems)


def _idn_label_rules(label: str, tld: str, policy: URLPolicy, problems: list[URLProblem]) -> None:
    try:
        decoded = codecs.decode(label[4:].encode("ascii"), "punycode")
    except Exception:
        decoded = ""
    # A valid A-label decodes to a U-label that maps back to itself (UTS 46).
    if not decoded or _to_ascii(decoded) != label:
        problems.append(
            URLProblem(
                Reason.INVALID_IDN,
                f"the host label {label!r} is not valid punycode for an internationalised "
                "name; check the spelling of the domain (type it in its native script)",
            )
        )
        return
    if not policy.allow_mixed_script:
        fake = sorted({ch for ch in decoded if ch in _DELIMITER_LOOKALIKES})
        if fake:
            shown = ", ".join(
                f"{ch!r} ({_char_name(ch)}, looks like {_DELIMITER_LOOKALIKES[ch]!r})"
                for ch in fake
            )
            problems.append(
                URLProblem(
                    Reason.LOOKALIKE_CHARACTER,
                    f"the host label {decoded!r} contains {shown}: 'evil.com∕example.com' "
                    "reads like a path but is one host name. Use the real address, or allow it "
                    "with URLPolicy(allow_mixed_script=True)",
                )
            )
            return
    if policy.strict_idna:
        import idna

        try:
            idna.ulabel(label)
        except idna.IDNAError as exc:
            problems.append(
                URLProblem(
                    Reason.INVALID_IDN,
                    f"the host label {decoded!r} is not a valid IDNA 2008 name ({exc}); "
                    "emoji and symbol domains are refused by this policy",
                )
            )
            return
    if not policy.allow_mixed_script:
        scripts = _scripts(decoded)
        confusable = scripts & _SCRIPTS_CONFUSABLE
        if len(confusable) > 1 or (confusable - {"LATIN"} and len(scripts) > 1):
            names = " and ".join(sorted(w.title() for w in scripts))
            problems.append(
                URLProblem(
                    Reason.MIXED_SCRIPT,
                    f"the host label {decoded!r} mixes {names} letters, the usual trick of "
                    "look-alike (homograph) domains; use the domain's real spelling, or allow "
                    "it with URLPolicy(allow_mixed_script=True)",
                )
            )
        elif (
            scripts == {"CYRILLIC"}
            and tld not in _CYRILLIC_TLDS
            and all(ch in _CYRILLIC_LATIN_LOOKALIKE for ch in decoded if ch.isalpha())
        ):
            problems.append(
                URLProblem(
                    Reason.MIXED_SCRIPT,
                    f"the host label {decoded!r} is written only with Cyrillic letters that look "
                    "like Latin ones, a look-alike (homograph) of a Latin name; use the domain's "
                    "real spelling, or allow it with URLPolicy(allow_mixed_script=True)",
                )
            )


@functools.lru_cache(maxsize=4096)
def _public_ip_text(hostname: str) -> bool:
    """Whether an IP host as ada serialises it ('1.2.3.4', '[::1]') is public (cached)."""
    if hostname.startswith("["):
        ip6 = ipaddress.IPv6Address(hostname[1:-1])
        return _is_public_ip(ip6) and (ip6.ipv4_mapped is None or _is_public_ip(ip6.ipv4_mapped))
    return _is_public_ip(ipaddress.IPv4Address(hostname))


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.is_multicast or not ip.is_global:
        return False
    # ::/8 holds the IPv4-compatible and other reserved IPv6 forms
    return not (isinstance(ip, ipaddress.IPv6Address) and int(ip) >> 120 == 0)


def _private_message(host: str, what: str) -> str:
    return (
        f"{host!r} is {what}, not reachable from the public internet; a short link to it "
        "only probes the visitor's own network (or a link-preview server's). Use a public "
        "host, or URLPolicy(allow_private_hosts=True) for an intranet shortener"
    )


def _match(host: str, names: frozenset[str]) -> bool:
    if host in names:
        return True
    parts = host.split(".")
    return any(".".join(parts[i:]) in names for i in range(1, len(parts)))


@functools.lru_cache(maxsize=8192)
def _host_problems(
    raw_host: str, hostname: str, host_type: int, policy: URLPolicy
) -> tuple[URLProblem, ...]:
    """The host rules, cached: links point at the same hosts again and again."""
    problems: list[URLProblem] = []
    _check_host(raw_host, hostname, host_type, policy, problems)
    return tuple(problems)


def _check_host(
    raw_host: str, hostname: str, host_type: int, policy: URLPolicy, problems: list[URLProblem]
) -> None:
    if host_type == 1:  # IPv4
        if raw_host.lower() != hostname:
            problems.append(
                URLProblem(
                    Reason.OBFUSCATED_IP,
                    f"the IP address {raw_host!r} is written in an unusual form that browsers "
                    f"read as {hostname}; write it as {hostname} (four decimal numbers)",
                )
            )
        if not policy.allow_private_hosts and not _public_ip_text(hostname):
            problems.append(
                URLProblem(
                    Reason.PRIVATE_HOST, _private_message(hostname, "a non-public IP address")
                )
            )
    elif host_type == 2:  # IPv6
        if "." in raw_host:
            problems.append(
                URLProblem(
                    Reason.OBFUSCATED_IP,
                    f"the IPv6 address {raw_host!r} embeds a dotted IPv4 address; write it "
                    f"as {hostname}",
                )
            )
        if not policy.allow_private_hosts and not _public_ip_text(hostname):
            problems.append(
                URLProblem(
                    Reason.PRIVATE_HOST, _private_message(hostname, "a non-public IP address")
                )
            )
    else:
        name = hostname[:-1] if hostname.endswith(".") else hostname
        labels = name.split(".")
        if not name or "" in labels:
            problems.append(
                URLProblem(
                    Reason.HOST_SYNTAX,
                    f"the host {hostname!r} has an empty label ('..'); check the domain name",
                )
            )
            return
        if len(name) > 253 or any(len(label) > 63 for label in labels):
            problems.append(
                URLProblem(
                    Reason.HOST_SYNTAX,
                    "the host name is longer than DNS allows (253 characters, 63 per label); "
                    "check the domain name",
                )
            )
            return
        bad = [label for label in labels if not _LABEL.match(label)]
        if bad:
            problems.append(
                URLProblem(
                    Reason.HOST_SYNTAX,
                    f"the host {hostname!r} contains characters a DNS name cannot have "
                    "(only letters, digits, '-' and '_' per label); check the domain name",
                )
            )
            return
        tld = labels[-1]
        if not (tld.isalpha() or tld.startswith("xn--")):
            problems.append(
                URLProblem(
                    Reason.HOST_SYNTAX,
                    f"the host {hostname!r} ends in {tld!r}, which is not a top-level domain "
                    "(those are letters only); check the domain name",
                )
            )
            return
        for label in labels:
            if label.startswith("xn--"):
                _check_idn_label(label, tld, policy, problems)
        if not policy.allow_private_hosts:
            if (why := _local_name(name)) is not None:
                problems.append(URLProblem(Reason.PRIVATE_HOST, _private_message(hostname, why)))
            elif len(labels) == 1:
                problems.append(
                    URLProblem(
                        Reason.PRIVATE_HOST,
                        _private_message(hostname, "a single-label (intranet) host name"),
                    )
                )
    _list_checks(hostname, policy, problems)


def _list_checks(hostname: str, policy: URLPolicy, problems: list[URLProblem]) -> None:
    key = hostname[:-1] if hostname.endswith(".") else hostname
    if policy.denied_hosts and _match(key, policy.denied_hosts):
        problems.append(
            URLProblem(
                Reason.DENIED_HOST,
                f"links to {hostname!r} are not allowed by this shortener's deny list",
            )
        )
    if policy.allowed_hosts and not _match(key, policy.allowed_hosts):
        shown = ", ".join(sorted(policy.allowed_hosts)[:5])
        problems.append(
            URLProblem(
                Reason.HOST_NOT_ALLOWED,
                f"this shortener only links to {shown}{', …' if len(policy.allowed_hosts) > 5 else ''}; "
                f"{hostname!r} is not one of them",
            )
        )


# --------------------------------------------------------------------------
# the judge


def _judge(url: object, policy: URLPolicy) -> tuple[str | None, list[URLProblem]]:
    """The verdict: the normalised URL (or None) and the problems found."""
    # Fast path for the common shape: an http(s) URL with a plain ASCII domain
    # name, no userinfo, no port trouble and no suspicious characters. Every
    # rule of the full path is either implied by the pattern or checked below;
    # the tests compare the two paths on generated input.
    if type(url) is str and len(url) <= policy.max_length // 4:
        m = _FAST.match(url)
        if m is not None and len(m.group(1)) <= 253 and "xn--" not in m.group(1).lower():
            parsed = _parse(url)
            if parsed is not None:
                href, hostname, port, _ = parsed
                problems: list[URLProblem] = []
                if not policy.allow_private_hosts:
                    name = hostname[:-1] if hostname.endswith(".") else hostname
                    if (why := _local_name(name)) is not None:
                        problems.append(
                            URLProblem(Reason.PRIVATE_HOST, _private_message(hostname, why))
                        )
                if policy.denied_hosts or policy.allowed_hosts:
                    _list_checks(hostname, policy, problems)
                _tail_checks(href, port, policy.max_length, problems)
                return (None, problems) if problems else (href, problems)
    return _judge_full(url, policy)


def _judge_full(url: object, policy: URLPolicy) -> tuple[str | None, list[URLProblem]]:
    """Every rule, step by step (the reference for the fast path)."""
    if not isinstance(url, str):
        return None, [
            URLProblem(
                Reason.NOT_A_STRING,
                f"a URL must be a str, got {type(url).__name__}; pass the link as text "
                "such as 'https://example.com/page'",
            )
        ]
    limit = policy.max_length
    if len(url) > limit // 4:  # UTF-8 needs at most 4 bytes a character
        # at least one byte a character: no need to encode a huge input
        size = len(url) if len(url) > limit else len(url.encode("utf-8", "surrogatepass"))
        if size > limit:
            return None, [
                URLProblem(
                    Reason.TOO_LONG,
                    f"the URL is {size:,} bytes, over the {limit:,}-byte limit; "
                    "shorten its query string or keep the data on the target site",
                )
            ]
    s = url.strip(" ")
    if not s:
        return None, [
            URLProblem(
                Reason.EMPTY,
                "the URL is empty; send an absolute URL such as 'https://example.com/page'",
            )
        ]
    problems: list[URLProblem] = []
    bad = _BAD_CHAR.search(s)
    if bad:
        _char_problems(s, problems)
    if not s.isascii() and _SURROGATE.search(s):
        problems.append(
            URLProblem(
                Reason.MALFORMED,
                "the URL contains a lone surrogate code point (broken UTF-16); send valid Unicode text",
            )
        )
    # judge the scheme as the browser would read it (controls dropped); the
    # control characters themselves are already reported above
    view = _CTL_INVISIBLE.sub("", s).strip(" ") if bad else s
    m = _SCHEME.match(view)
    if m is None:
        problem = _no_scheme_problem(s)
    elif (scheme := m.group(1).lower()) not in ("http", "https"):
        problem = _scheme_problem(scheme, s)
    else:
        problem = None
    if problem is not None:
        # the scheme verdict is what matters most: report it first
        return None, [problem, *problems]
    assert m is not None
    rest = view[m.end() :]
    if not rest.startswith("//") or rest.startswith("///"):
        if not any(p.reason is Reason.BACKSLASH for p in problems):
            problems.append(
                URLProblem(
                    Reason.MISSING_SLASHES,
                    f"{_preview(view)} does not have exactly '//' after '{m.group(0)}'; browsers "
                    f"guess the host from such input. Write it as '{scheme}://host/path'",
                )
            )
        return None, problems
    if problems:
        return None, problems

    authority = _AUTHORITY.match(rest, 2).group(0)  # type: ignore[union-attr]
    if "@" in authority:
        problems.append(
            URLProblem(
                Reason.CREDENTIALS,
                f"the address {authority!r} has a user name or password before '@'; the browser "
                "goes to the host after the '@', the classic 'https://good.com@evil.com' "
                "disguise. Remove the part up to and including '@'",
            )
        )
    if _AT_AFTER_AUTHORITY.match(rest, 2 + len(authority)):
        problems.append(
            URLProblem(
                Reason.CREDENTIALS,
                f"{_preview(s)} puts '@' right after the host ('https://evil.com#@good.com'), "
                "so it reads as if the site were the name after '@'; the browser goes to the "
                "host before it. Remove the '@…' part or link to the site you mean",
            )
        )
    if authority.startswith("["):
        raw_host = authority[: authority.find("]") + 1] if "]" in authority else authority
    else:
        raw_host = authority.rsplit(":", 1)[0] if ":" in authority else authority
    raw_host = raw_host.rsplit("@", 1)[-1]
    if "%" in raw_host:
        problems.append(
            URLProblem(
                Reason.ENCODED_HOST,
                f"the host {raw_host!r} is percent-encoded; a browser decodes it to a different "
                "name than the one shown. Write the host name in plain letters",
            )
        )
    if problems:
        return None, problems

    parsed = _parse(s)
    if parsed is None:
        return None, [_malformed_problem(s, authority, raw_host)]
    href, hostname, port, host_type = parsed

    problems.extend(_host_problems(raw_host, hostname, host_type, policy))
    _tail_checks(href, port, limit, problems)
    return (None, problems) if problems else (href, problems)


def _tail_checks(href: str, port: str, limit: int, problems: list[URLProblem]) -> None:
    if port:
        number = int(port)
        if number == 0:
            problems.append(
                URLProblem(
                    Reason.BAD_PORT, "port 0 cannot be connected to; use the site's real port"
                )
            )
        elif number in _BAD_PORTS:
            problems.append(
                URLProblem(
                    Reason.BAD_PORT,
                    f"port {number} is on the browsers' blocked list (Fetch standard 'bad "
                    "ports': mail, SSH, FTP and similar services); link to the site's web port",
                )
            )
    path_start = href.find("/", href.find("//") + 2) if "%0" in href else -1
    if path_start >= 0:
        path_end = min(
            (i for i in (href.find("?", path_start), href.find("#", path_start)) if i >= 0),
            default=len(href),
        )
        if _ENCODED_CTL_PATH.search(href, path_start, path_end) or _ENCODED_CRLF.search(
            href, path_start
        ):
            problems.append(
                URLProblem(
                    Reason.ENCODED_CONTROL,
                    "the URL carries a percent-encoded NUL, CR or LF in its path (or an encoded "
                    "CRLF pair), the pattern of HTTP header injection; remove it (a line break "
                    "in a share text can be sent as %0A in the query)",
                )
            )
    if len(href) > limit:
        problems.append(
            URLProblem(
                Reason.TOO_LONG,
                f"the URL is {len(href):,} bytes once percent-encoded, over the {limit:,}-byte "
                "limit; shorten its query string",
            )
        )


def _char_problems(s: str, problems: list[URLProblem]) -> None:
    for m in _BAD_CHAR.finditer(s):
        ch = m.group(0)
        if ch == "\\":
            if not any(p.reason is Reason.BACKSLASH for p in problems):
                problems.append(
                    URLProblem(
                        Reason.BACKSLASH,
                        f"the URL contains a backslash at position {m.start()}; browsers read '\\' "
                        "as '/' in http(s) URLs, so 'https:\\\\evil.com' leads somewhere other than "
                        "it seems. Use '/' or percent-encode it as %5C",
                    )
                )
        elif re.match(f"[{_CONTROL}]", ch):
            if not any(p.reason is Reason.CONTROL_CHARACTER for p in problems):
                problems.append(
                    URLProblem(
                        Reason.CONTROL_CHARACTER,
                        f"the URL contains a control character ({_char_name(ch)}) at position "
                        f"{m.start()}: browsers drop some silently and CR/LF can inject HTTP headers. "
                        "Remove it, or percent-encode it (e.g. %0A) if it is data in the query",
                    )
                )
        elif not any(p.reason is Reason.INVISIBLE_CHARACTER for p in problems):
            problems.append(
                URLProblem(
                    Reason.INVISIBLE_CHARACTER,
                    f"the URL contains an invisible formatting character ({_char_name(ch)}) at "
                    f"position {m.start()}, which can make a link look different from where it "
                    "goes; remove it",
                )
            )


def _no_scheme_problem(s: str) -> URLProblem:
    hidden = _disguised_scheme(s)
    if hidden:
        return URLProblem(
            Reason.DANGEROUS_SCHEME,
            f"{_preview(s)} is a disguised '{hidden}:' URL (hidden by encoding, entities, "
            "escapes or whitespace); only http:// and https:// targets are allowed",
        )
    if s.startswith(("//", "\\\\", "/\\", "\\/")):
        return URLProblem(
            Reason.NOT_ABSOLUTE,
            f"{_preview(s)} is a scheme-relative URL; write the full address starting with https://",
        )
    return URLProblem(
        Reason.NOT_ABSOLUTE,
        f"{_preview(s)} is not an absolute URL; write the full address starting with "
        "https:// (for example 'https://example.com/page')",
    )


def _scheme_problem(scheme: str, s: str) -> URLProblem:
    if scheme in _DANGEROUS:
        return URLProblem(
            Reason.DANGEROUS_SCHEME,
            f"'{scheme}:' URLs can run code or read local data in the visitor's browser and are "
            "never allowed; send an http:// or https:// URL",
        )
    hidden = _disguised_scheme(s)
    if hidden:
        return URLProblem(
            Reason.DANGEROUS_SCHEME,
            f"{_preview(s)} hides a '{hidden}:' URL; only http:// and https:// targets are allowed",
        )
    return URLProblem(
        Reason.UNSUPPORTED_SCHEME,
        f"'{scheme}:' URLs are not supported; short links may only point to http:// or https:// "
        "addresses (for an app, link to its https:// web page)",
    )


def _malformed_problem(s: str, authority: str, raw_host: str) -> URLProblem:
    if not raw_host:
        what = "it has no host"
        hint = "put the site's name right after '://'"
    elif authority.startswith("[") and "]" not in authority:
        what = "its IPv6 address has no closing ']'"
        hint = "write IPv6 hosts as [2001:db8::1]"
    elif ":" in authority[len(raw_host) :] and not authority[len(raw_host) + 1 :].isdigit():
        what = "its port is not a number"
        hint = "write the port as digits after ':' (e.g. ':8080')"
    elif ":" in authority[len(raw_host) :]:
        what = "its port is out of range"
        hint = "ports go from 1 to 65535"
    else:
        what = f"the host {raw_host!r} is not a valid host name or IP address"
        hint = "check the domain name for spaces or symbols"
    return URLProblem(Reason.MALFORMED, f"{_preview(s)} is not a valid URL: {what}; {hint}")
