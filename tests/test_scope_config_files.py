"""`--config FILE` on the command line: grammar, merge order, explain, errors, save_config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from conftest import Runner
from pydantic import BaseModel, Field

from ato import ADict, ConfigError
from ato.cli import parse_argv
from ato.scope import Scope


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0)
    name: Literal["adam", "sgd"] = "adam"


class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()
    run_name: str = "baseline"
    layers: list[int] = [64, 128]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding exp.yaml, more.toml and extra.json."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "exp.yaml", "epochs: 20\noptim:\n  lr: 0.01\n")
    _write(tmp_path / "more.toml", '[optim]\nname = "sgd"\n')
    _write(tmp_path / "extra.json", '{"run_name": "from-json", "optim": {"lr": 0.02}}')
    return tmp_path


class TestTokens:
    """The grammar: `--config FILE`, `--config=FILE`, repeatable, the name taken verbatim."""

    def test_both_forms_in_order(self) -> None:
        """Files keep their order; assignments and views around them are unaffected."""
        command = parse_argv(["--config", "a.yaml", "fast", "--config=b.toml", "lr=1"])
        assert command.config_files == ("a.yaml", "b.toml")
        assert command.selections == ("fast",)
        assert [a.key for a in command.assignments] == ["lr"]

    def test_the_file_name_is_verbatim(self) -> None:
        """A name that opens a bracket or holds `=` is not joined with the next pieces."""
        command = parse_argv(["--config", "[x.yaml", "--config=a=b.yaml", "lr=1"])
        assert command.config_files == ("[x.yaml", "a=b.yaml")

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (["--config"], "a file name after '--config'"),
            (["--config="], "a file name after '--config='"),
            (["--config", ""], "a file name after '--config'"),
        ],
    )
    def test_a_missing_file_name_is_one_problem(self, argv: list[str], expected: str) -> None:
        """`--config` without a file is reported once, naming the token."""
        with pytest.raises(ConfigError) as info:
            parse_argv(argv)
        (problem,) = info.value.problems
        assert problem.expected == expected
        assert problem.source == f"CLI token {argv[0]!r}"


class TestBuild:
    """`scope.build(argv)` reads `--config` exactly as a program's command line does."""

    def test_files_merge_in_order_and_the_command_line_wins(self, files: Path) -> None:
        """yaml, toml, json deep-merge in the order given; `key=value` tokens beat them all."""
        scope = Scope(schema=TrainConfig)
        cfg = scope.build(["--config", "exp.yaml", "--config=more.toml", "--config", "extra.json",
                           "epochs=30"])
        assert cfg == TrainConfig(epochs=30, optim=Optim(lr=0.02, name="sgd"), run_name="from-json")
        assert scope.steps == ["(schema defaults)", "(--config exp.yaml)", "(--config more.toml)",
                               "(--config extra.json)", "(CLI Inputs)"]

    def test_priority_views_files_cli_lazy(self, files: Path) -> None:
        """A default view loses to a file, which loses to the CLI; a lazy view sees the result."""
        scope = Scope(schema=TrainConfig)
        scope.observe("base", {"epochs": 5, "optim": {"lr": 0.5}, "run_name": "view"}, default=True)

        @scope.observe(lazy=True, default=True)
        def tag(config: ADict) -> None:
            config.run_name = f"{config.run_name}-{config.epochs}"

        cfg = scope.build(["--config", "exp.yaml", "epochs=7"])
        assert (cfg.epochs, cfg.optim.lr, cfg.run_name) == (7, 0.01, "view-7")
        assert scope.steps == ["(schema defaults)", "base", "(--config exp.yaml)", "(CLI Inputs)", "tag"]

    def test_explain_names_file_and_line(self, files: Path) -> None:
        """YAML keys are named `file:line`; other formats name the file."""
        scope = Scope(schema=TrainConfig)
        scope.build(["--config", "exp.yaml", "--config", "more.toml", "--config", "extra.json"])
        assert [w.source for w in scope.explain("optim.lr")] == ["(schema defaults)", "exp.yaml:3",
                                                                  "extra.json"]
        assert [w.source for w in scope.explain("optim.name")] == ["(schema defaults)", "more.toml"]
        assert [w.source for w in scope.explain("epochs")] == ["(schema defaults)", "exp.yaml:1"]

    def test_untyped_scope_merges_files(self, files: Path) -> None:
        """Without a schema a file's keys are merged into the ADict as they are."""
        scope = Scope(config={"optim": {"momentum": 0.9}})
        cfg = scope.build(["--config", "exp.yaml", "--config", "more.toml"])
        assert cfg.to_dict() == {"optim": {"momentum": 0.9, "lr": 0.01, "name": "sgd"}, "epochs": 20}

    def test_a_file_value_is_checked_before_any_view_runs(self, files: Path) -> None:
        """A wrong type in a file is reported with file:line, and no view has run."""
        ran: list[str] = []
        scope = Scope(schema=TrainConfig)
        scope.observe(default=True)(lambda config: ran.append("view"))
        _write(files / "bad.yaml", "epochs: many\noptim:\n  lr: -1\n  lrr: 3\noptimz: {}\n")
        with pytest.raises(ConfigError) as info:
            scope.build(["--config", "bad.yaml"])
        found = [(p.key, p.source, p.suggestion) for p in info.value.problems]
        assert found == [
            ("epochs", "bad.yaml:1", None),
            ("optim.lr", "bad.yaml:3", None),
            ("optim.lrr", "bad.yaml:4", "'lr'"),
            ("optimz", "bad.yaml:5", "'optim'"),
        ]
        assert ran == []

    def test_a_key_under_a_union_is_left_to_validation(self, files: Path) -> None:
        """The member of a union is picked by the whole value, so a file may switch it; the
        new member starts from its own defaults (SGD's lr, not Adam's)."""

        class Adam(BaseModel):
            kind: Literal["adam"] = "adam"
            lr: float = 1e-3

        class SGD(BaseModel):
            kind: Literal["sgd"] = "sgd"
            lr: float = 1e-2
            momentum: float = 0.0

        class Config(BaseModel):
            optim: Adam | SGD = Field(Adam(), discriminator="kind")

        _write(files / "sgd.yaml", "optim:\n  kind: sgd\n  momentum: 0.9\n")
        cfg = Scope(schema=Config).build(["--config", "sgd.yaml"])
        assert cfg.optim == SGD(lr=1e-2, momentum=0.9)


