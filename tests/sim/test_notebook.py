"""examples/simulate.ipynb runs, twice, with byte-identical outputs.

nbclient runs it on a kernel of this very interpreter: a temporary
kernelspec (found through ``JUPYTER_PATH``) whose argv is ``sys.executable``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "simulate.ipynb"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The name of a kernelspec that runs this interpreter."""
    spec = tmp_path / "jupyter" / "kernels" / "suo-this-python"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "suo tests", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return spec.name


def execute(tmp_path: Path, kernel: str) -> Any:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(
        nb, kernel_name=kernel, timeout=280, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()  # raises CellExecutionError on the first failing cell
    return nb


def outputs(nb: Any) -> list[Any]:
    return [cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"]


@pytest.mark.timeout(600)
def test_simulate_notebook_runs_twice_with_identical_outputs(tmp_path: Path, kernel: str) -> None:
    first = outputs(execute(tmp_path, kernel))
    second = outputs(execute(tmp_path, kernel))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)

    text = "".join(o["text"] for cell in first for o in cell if o["output_type"] == "stream")
    pngs = [
        o["data"]["image/png"] for cell in first for o in cell if "image/png" in o.get("data", {})
    ]
    assert len(pngs) == 3  # the week's days, its QR fills, the flash campaign's days
    assert "Traceback" not in text
    # The check by hand: every rate 1, one group QR of cap 200, 300 arrivals.
    assert "arrivals at the live code: 300\nadmitted: 200\nrefused: 100\n" in text
    assert "the pool runs dry at arrival 201" in text
    assert "group QR codes needed" in text
    assert "QR 1 fills in" in text
    assert "chance the pool runs dry" in text
