"""Import cost: `import ato` and `import ato.adict` load no codec or heavy dependency."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("yaml", "toml", "tomllib", "sqlalchemy", "numpy", "pydantic", "torch")


@pytest.mark.parametrize("module", ["ato", "ato.adict", "ato.errors"])
def test_import_is_light(module: str) -> None:
    """A fresh interpreter importing the module has none of the heavy modules loaded."""
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_codec_loads_on_first_use(tmp_path: object) -> None:
    """YAML is imported only when a YAML file is read."""
    code = (
        "import sys, ato, pathlib\n"
        f"p = pathlib.Path({str(tmp_path)!r}) / 'c.yaml'\n"
        "p.write_text('a: 1')\n"
        "assert 'yaml' not in sys.modules\n"
        "assert ato.ADict.from_file(p) == {'a': 1}\n"
        "print('yaml' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