# Each row: file name, its text (None: not created), the problem's expected text and source.
BAD_FILES = [
    ("missing.yaml", None, "config file not found", "--config missing.yaml"),
    ("broken.yaml", "a: [1,\n", "malformed YAML", "broken.yaml, line 2, column 1"),
    ("broken.json", '{"a": ', "malformed JSON", "broken.json, line 1, column 7"),
    ("broken.toml", "a = [1,\n", "broken.toml", "broken.toml"),
    ("list.yaml", "- 1\n- 2\n", "a mapping at the top level", "list.yaml"),
    ("exp.py", "epochs = 3\n", "a Python config runs code", "--config exp.py"),
    ("exp.ini", "[a]\n", "a config file ending in .json, .yaml, .yml, .toml, .xyz", "--config exp.ini"),
]


@pytest.mark.parametrize(("name", "text", "message", "source"), BAD_FILES)
def test_a_bad_file_is_one_clear_problem(
    files: Path, name: str, text: str | None, message: str, source: str
) -> None:
    """Missing, malformed, a `.py` or an unknown extension: one problem naming the file."""
    if text is not None:
        _write(files / name, text)
    with pytest.raises(ConfigError) as info:
        Scope(schema=TrainConfig).build(["--config", name])
    (problem,) = info.value.problems
    assert message in problem.render()
    assert problem.source is not None and problem.source.startswith(source)


def test_every_bad_file_is_reported_at_once(files: Path) -> None:
    """All the files' problems, and the command line's, come in one ConfigError."""
    _write(files / "broken.yaml", "a: [1,\n")
    with pytest.raises(ConfigError) as info:
        Scope(schema=TrainConfig).build(["--config", "missing.yaml", "--config", "broken.yaml",
                                         "--config", "x.py", "epochs=many"])
    assert len(info.value.problems) == 4
    assert info.value.problems[-1].source == "CLI token 'epochs=many'"


def test_a_py_config_is_never_run(files: Path) -> None:
    """A `.py` named by `--config` is refused without being executed."""
    marker = files / "ran"
    _write(files / "evil.py", f"open({str(marker)!r}, 'w').close()\n")
    with pytest.raises(ConfigError):
        Scope().build(["--config", "evil.py"])
    assert not marker.exists()


PROGRAM = """
import os
from typing import Literal
from pydantic import BaseModel, Field
from ato import ADict, Scope

class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0)
    name: Literal["adam", "sgd"] = "adam"

class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()
    run_name: str = "baseline"
    layers: list[int] = [64, 128]
    note: str | None = None

scope = Scope(schema=TrainConfig)

@scope.observe()
def long_run(config: ADict) -> None:
    config.epochs = 100

@scope.observe(lazy=True, default=True)
def scale_lr(config: ADict) -> None:       # not idempotent: a re-run must not scale twice
    config.optim.lr = config.optim.lr * config.epochs / 10

@scope.observe(lazy=True)
def tagged(config: ADict) -> None:         # selected by name: does not run again by itself
    config.run_name = config.run_name + "-tagged"

@scope.observe(default=True)
def layered(config: ADict) -> None:
    config.layers = [32]
    with scope.lazy():
        config.layers = config.layers + [config.epochs]

@scope
def train(cfg: TrainConfig) -> None:
    print(repr(cfg))
    if os.environ.get("SAVE_TO"):
        scope.save_config(os.environ["SAVE_TO"])

if __name__ == "__main__":
    train()
"""


