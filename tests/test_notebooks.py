"""Execute the user notebooks (notebooks/*.ipynb) at CI size.

Each notebook runs in a fresh ``python3`` kernel on a temporary copy (so nothing is written back into the
repository), with ``ATOMSPIN_NB_SIZE=ci`` and ``MPLBACKEND=Agg``. A cell that raises fails the test with the
cell's traceback. The notebooks are stored without outputs; this is checked too. At CI size the particles are 3–4 nm and the runs
short, so no number is converged: the test fails if any printed line calls a difference "resolved" (only a
full-size run may), and requires the notebook to say that its numbers are not converged.
"""
import re
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
REQUIRED = ("01_defected_vs_defect_free.ipynb", "02_apb_spin_disorder.ipynb", "03_size_and_dead_layer.ipynb",
            "04_sar_design_map.ipynb")
#: notebooks whose CI-size output must call nothing resolved and say that it is not converged (issue 15)
CI_VERDICTS = REQUIRED + ("05_defects_and_heating.ipynb", "07_imaging.ipynb")
#: the equivalent-sphere sizes of the full-size study notebook 05 reads at every size setting (validation §8c–8g);
#: under test it reads the committed summaries (ATOMSPIN_RESULTS_DIR points at an empty folder), as a fresh clone
STUDY_SIZES_05 = ("12.1", "16.0", "19.7")
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))  # every notebook present is executed
CELL_TIMEOUT_S = 600  # per cell; a CI-size notebook takes 20–90 s on a loaded 2-core machine
# CI-size run times in the full suite on a quiet 2-core machine (2026-11-30, `--durations`): 07 34 s, 04 29 s,
# 05 28 s, 01 20 s, 03 17 s, 06 15 s, 02 < 9 s. The two longest carry the `slow` label (still run by default, as
# every slow test; `-m "not slow"` leaves them out).
SLOW = {"07_imaging.ipynb", "04_sar_design_map.ipynb"}


def _kernel_available():
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return False
    return True


def test_required_notebooks_present():
    missing = [n for n in REQUIRED if n not in NOTEBOOKS]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "notebook has no code cells"
    for c in code:
        assert c.outputs == [] and c.execution_count is None, "notebooks are stored without outputs"
    # every notebook honours the size switch
    assert any("ATOMSPIN_NB_SIZE" in c.source for c in code)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NOTEBOOKS])
def test_notebook_executes(name, tmp_path, monkeypatch):
    if not _kernel_available():
        pytest.skip("no 'python3' Jupyter kernel (ipykernel) in this environment")
    src = NOTEBOOK_DIR / name
    work = tmp_path / name
    shutil.copy(src, work)
    monkeypatch.setenv("ATOMSPIN_NB_SIZE", "ci")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("ATOMSPIN_RESULTS_DIR", str(tmp_path / "no_results"))  # a fresh clone has no results/
    nb = nbformat.read(work, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     if o.get("output_type") == "stream")
    assert "ATOMSPIN_NB_SIZE = 'ci'" in text
    assert "notebook run time" in text
    # computed comparisons, not NaN placeholders, reach the summary
    assert "nan%" not in text.lower()
    # issue 15 (notebooks 01–04, and 07): at CI size nothing unconverged is labelled resolved, and the notebook
    # says that its numbers are not converged
    if name in CI_VERDICTS:
        claimed = [line for line in text.splitlines()
                   if re.search(r"(?<!not )(?<!un)resolved", line, re.IGNORECASE)]
        assert not claimed, f"CI-size output calls an unconverged difference resolved: {claimed[:3]}"
        assert "not converged" in text.lower(), "a CI-size run must say that its numbers are not converged"
    if name == "05_defects_and_heating.ipynb":  # the full-size study at every size, read from its committed data
        for d in STUDY_SIZES_05:
            assert f"{d} nm equivalent sphere" in text and "committed summary" in text, d
