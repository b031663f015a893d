"""The layers of DESIGN.md §2 hold: import-linter's contracts, plus what it cannot see."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "ato"
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=300)


def test_import_contracts_are_kept() -> None:
    """lint-imports keeps every contract in pyproject.toml (layers, independence, private modules)."""
    result = _lint(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_layer_fails_the_check(tmp_path: Path) -> None:
    """The check is live: a copy of the package whose scope imports the tracker, and whose
    compose reaches into a private module of formats, breaks the contracts."""
    shutil.copytree(SRC, tmp_path / "src" / "ato")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    plan = tmp_path / "src" / "ato" / "scope" / "_plan.py"
    plan.write_text(plan.read_text(encoding="utf-8") + "\nfrom ato.tracker import SQLLogger\n",
                    encoding="utf-8")
    repo = tmp_path / "src" / "ato" / "compose" / "_repo.py"
    repo.write_text(repo.read_text(encoding="utf-8") + "\nfrom ato.formats._files import read_bytes\n",
                    encoding="utf-8")
    result = _lint(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "ato.scope._plan -> ato.tracker" in result.stdout
    assert "ato.compose._repo -> ato.formats._files" in result.stdout


def _module_level_imports(path: Path) -> list[str]:
    """Modules imported outside any function body of ``path``."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append(child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_adict_imports_other_layers_only_inside_functions() -> None:
    """ato.adict's module-level imports are the standard library, ato.errors and itself."""
    for path in sorted((SRC / "adict").glob("*.py")):
        for module in _module_level_imports(path):
            top = module.split(".")[0]
            allowed = module.startswith(("ato.adict", "ato.errors")) or top in sys.stdlib_module_names
            assert allowed, f"{path.name} imports {module} at module level"


def test_importing_adict_loads_no_other_layer() -> None:
    """A fresh interpreter that imports ato.adict has loaded no codec, loader or pydantic."""
    code = (
        "import sys, ato.adict\n"
        "print(sorted(m for m in sys.modules if m.startswith(('ato.formats', 'ato.compose', "
        "'ato.schema', 'pydantic', 'yaml'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