class TestProgram:
    """A real program run as a subprocess."""

    def test_files_merge_and_explain_names_them(self, run_program: Runner, files: Path) -> None:
        """`--config` twice plus a token; explain lists schema default, file:line, file, token."""
        result = run_program(PROGRAM, "--config", "exp.yaml", "--config=extra.json", "epochs=40",
                             "explain", "optim.lr", "epochs")
        assert result.returncode == 0, result.stderr
        scale = PROGRAM.splitlines().index("def scale_lr(config: ADict) -> None:       "
                                           "# not idempotent: a re-run must not scale twice")
        assert result.stdout == (
            "optim.lr = 0.08\n"
            "  1. 0.001  (schema defaults)\n"
            "  2. 0.01   exp.yaml:3\n"
            "  3. 0.02   extra.json\n"
            f"  4. 0.08   lazy view 'scale_lr' (train.py:{scale})  <- final\n"
            "epochs = 40\n"
            "  1. 10  (schema defaults)\n"
            "  2. 20  exp.yaml:1\n"
            "  3. 40  CLI token 'epochs=40'  <- final\n"
        )

    def test_bad_files_exit_2_before_the_function(self, run_program: Runner, files: Path) -> None:
        """Missing and malformed files: one message on stderr, exit 2, no traceback, no run."""
        _write(files / "bad.yaml", "epochs: [\n")
        result = run_program(PROGRAM, "--config", "nope.yaml", "--config", "bad.yaml", "--config", "c.py")
        assert result.returncode == 2
        assert result.stdout == ""
        assert "3 configuration problems" in result.stderr
        assert "config file not found" in result.stderr and "(from --config nope.yaml)" in result.stderr
        assert "malformed YAML" in result.stderr and "bad.yaml, line 2" in result.stderr
        assert "(from --config c.py)" in result.stderr
        assert "Traceback" not in result.stderr

    def test_a_wrong_type_in_a_file_names_file_and_line(self, run_program: Runner, files: Path) -> None:
        """`optim.lr: fast` in a YAML file is reported as from `bad.yaml:2`, exit 2."""
        _write(files / "bad.yaml", "optim:\n  lr: fast\n")
        result = run_program(PROGRAM, "--config", "bad.yaml")
        assert result.returncode == 2
        assert "optim.lr: expected float, got 'fast' (from bad.yaml:2)" in result.stderr

    def test_manual_lists_the_files(self, run_program: Runner, files: Path) -> None:
        """The applying order shows each file between the views and the command line."""
        result = run_program(PROGRAM, "--config", "exp.yaml", "--config", "more.toml", "manual",
                             "long_run", "tagged")
        assert result.returncode == 0, result.stderr
        assert ("(schema defaults) → layered → long_run → (--config exp.yaml) → (--config more.toml) "
                "→ (CLI Inputs) → scale_lr → tagged\n") in result.stdout

    @pytest.mark.parametrize("saved", ["saved.yaml", "saved.json", "saved.xyz"])
    def test_save_config_then_config_reproduces_the_run(
        self, run_program: Runner, files: Path, saved: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """run, save, re-run with `--config saved`: the same validated config, lazy steps included."""
        monkeypatch.setenv("SAVE_TO", saved)
        first = run_program(PROGRAM, "long_run", "tagged", "--config", "exp.yaml", "optim.lr=0.05",
                            "note=None")
        assert first.returncode == 0, first.stderr
        assert first.stdout == (  # the file's epochs=20 beats the view long_run
            "TrainConfig(epochs=20, optim=Optim(lr=0.1, name='adam'), run_name='baseline-tagged', "
            "layers=[32, 20], note=None)\n"
        )
        monkeypatch.delenv("SAVE_TO")
        again = run_program(PROGRAM, "--config", saved)
        assert again.returncode == 0, again.stderr
        assert again.stdout == first.stdout

    def test_the_saved_yaml_is_the_run_s_config(
        self, run_program: Runner, files: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The file holds final values; keys that default lazy steps compute hold their input."""
        monkeypatch.setenv("SAVE_TO", "out/config.yaml")
        result = run_program(PROGRAM, "tagged", "epochs=20")
        assert result.returncode == 0, result.stderr
        assert (files / "out" / "config.yaml").read_text() == (
            "epochs: 20\n"
            "optim:\n"
            "  lr: 0.001\n"
            "  name: adam\n"
            "run_name: baseline-tagged\n"
            "layers:\n"
            "- 32\n"
            "note: null\n"
        )


class TestSaveConfig:
    """`scope.save_config(path)` in-process, with `scope.build`."""

    def test_round_trip_through_build(self, files: Path) -> None:
        """build, save, build from the saved file: the same model."""
        scope = Scope(schema=TrainConfig)

        @scope.observe(lazy=True, default=True)
        def double(config: ADict) -> None:
            config.optim.lr = config.optim.lr * 2

        first = scope.build(["--config", "exp.yaml", "layers=[1, 2]", "run_name=123"])
        scope.save_config(files / "saved.yaml")
        assert scope.build(["--config", "saved.yaml"]) == first
        assert first.optim.lr == 0.02

    def test_untyped_scope(self, files: Path) -> None:
        """Without a schema the ADict is saved; the re-run rebuilds the same ADict."""
        scope = Scope()
        scope.observe("base", {"model": {"depth": 18}}, default=True)
        first = scope.build(["--config", "exp.yaml", "model.depth=50", "tags=['a', 'b']"])
        scope.save_config("saved.json")
        assert json.loads((files / "saved.json").read_text())["model"] == {"depth": 50}
        assert scope.build(["--config", "saved.json"]) == first

    def test_lazy_key_created_from_nothing_is_left_out(self, files: Path) -> None:
        """A key only a default lazy view writes is computed again, so it is not saved."""
        scope = Scope()

        @scope.observe(lazy=True, default=True)
        def derive(config: ADict) -> None:
            config.sched.total = config.epochs * 2

        first = scope.build(["epochs=3"])
        scope.save_config("saved.yaml")
        assert (files / "saved.yaml").read_text() == "epochs: 3\n"
        assert scope.build(["--config", "saved.yaml"]) == first == {"epochs": 3, "sched": {"total": 6}}

    def test_before_any_build_is_an_error(self, files: Path) -> None:
        """There is nothing to save before a build."""
        with pytest.raises(ConfigError, match="no config to save"):
            Scope().save_config("x.yaml")

    def test_a_failed_build_leaves_nothing_to_save(self, files: Path) -> None:
        """After a build the schema rejected, save_config refuses rather than write a stale config."""
        scope = Scope(schema=TrainConfig)
        scope.build([])
        scope.observe("broken", {"epochs": "many"})
        with pytest.raises(ConfigError):
            scope.build(["broken"])
        with pytest.raises(ConfigError, match="no config to save"):
            scope.save_config("x.yaml")

    def test_toml_cannot_hold_none_and_says_which_key(self, files: Path) -> None:
        """A format that cannot hold a value lists the key; nothing is written."""
        scope = Scope()
        scope.build(["seed=None"])
        with pytest.raises(ConfigError) as info:
            scope.save_config("saved.toml")
        assert info.value.key == "seed"
        assert not (files / "saved.toml").exists()

    def test_a_py_path_is_refused(self, files: Path) -> None:
        """A saved config is data; `.py` could not be given back with --config."""
        scope = Scope()
        scope.build([])
        with pytest.raises(ConfigError, match=r"\.py config cannot be given back"):
            scope.save_config("saved.py")
        assert not (files / "saved.py").exists()


MULTI = """
from ato import MultiScope, Scope

model = Scope(name="model")
data = Scope(name="data")

model_scope = model

@model.observe(default=True)
def base(config):
    config.lr = 0.1

@MultiScope(model, data)
def main(model, data):
    print(model.to_dict(), data.to_dict())
    model_scope.save_config("model.yaml")

if __name__ == "__main__":
    main()
"""


def test_multiscope_files_are_split_by_scope_name(run_program: Runner, files: Path) -> None:
    """With several scopes a file's top-level keys name the scopes; save_config keeps the name."""
    _write(files / "both.yaml", "model:\n  lr: 0.3\ndata:\n  path: /data\n")
    result = run_program(MULTI, "--config", "both.yaml", "data.workers=2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "{'lr': 0.3} {'path': '/data', 'workers': 2}\n"
    assert (files / "model.yaml").read_text() == "model:\n  lr: 0.3\n"
    again = run_program(MULTI, "--config", "model.yaml")
    assert again.stdout == "{'lr': 0.3} {}\n"
    _write(files / "typo.yaml", "modle:\n  lr: 0.3\n")
    bad = run_program(MULTI, "--config", "typo.yaml")
    assert bad.returncode == 2
    assert "modle: expected a top-level key naming a scope (model, data) (from typo.yaml:1)" in bad.stderr
    assert "did you mean 'model'?" in bad.stderr
