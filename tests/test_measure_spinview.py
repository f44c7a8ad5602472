"""3-D spin pictures (measure.view_spins): interactive plotly figure when plotly is installed, static
matplotlib quiver otherwise; the arrow classes count the canting computed by measure.local_canting_angles."""
import re

import matplotlib
import numpy as np
import pytest

from atomspin import measure as M
from atomspin import structures as S
from atomspin.measure import spinview
from atomspin.model import SpinModel

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def neel():
    """A 2 nm magnetite sphere in its Néel state (A along −z, B along +z) and the same state with one B spin
    turned by 50°."""
    model = SpinModel.from_atoms(S.build_particle("Fe3O4", "sphere", diameter_nm=2.0, seed=1))
    s = np.zeros((model.n, 3))
    s[:, 2] = np.where(model.sublattice == "A", -1.0, 1.0)
    model.spins = s
    turned = s.copy()
    b = int(np.flatnonzero((model.sublattice == "B") & (np.diff(model.indptr) == 12))[0])  # a bulk-like B site
    th = np.radians(50.0)
    turned[b] = (np.sin(th), 0.0, np.cos(th))
    return model, turned, b


def _counts(labels):
    return {re.sub(r" \(\d+\)$", "", lab): int(re.search(r"\((\d+)\)$", lab).group(1)) for lab in labels}


def test_classes_count_the_canting(neel):
    model, turned, b = neel
    plotly = pytest.importorskip("plotly")  # noqa: F841
    fig = M.view_spins(model, backend="plotly")
    assert [tr.type for tr in fig.data] == ["cone"]  # exact Néel state: every spin in the first class
    assert _counts([tr.name for tr in fig.data]) == {"local canting 0–5°": model.n}
    fig = M.view_spins(model, turned, backend="plotly")
    counts = _counts([tr.name for tr in fig.data])
    assert counts == {"local canting 0–5°": model.n - 1, "local canting 40–90°": 1}
    assert sum(len(tr.x) for tr in fig.data) == model.n
    one = [tr for tr in fig.data if "40–90" in tr.name][0]
    np.testing.assert_allclose([one.x[0], one.y[0], one.z[0]], model.positions[b])
    L = 2.5  # default arrow length, Å: the cone vector is the spin times the length
    np.testing.assert_allclose([one.u[0], one.v[0], one.w[0]], L * turned[b])
    scene = fig.layout.scene
    assert scene.xaxis.title.text == "x (Å)" and scene.zaxis.title.text == "z (Å)"
    assert "local canting angle (deg)" in fig.layout.legend.title.text


def test_sublattice_colouring_and_mask(neel):
    model, turned, _ = neel
    pytest.importorskip("plotly")
    mask = model.positions[:, 2] < model.positions[:, 2].mean()
    fig = M.view_spins(model, turned, backend="plotly", color_by="sublattice", mask=mask)
    names = [tr.name for tr in fig.data]
    assert names == ["spins on A sites (tetrahedral)", "spins on B sites (octahedral)"]
    assert sum(len(tr.x) for tr in fig.data) == int(mask.sum())
    a = fig.data[0]
    np.testing.assert_allclose(np.asarray(a.w) / 2.5, -1.0)  # A spins antiparallel to B in the Néel state


def test_offline_html(neel, tmp_path):
    model, turned, _ = neel
    pytest.importorskip("plotly")
    path = tmp_path / "spins.html"
    M.view_spins(model, turned, backend="plotly", path=path)
    html = path.read_text(encoding="utf-8")
    assert len(html) > 1_000_000  # plotly.js is embedded: the page works without a network or a server
    assert not re.search(r"<script[^>]+src=\"https?://", html)


def test_matplotlib_fallback(neel, tmp_path, monkeypatch):
    model, turned, _ = neel
    monkeypatch.setattr(spinview, "plotly_available", lambda: False)
    path = tmp_path / "spins.png"
    fig = M.view_spins(model, turned, path=path)  # auto → matplotlib without plotly
    assert isinstance(fig, matplotlib.figure.Figure) and path.stat().st_size > 10_000
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x (Å)" and ax.get_zlabel() == "z (Å)"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert _counts(labels) == {"local canting 0–5°": model.n - 1, "local canting 40–90°": 1}
    assert "local canting angle (deg)" in fig.legends[0].get_title().get_text()
    with pytest.raises(ValueError, match="backend: 'plotly' is not installed"):
        M.view_spins(model, backend="plotly")
    matplotlib.pyplot.close("all")


def test_bad_input(neel):
    model, _, _ = neel
    with pytest.raises(ValueError, match="backend"):
        M.view_spins(model, backend="vtk")
    with pytest.raises(ValueError, match="color_by"):
        M.view_spins(model, color_by="energy")
    with pytest.raises(ValueError, match="arrow_length_A"):
        M.view_spins(model, arrow_length_A=0.0)
    with pytest.raises(ValueError, match="spins: must be unit vectors"):
        M.view_spins(model, 2 * model.spins)
    with pytest.raises(ValueError, match="spins: expected"):
        M.view_spins(model, model.spins[:-1])
    with pytest.raises(ValueError, match="mask: expected"):
        M.view_spins(model, mask=np.ones(model.n))
    with pytest.raises(ValueError, match="mask: selects no spin"):
        M.view_spins(model, mask=np.zeros(model.n, bool))
