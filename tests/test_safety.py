"""Nothing typed on a command line or read from a data file is ever run as code."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Runner

SRC = Path(__file__).resolve().parent.parent / "src" / "ato"

# Calls that compile or run text as Python. `re.compile` is fine, hence the lookbehind.
RUNS_CODE = re.compile(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(|\bast\.(literal_eval|parse)\s*\(")


def test_only_the_py_config_loader_runs_code() -> None:
    """The package source compiles or runs Python only inside formats/_py.py's three functions
    for config files the user named; the only other parse reads the attribute docstrings of
    the schema's own (already imported) classes for --help, and never compiles what it parses."""
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if RUNS_CODE.search(code):
                hits.append((path.relative_to(SRC).as_posix(), number, code.strip()))
    assert [(f, text) for f, _, text in hits] == [
        ("formats/_py.py", "return ast.parse(source, path)"),
        ("formats/_py.py",
         'code = compile(ast.Expression(body=expression), path, "eval", dont_inherit=True)'),
        ("formats/_py.py", "return eval(code, {})"),
        ("formats/_py.py", 'code = compile(source, path, "exec", dont_inherit=True)'),
        ("formats/_py.py", "exec(code, namespace)"),
        ("schema/_help.py", "tree = ast.parse(source)"),
    ]
    source = (SRC / "formats" / "_py.py").read_text(encoding="utf-8").splitlines()
    help_source = (SRC / "schema" / "_help.py").read_text(encoding="utf-8")
    assert "compile(" not in help_source and "exec(" not in help_source and "eval(" not in help_source
    for path, number, _ in hits:
        if path == "schema/_help.py":
            continue
        enclosing = next(
            line for line in reversed(source[:number]) if line.startswith("def ")
        )
        assert enclosing.startswith(("def parse_python(", "def evaluate_python(", "def run_python("))


PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    "exec(\"open('PWNED','w')\")",
    "eval(\"open('PWNED','w')\")",
    "[open('PWNED','w')]",
    "{'a': __import__('os').system('touch PWNED')}",
    "(lambda: open('PWNED','w'))()",
    "%__import__('os').system('touch PWNED')%",
]

PROGRAM = """
from ato.scope import Scope
scope = Scope()

@scope
def main(cfg):
    print(type(cfg.x).__name__, repr(cfg.x))

if __name__ == "__main__":
    main()
"""


def test_command_line_payloads_never_run(run_program: Runner, tmp_path: Path) -> None:
    """Each payload is a string value or a clear error; no file named PWNED ever appears."""
    for payload in PAYLOADS:
        result = run_program(PROGRAM, f"x={payload}")
        assert not (tmp_path / "PWNED").exists(), payload
        if result.returncode == 0:
            assert result.stdout.startswith("str "), payload
        else:
            assert result.returncode == 2, (payload, result.stderr)
            assert "Traceback" not in result.stderr
    result = run_program(PROGRAM, "x:=__import__('os').system('touch PWNED')")
    assert result.stdout == "str \"__import__('os').system('touch PWNED')\"\n"
    assert not (tmp_path / "PWNED").exists()


def test_yaml_tags_never_construct_objects(run_program: Runner, tmp_path: Path) -> None:
    """A YAML file with a python/object tag is refused by the safe loader."""
    (tmp_path / "evil.yaml").write_text("x: !!python/object/apply:os.system ['touch PWNED']\n")
    result = run_program(
        "from ato import ADict, ConfigError\n"
        "try:\n    ADict.from_file('evil.yaml')\nexcept ConfigError as err:\n    print('refused')\n"
    )
    assert result.stdout == "refused\n"
    assert not (tmp_path / "PWNED").exists()
