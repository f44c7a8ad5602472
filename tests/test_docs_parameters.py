"""docs/parameters.md is generated from the package (docs/make_parameters.py) and cannot go stale.

The page lists every physical default with value, unit, primary source, conversion and status tag. These tests
fail when a parameter file or constant changed without the page being regenerated, when a value of the
package has no provenance entry, when an entry names a value that is gone, or when the page cites anything
but primary sources.
"""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "docs" / "make_parameters.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("make_parameters", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve their module
    spec.loader.exec_module(mod)
    return mod


def test_every_value_has_provenance_and_every_entry_a_value(gen):
    missing, orphans = gen.missing_and_orphans()
    assert not missing, f"values without a source entry in docs/make_parameters.py: {missing}"
    assert not orphans, f"source entries whose value no longer exists: {orphans}"


def test_committed_page_matches_generator(gen):
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert page == gen.render(), "docs/parameters.md is stale: run `python docs/make_parameters.py`"


def test_status_tags_and_sources(gen):
    entries = [s for rows in gen.MODULE_SOURCES.values() for s in rows.values()]
    entries += [s for tables in gen.TOML_SOURCES.values() for rows in tables.values() for s in rows.values()]
    assert entries
    for s in entries:
        assert s.status in gen.TAGS, s
        assert s.source.strip(), s
        if s.status == "U" and "ASSUMPTION" not in s.note:  # unconfirmed literature values say so
            assert re.search(r"not read|as quoted|usual|widely quoted|range", s.note + s.source), s


def test_page_values_are_the_package_values(gen):
    """Spot checks against the package itself (not against the page): the rendered numbers are the live ones."""
    from atomspin.model.parameters import load_parameter_set
    from atomspin.structures import data
    from atomspin.units import MU_B

    page = gen.render()
    ps = load_parameter_set("magnetite")
    j_ab = float(ps.unit_coupling("AB", 5.0, 4.5))
    assert abs(j_ab - 2 * ps.exchange["AB"] * 2.5 * 2.25) < 1e-12  # J_ij = 2 J S_A S_B, classical S = m/2
    assert f"| {gen.fmt(round(j_ab, 4))} |" in page
    assert f"`MAGNETITE_A` | {gen.fmt(data.MAGNETITE_A)} | Å |" in page
    assert f"`MU_B` | {gen.fmt(MU_B)} | J/T |" in page


def test_page_cites_primary_sources_only():
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    src = GENERATOR.read_text(encoding="utf-8")
    for text in (page, src):
        # no citation of the unshipped sheet, no machine path (pattern split so that it does not match itself)
        assert not re.search("|".join(["phys" + r"ics\.md", "reference " + "sheet", "/wo" + "rk/", "/ho" + "me/", "/t" + "mp/"]), text)


def test_check_mode(gen, capsys):
    assert gen.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
