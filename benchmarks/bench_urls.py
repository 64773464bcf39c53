"""URL safety on the shorten path: ``normalize_url`` vs the bare WHATWG parse.

Baselines, measured in the same run on the same URLs:

* ``ada_url.URL(u).href``: the WHATWG parse and serialisation alone, no
  safety rules (suo adds the rules on top of this parser);
* ``urllib.parse.urlsplit`` plus a scheme check: the naive stdlib check
  that misreads backslashes, odd IPv4 forms and IDN hosts (shown for scale).

The URL mix is the real-world list from the tests (WeChat articles, shop
share links, Chinese paths, IDN hosts), each made distinct per round so no
parser cache helps.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import ada_url

from benchmarks._util import measure_batch, report
from suo.shortener.urls import normalize_url

_LIST = Path(__file__).parent.parent / "tests" / "data" / "urls" / "real_world.txt"


def _urls(n: int) -> list[str]:
    base = [u for u in _LIST.read_text("utf-8").split("\n") if u and not u.startswith("#")]
    out = []
    i = 0
    while len(out) < n:
        u = base[i % len(base)]
        sep = "&" if "?" in u.split("#")[0] else "?"
        head, hash_, frag = u.partition("#")
        out.append(f"{head}{sep}n={i}{hash_}{frag}")
        i += 1
    return out


def main(quick: bool) -> None:
    urls = _urls(2_000 if quick else 20_000)
    repeat = 3 if quick else 5
    # every URL in the mix is accepted, so all three do the full work
    assert all(normalize_url(u) == ada_url.URL(u).href for u in urls[:200])

    def suo() -> None:
        for u in urls:
            normalize_url(u)

    def ada() -> None:
        for u in urls:
            ada_url.URL(u).href  # noqa: B018 - the serialisation is the work

    def stdlib() -> None:
        for u in urls:
            if urlsplit(u).scheme not in ("http", "https"):
                raise ValueError(u)

    n = len(urls)
    t_suo = measure_batch(suo, items=n, repeat=repeat)
    t_ada = measure_batch(ada, items=n, repeat=repeat)
    t_std = measure_batch(stdlib, items=n, repeat=repeat)
    report(
        f"normalize_url, {n:,} real-world URLs",
        [
            (
                "normalize_url (WHATWG + safety rules)",
                t_suo,
                "ada_url.URL(u).href (parse only)",
                t_ada,
            ),
            (
                "normalize_url (WHATWG + safety rules)",
                t_suo,
                "urlsplit + scheme check (naive)",
                t_std,
            ),
        ],
        target="a few µs per URL; the rules cost about as much as the parse itself",
    )
