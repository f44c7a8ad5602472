"""The README's Python example runs as written (it is the first ```python block)."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys):
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2  # one line per particle
    # the defected particle has fewer Fe than the perfect one (vacancies) and both report a finite SAR
    n_fe = [int(re.search(r"Fe(\d+)", line).group(1)) for line in out]
    assert n_fe[1] < n_fe[0]
    sars = [float(re.search(r"SAR=([-+0-9.eE]+|nan)", line).group(1)) for line in out]
    assert all(np.isfinite(sars)) and all(s >= 0 for s in sars)


def test_readme_quick_start_matches_ci():
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]"' in text and 'pip install -e ".[test]"' in ci
    assert "python -m pytest -n 2" in text and "python -m pytest -n 2" in ci
    assert "pip install -e . && atomspin demo" in text
