"""Environment variables as a source: `Scope(env_prefix="TRAIN_", env_file=".env")`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from conftest import Runner
from pydantic import BaseModel, Field

from ato import ADict, ConfigError
from ato.scope import Scope


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0)
    name: Literal["adam", "sgd"] = "adam"


class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()
    run_name: str = "baseline"
    layers: list[int] = [64, 128]
    batchSize: int = 32  # a camelCase field, matched in any case


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No TRAIN_/APP_ variable of the machine leaks in; each test works in its own directory."""
    import os

    for name in list(os.environ):
        if name.upper().startswith(("TRAIN_", "APP_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class TestReading:
    """Which variables are read, as which keys, with which values."""

    def test_prefix_and_nesting_in_any_case(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """TRAIN_EPOCHS, train_optim__lr and TRAIN_BATCHSIZE reach epochs, optim.lr, batchSize."""
        monkeypatch.setenv("TRAIN_EPOCHS", "3")
        monkeypatch.setenv("train_optim__lr", "0.1")
        monkeypatch.setenv("TRAIN_BATCHSIZE", "64")
        monkeypatch.setenv("OTHER_EPOCHS", "99")  # not the prefix: ignored
        cfg = Scope(schema=TrainConfig, env_prefix="TRAIN_").build()
        assert (cfg.epochs, cfg.optim.lr, cfg.batchSize) == (3, 0.1, 64)

    @pytest.mark.parametrize(
        ("name", "text", "expected"),
        [
            ("TRAIN_LAYERS", "[1, 2, 3]", {"layers": [1, 2, 3]}),  # a Python literal
            ("TRAIN_RUN_NAME", "123", {"run_name": "123"}),  # the text, where str is declared
            # A field declared str takes the text as it is, as pydantic-settings does.
            ("TRAIN_RUN_NAME", "%None%", {"run_name": "%None%"}),
            ("TRAIN_RUN_NAME", "[abc", {"run_name": "[abc"}),
            ("TRAIN_RUN_NAME", "null", {"run_name": "null"}),
            ("TRAIN_RUN_NAME", "a b c", {"run_name": "a b c"}),  # a bare word, blanks and all
            ("TRAIN_OPTIM__LR", "1e-2", {"optim": {"lr": 0.01, "name": "adam"}}),
            ("TRAIN_OPTIM", "{'name': 'sgd'}", {"optim": {"lr": 0.001, "name": "sgd"}}),
        ],
    )
    def test_values_are_read_by_the_command_line_grammar(
        self, monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: dict[str, object]
    ) -> None:
        """Values are parsed like CLI values and coerced by the schema."""
        monkeypatch.setenv(name, text)
        dumped = Scope(schema=TrainConfig, env_prefix="TRAIN_").build().model_dump()
        assert {key: dumped[key] for key in expected} == expected

    def test_a_whole_model_then_a_nested_variable_refines_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """TRAIN_OPTIM applies before TRAIN_OPTIM__LR, whatever the environment's order."""
        monkeypatch.setenv("TRAIN_OPTIM__LR", "0.5")
        monkeypatch.setenv("TRAIN_OPTIM", "{'lr': 0.1, 'name': 'sgd'}")
        cfg = Scope(schema=TrainConfig, env_prefix="TRAIN_").build()
        assert cfg.optim == Optim(lr=0.5, name="sgd")

    def test_nothing_is_evaluated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Code in a variable is text, never run."""
        monkeypatch.setenv("TRAIN_RUN_NAME", "__import__('os').system('false')")
        cfg = Scope(schema=TrainConfig, env_prefix="TRAIN_").build()
        assert cfg.run_name == "__import__('os').system('false')"

    def test_untyped_scope_takes_any_key_matching_existing_case(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a schema every prefixed variable sets a key, spelt as the config spells it."""
        monkeypatch.setenv("APP_BATCHSIZE", "64")
        monkeypatch.setenv("APP_MODEL__DEPTH", "50")
        monkeypatch.setenv("APP_NEW__KEY", "[1, 2]")
        scope = Scope(env_prefix="APP_")
        scope.observe("base", {"batchSize": 32, "model": {"depth": 18}}, default=True)
        assert scope.build().to_dict() == {"batchSize": 64, "model": {"depth": 50}, "new": {"key": [1, 2]}}


class TestPriority:
    """defaults < non-lazy views < environment < --config files < command line < lazy views."""

    def test_the_full_order(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Each source beats the one before it, and explain lists them all in order."""
        (tmp_path / "exp.yaml").write_text("optim:\n  lr: 0.3\nrun_name: file\n")
        monkeypatch.setenv("TRAIN_OPTIM__LR", "0.2")
        monkeypatch.setenv("TRAIN_RUN_NAME", "env")
        monkeypatch.setenv("TRAIN_EPOCHS", "2")
        scope = Scope(schema=TrainConfig, env_prefix="TRAIN_")
        scope.observe("base", {"optim": {"lr": 0.1}, "epochs": 1, "run_name": "view"}, default=True)

        @scope.observe(lazy=True, default=True)
        def last(config: ADict) -> None:
            config.run_name = config.run_name.upper()

        cfg = scope.build(["--config", "exp.yaml", "optim.lr=0.4"])
        assert (cfg.epochs, cfg.optim.lr, cfg.run_name) == (2, 0.4, "FILE")
        writes = scope.explain("optim.lr")
        assert [w.value for w in writes] == [0.001, 0.1, 0.2, 0.3, 0.4]
        assert writes[0].source == "(schema defaults)" and writes[1].source.startswith("view 'base' (")
        assert [w.source for w in writes[2:]] == [
            "env TRAIN_OPTIM__LR", "exp.yaml:2", "CLI token 'optim.lr=0.4'"]
        assert scope.steps == ["(schema defaults)", "base", "(environment TRAIN_*)", "(--config exp.yaml)",
                               "(CLI Inputs)", "last"]


# Each row: variable, value, the problem's key and what its message says.
BAD_VALUES = [
    ("TRAIN_OPTIM__LR", "fast", "optim.lr", "expected float, got 'fast'"),
    ("TRAIN_OPTIM__LR", "-1", "optim.lr", "Input should be greater than 0"),
    ("TRAIN_OPTIM__NAME", "adamw", "optim.name", "expected Literal['adam', 'sgd']"),
    ("TRAIN_LAYERS", "[1,", "layers", "'[' is never closed"),
    ("TRAIN_LAYERS", "[1, 'x']", "layers", "expected list[int]"),
]


class TestErrors:
    """A bad variable is one problem naming it; all of them come at once, before any view."""

    @pytest.mark.parametrize(("name", "text", "key", "message"), BAD_VALUES)
    def test_a_bad_value_names_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, name: str, text: str, key: str, message: str
    ) -> None:
        """The problem has the key, the message and `env NAME` as its source."""
        monkeypatch.setenv(name, text)
        with pytest.raises(ConfigError) as info:
            Scope(schema=TrainConfig, env_prefix="TRAIN_").build()
        (problem,) = info.value.problems
        assert (problem.key, problem.source) == (key, f"env {name}")
        assert message in problem.render()

    def test_a_prefixed_variable_naming_no_field_is_an_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """TRAIN_OPTIM_LR (one underscore) is no field: the message suggests TRAIN_OPTIM__LR."""
        monkeypatch.setenv("TRAIN_OPTIM_LR", "0.1")
        with pytest.raises(ConfigError) as info:
            Scope(schema=TrainConfig, env_prefix="TRAIN_").build()
        (problem,) = info.value.problems
        assert problem.key == "optim_lr" and problem.source == "env TRAIN_OPTIM_LR"
        assert problem.suggestion is not None and "'TRAIN_OPTIM__LR'" in problem.suggestion

    def test_an_empty_level_is_an_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """TRAIN_OPTIM____LR has an empty name between the '__'."""
        monkeypatch.setenv("TRAIN_OPTIM____LR", "0.1")
        with pytest.raises(ConfigError, match="TRAIN_OPTIM____LR"):
            Scope(schema=TrainConfig, env_prefix="TRAIN_").build()

    def test_every_problem_at_once_with_the_command_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Environment and command-line problems are reported together, before any view."""
        ran: list[int] = []
        monkeypatch.setenv("TRAIN_EPOCHS", "many")
        monkeypatch.setenv("TRAIN_EPOCHZ", "1")
        scope = Scope(schema=TrainConfig, env_prefix="TRAIN_")
        scope.observe(default=True)(lambda config: ran.append(1))
        with pytest.raises(ConfigError) as info:
            scope.build(["optim.lr=fast"])
        assert [p.source for p in info.value.problems] == [
            "env TRAIN_EPOCHS", "env TRAIN_EPOCHZ", "CLI token 'optim.lr=fast'"]
        assert ran == []

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"env_prefix": ""}, "an empty prefix would claim every variable"),
            ({"env_file": ".env"}, "needs env_prefix"),
        ],
    )
    def test_constructor_options_are_checked(self, kwargs: dict[str, str], message: str) -> None:
        """An empty prefix, or a file without a prefix, is refused at once."""
        with pytest.raises(ConfigError, match=message):
            Scope(**kwargs)  # type: ignore[call-overload]


