"""Every ```python block on the documentation pages (docs/, English and docs/zh/) runs.

Each page's blocks run in order in one namespace, as a reader pasting them
into one Python session would, in an empty temporary directory that holds
three sample images the pages open: ``logo.png`` (a small logo),
``group.jpg`` and ``group3.jpg`` (photos of WeChat group QR codes).

How a block is run:

* a block whose first line starts with ``>>>`` is a doctest: its output is
  checked too (``ELLIPSIS`` on);
* a block that only includes a file (``--8<-- "examples/flask_app.py"``,
  pymdownx.snippets) must name an existing file that compiles; the
  examples themselves run in ``tests/web/test_recipes.py``;
* any other block is executed.

Blocks that cannot run here (they need a server the reader has, or are a
file of the reader's own project) carry a marker on the line right before the
fence, with the reason::

    <!-- docs-example: skip (needs a PostgreSQL server) -->
    ```python
    ...

The marker is an HTML comment, so readers never see it. Use it sparingly:
prefer an example that runs (``memory://`` or ``sqlite:///file.db`` stores
instead of a server). A skipped block is still compiled.
"""

from __future__ import annotations

import doctest
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from suo.testing.helpers import EXTRA_FOR_MODULE

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"<!--\s*docs-example:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->\s*\Z")
SNIPPET = re.compile(r'^--8<--\s+"([^"]+)"\s*$')

EXTRAS = EXTRA_FOR_MODULE


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    source: str
    skip: str | None  # the reason, when the block is marked not to run


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = SKIP.search(before)
        line = text.count("\n", 0, m.start()) + 2
        found.append(Block(page, line, m.group(1), marker.group("reason") if marker else None))
    return found


PAGES = sorted(p for p in DOCS.rglob("*.md") if blocks(p))


def page_id(page: Path) -> str:
    return str(page.relative_to(DOCS))


@pytest.fixture
def sample_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory with the images the pages open."""
    pytest.importorskip("PIL", reason="the sample images need the [qr] extra (Pillow)")
    from PIL import Image

    from suo.shortener import qr

    Image.new("RGB", (64, 64), (11, 61, 145)).save(tmp_path / "logo.png")
    for name, url in (("group.jpg", "AQYAAHsample2"), ("group3.jpg", "AQYAAHsample3")):
        png = qr.render(f"https://weixin.qq.com/g/{url}", scale=8)
        path = tmp_path / "qr.png"
        path.write_bytes(png)
        Image.open(path).convert("RGB").save(tmp_path / name, "JPEG", quality=92)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_block(block: Block, namespace: dict[str, object]) -> None:
    where = f"{block.page.relative_to(ROOT)}:{block.line}"
    lines = [ln for ln in block.source.splitlines() if ln.strip()]
    includes = [SNIPPET.match(ln) for ln in lines]
    if lines and all(includes):
        for m in includes:
            assert m is not None
            path = ROOT / m.group(1)
            assert path.is_file(), f"{where} includes {m.group(1)}, which does not exist"
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        return
    if lines and lines[0].lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(
            block.source, namespace, where, where, block.line
        )
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # doctest ran in a copy; later blocks see its names
        assert runner.failures == 0, f"the doctest at {where} failed (see the output above)"
        return
    code = compile(block.source, where, "exec")
    if block.skip is None:
        try:
            exec(code, namespace)
        except ModuleNotFoundError as e:
            top = (e.name or "").split(".")[0]
            if top in EXTRAS:
                pytest.skip(f"{where} needs the [{EXTRAS[top]}] extra ({top} is not installed)")
            raise


def test_the_marker_is_used_sparingly() -> None:
    every = [b for p in PAGES for b in blocks(p)]
    skipped = [f"{b.page.relative_to(ROOT)}:{b.line} ({b.skip})" for b in every if b.skip]
    assert len(skipped) <= len(every) // 5, skipped
    # The pages whose examples are their point keep them.
    assert len(blocks(DOCS / "antiblock.md")) >= 4
    assert blocks(DOCS / "zh" / "quickstart.md")


def test_a_marker_needs_a_reason() -> None:
    for page in DOCS.rglob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if "docs-example:" in line:
                assert SKIP.search(line), f"{page}: malformed marker {line!r}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
@pytest.mark.usefixtures("sample_files")
def test_page_examples_run(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for block in blocks(page):
        run_block(block, namespace)
