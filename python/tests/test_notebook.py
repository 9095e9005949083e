"""python/notebooks/model_collapse.ipynb runs headless from top to bottom (nbclient)."""

import json
import pathlib
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "model_collapse.ipynb"


def test_notebook_executes(tmp_path, monkeypatch):
    # The kernel must be this interpreter (e.g. the venv collapsekit is installed in), not
    # the system's "python3" kernel spec: declare one and put it first on JUPYTER_PATH.
    spec = tmp_path / "jupyter" / "kernels" / "collapsekit-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "collapsekit test",
        "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # The notebook leaves the backend to Jupyter (forcing Agg there drew every figure off
    # screen); the kernel here gets the inline backend, which puts each figure in the cell's
    # outputs as a PNG without a display.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="collapsekit-test",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "SIMD:" in text and "sentences" in text
    # Every figure the notebook draws is in its outputs: one per cell that calls plt.subplots.
    figure_cells = [c for c in nb.cells if c.cell_type == "code" and "plt.subplots(" in c.source]
    for cell in figure_cells:
        pngs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(pngs) == 1, cell.source[:80]
    assert len(figure_cells) >= 4
    assert "matplotlib.use(" not in "".join(c.source for c in nb.cells)
