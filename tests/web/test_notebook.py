"""examples/campaign.ipynb runs from top to bottom (nbclient, the venv's python3 kernel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "campaign.ipynb"


def outputs(nb: Any, mime: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if mime == "stream" and out.get("output_type") == "stream":
                found.append(out["text"])
            elif mime in out.get("data", {}):
                found.append(out["data"][mime])
    return found


def test_campaign_notebook_runs(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Outputs are cleared first: what is checked below comes from this run.
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(
        nb, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    html = "\n".join(outputs(nb, "text/html"))
    svgs = outputs(nb, "image/svg+xml")
    text = "\n".join(outputs(nb, "stream"))
    assert html.count("<svg") >= 4  # the posts' QR codes, inline
    assert svgs  # the live code's QR code
    # The charts: the campaign's visits by hour and platform (a Series), clicks by
    # hour and platform, and people against clicks (matplotlib figures as SVG).
    charts = [svg for svg in svgs if "Matplotlib" in svg]
    assert len(charts) == 3
    assert "visits per hour by platform" in charts[0]
    assert "<th>people who clicked</th>" in html
    assert "<th>people</th>" in html  # the clicks table and the review
    assert "<table" in html  # the SOP week, the visits, the review
    assert "Flash sale" in html
    assert "https://weixin.qq.com/g/WelfareGroupA      used 200 / 200" in text
    assert "boost" in text
    assert "stop" in text
    assert "clicks by" in text  # the review names clicks and people where they differ
    assert "Traceback" not in text