class TestDotenv:
    """`env_file=".env"`, read by python-dotenv."""

    def test_file_values_with_lines_and_the_environment_wins(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """The file's variables apply; a variable set in the environment beats the file's."""
        (tmp_path / ".env").write_text(
            "# a comment\nTRAIN_EPOCHS=3\nexport TRAIN_RUN_NAME='from file'\nTRAIN_OPTIM__LR=0.1\n"
            "HOME_DIR=/x\nTRAIN_LAYERS=[${N}, 2]\n")
        monkeypatch.setenv("TRAIN_OPTIM__LR", "0.2")
        monkeypatch.setenv("N", "7")
        scope = Scope(schema=TrainConfig, env_prefix="TRAIN_", env_file=".env")
        cfg = scope.build()
        assert (cfg.epochs, cfg.run_name, cfg.optim.lr, cfg.layers) == (3, "from file", 0.2, [7, 2])
        assert [w.source for w in scope.explain("optim.lr")] == [
            "(schema defaults)", "env TRAIN_OPTIM__LR, .env:4", "env TRAIN_OPTIM__LR"]
        assert scope.steps == ["(schema defaults)", "(environment TRAIN_*, .env)", "(CLI Inputs)"]

    def test_a_missing_file_is_skipped(self) -> None:
        """As in pydantic-settings, an absent .env reads as empty."""
        assert Scope(schema=TrainConfig, env_prefix="TRAIN_", env_file="absent.env").build().epochs == 10

    def test_a_bad_value_and_a_malformed_line_name_file_and_line(self, tmp_path: Path) -> None:
        """A bad value names the variable and the line; an unreadable line names the line."""
        (tmp_path / ".env").write_text("TRAIN_EPOCHS=many\n")
        with pytest.raises(ConfigError) as info:
            Scope(schema=TrainConfig, env_prefix="TRAIN_", env_file=".env").build()
        assert info.value.source == "env TRAIN_EPOCHS, .env:1"
        (tmp_path / ".env").write_text("TRAIN_EPOCHS=3\nTRAIN_RUN_NAME='unclosed\n")
        with pytest.raises(ConfigError) as info:
            Scope(schema=TrainConfig, env_prefix="TRAIN_", env_file=".env").build()
        assert info.value.source == ".env:2"
        assert "malformed line" in str(info.value)

    def test_without_python_dotenv_the_error_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """No python-dotenv: a ConfigError saying `pip install 'ato[dotenv]'`."""
        monkeypatch.setitem(sys.modules, "dotenv", None)
        with pytest.raises(ConfigError, match=r"pip install 'ato\[dotenv\]'") as info:
            Scope(schema=TrainConfig, env_prefix="TRAIN_", env_file="absent.env").build()
        assert info.value.key == "env_file"


PROGRAM = """
from typing import Literal
from pydantic import BaseModel, Field
from ato import ADict, Scope

class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0)
    name: Literal["adam", "sgd"] = "adam"

class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()

scope = Scope(schema=TrainConfig, env_prefix="TRAIN_")

@scope.observe(default=True)
def base(config: ADict) -> None:
    config.epochs = 5

@scope
def train(cfg: TrainConfig) -> None:
    print(repr(cfg))

if __name__ == "__main__":
    train()
"""


class TestProgram:
    """A real program run as a subprocess (the environment is inherited)."""

    def test_the_environment_reaches_the_function(
        self, run_program: Runner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """TRAIN_EPOCHS beats the default view; the command line beats TRAIN_OPTIM__LR."""
        monkeypatch.setenv("TRAIN_EPOCHS", "7")
        monkeypatch.setenv("TRAIN_OPTIM__LR", "0.1")
        result = run_program(PROGRAM, "optim.lr=0.2")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "TrainConfig(epochs=7, optim=Optim(lr=0.2, name='adam'))\n"

    def test_explain_names_the_variable(self, run_program: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
        """`explain epochs` lists `env TRAIN_EPOCHS` as the winner."""
        monkeypatch.setenv("TRAIN_EPOCHS", "7")
        result = run_program(PROGRAM, "explain", "epochs")
        assert result.returncode == 0, result.stderr
        line = PROGRAM.splitlines().index("def base(config: ADict) -> None:")
        assert result.stdout == (
            "epochs = 7\n"
            "  1. 10  (schema defaults)\n"
            f"  2. 5   view 'base' (train.py:{line})\n"
            "  3. 7   env TRAIN_EPOCHS  <- final\n"
        )

    def test_a_bad_variable_exits_2_before_the_function(
        self, run_program: Runner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One message naming each bad variable, exit 2, nothing on stdout, no traceback."""
        monkeypatch.setenv("TRAIN_OPTIM__LR", "fast")
        monkeypatch.setenv("TRAIN_EPOCH", "3")
        result = run_program(PROGRAM)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "optim.lr: expected float, got 'fast' (from env TRAIN_OPTIM__LR)" in result.stderr
        assert "epoch: not a field of TrainConfig (from env TRAIN_EPOCH)" in result.stderr
        assert "did you mean 'TRAIN_EPOCHS'" in result.stderr
        assert "Traceback" not in result.stderr

    def test_manual_lists_the_environment(self, run_program: Runner) -> None:
        """The applying order has the environment between the views and the command line."""
        result = run_program(PROGRAM, "manual")
        assert result.returncode == 0, result.stderr
        assert "(schema defaults) → base → (environment TRAIN_*) → (CLI Inputs)\n" in result.stdout


def test_import_stays_light() -> None:
    """An untyped scope reading the environment loads no pydantic, codec or dotenv; env_file loads dotenv."""
    code = (
        "import os, sys\n"
        "os.environ['APP_LR'] = '0.1'\n"
        "from ato.scope import Scope\n"
        "cfg = Scope(env_prefix='APP_').build()\n"
        "assert cfg.lr == 0.1\n"
        "heavy = ('pydantic', 'yaml', 'dotenv', 'sqlalchemy', 'numpy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "Scope(env_prefix='APP_', env_file='absent.env').build()\n"
        "print('dotenv' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\nTrue\n"
