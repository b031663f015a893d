"""The Scope's command line as users meet it: explain anywhere, explicit argv, value rules, argparse."""

from __future__ import annotations

import enum
import warnings
from typing import Any

import pytest
from conftest import Runner
from pydantic import BaseModel

from ato import ConfigError
from ato.scope import MultiScope, Scope

TYPED = """
from pydantic import BaseModel
from ato.scope import Scope

class Optim(BaseModel):
    lr: float = 0.1

class Config(BaseModel):
    optim: Optim = Optim()
    epochs: int = 3
    amp: bool = False

scope = Scope(schema=Config)

@scope.observe()
def big(cfg):
    cfg.optim.lr = 1.0

@scope.observe(lazy=True)
def scale(cfg):
    cfg.optim.lr = cfg.optim.lr * 2

@scope
def main(cfg: Config) -> None:
    print(f"lr={cfg.optim.lr} epochs={cfg.epochs} amp={cfg.amp}")

if __name__ == "__main__":
    main()
"""


class TestExplain:
    def test_views_after_explain_are_selected(self, run_program: Runner) -> None:
        """`explain optim.lr big scale` answers for the run `big scale`, wherever the views stand."""
        run = run_program(TYPED, "big", "scale")
        assert run.stdout == "lr=2.0 epochs=3 amp=False\n"
        for argv in (("explain", "optim.lr", "big", "scale"), ("big", "explain", "optim.lr", "scale")):
            result = run_program(TYPED, *argv)
            assert result.returncode == 0, result.stderr
            lines = result.stdout.splitlines()
            assert lines[0] == "optim.lr = 2.0"
            assert "view 'big'" in lines[2]
            assert "lazy view 'scale'" in lines[3] and lines[3].endswith("<- final")

    def test_unknown_key_gets_a_suggestion(self, run_program: Runner) -> None:
        """An unknown key to explain exits 2 with 'not a field' and a did-you-mean."""
        result = run_program(TYPED, "explain", "optim.lrr", "epoch")
        assert result.returncode == 2 and result.stdout == ""
        assert "optim.lrr: not a field of Optim (from explain 'optim.lrr')" in result.stderr
        assert "did you mean 'lr'?" in result.stderr
        assert "epoch: not a field of Config" in result.stderr and "did you mean 'epochs'?" in result.stderr

    def test_multiscope_explains_only_the_named_key(self, run_program: Runner) -> None:
        """MultiScope `explain data.lr` shows that key alone, named with its scope."""
        source = """
        from ato.scope import MultiScope, Scope
        model, data = Scope(name="model"), Scope(name="data")

        @model.observe(default=True)
        def m(cfg):
            cfg.lr = 0.1
            cfg.depth = 50

        @data.observe(default=True)
        def d(cfg):
            cfg.lr = 0.5

        @MultiScope(model, data)
        def main(model, data):
            print(model.lr, data.lr)

        main()
        """
        result = run_program(source, "explain", "data.lr")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["data.lr = 0.5", "  1. 0.5  view 'd' (train.py:10)  <- final"]
        wrong = run_program(source, "explain", "data.lrr")
        assert wrong.returncode == 2
        assert "data.lrr: no such key in the config (from explain 'data.lrr')" in wrong.stderr
        assert "did you mean 'lr'?" in wrong.stderr


class _Config(BaseModel):
    lr: float = 0.1
    epochs: int = 3


def _scope() -> Scope[_Config]:
    scope = Scope(schema=_Config)

    @scope.observe()
    def long_run(cfg: Any) -> None:
        cfg.epochs = 100

    return scope


class TestExplicitArgv:
    def test_build_and_with_argv_never_read_sys_argv(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """scope.build and entry.with_argv use the given tokens, whatever sys.argv holds."""
        monkeypatch.setattr("sys.argv", ["pytest", "-q", "tests/", "--tb=short"])
        scope = _scope()

        @scope
        def train(cfg: _Config, scale: float = 1.0) -> float:
            return cfg.lr * cfg.epochs * scale

        assert scope.build(["long_run", "lr=0.5"]) == _Config(lr=0.5, epochs=100)
        assert train.with_argv(["long_run"])(scale=2.0) == pytest.approx(20.0)
        assert train.with_argv([])() == pytest.approx(0.3)
        with pytest.raises(ConfigError, match=r"lr: expected float, got 'fast'"):
            train.with_argv(["lr=fast"])()
        with pytest.raises(ConfigError, match="a list of tokens"):
            train.with_argv("lr=0.5")  # type: ignore[arg-type]

    def test_with_argv_in_a_notebook_kernel(self, run_program: Runner) -> None:
        """A program whose argv is a Jupyter kernel's builds through with_argv; a plain call exits 2."""
        source = """
        import sys
        sys.argv = ["/opt/venv/lib/python3.11/site-packages/ipykernel_launcher.py", "-f",
                    "/root/.local/share/jupyter/runtime/kernel-0c2f.json"]
        from pydantic import BaseModel
        from ato.scope import Scope

        class Config(BaseModel):
            lr: float = 0.1

        scope = Scope(schema=Config)

        @scope
        def train(cfg: Config) -> float:
            return cfg.lr

        print(train.with_argv(["lr=0.25"])())
        train()
        """
        result = run_program(source)
        assert result.stdout == "0.25\n"
        assert result.returncode == 2
        assert "CLI token '-f'" in result.stderr


class _Color(enum.Enum):
    RED = "r"
    GREEN = "g"


class _Rules(BaseModel):
    name: str = "x"
    maybe: int | None = 3
    tags: list[str] = []
    color: _Color = _Color.RED
    count: int = 1
    scale: float = 1.0
    amp: bool = False


# token -> (field, value it gives) or the text its ConfigError contains; README's table.
RULES: list[tuple[str, str, Any]] = [
    ("maybe=null", "maybe", None),
    ("maybe=None", "maybe", None),
    ("name=null", "name", "name: expected str, got None"),
    ("name=%null%", "name", "null"),
    ("name=123", "name", "123"),
    ("tags=[a,b]", "tags", ["a", "b"]),
    ("tags=[a, 'b c', ./data]", "tags", ["a", "b c", "./data"]),
    ("color=RED", "color", _Color.RED),
    ("color=g", "color", _Color.GREEN),
    ("color=BLUE", "color", "color: expected _Color"),
    ("count=True", "count", "count: expected int, got True (bool), a bool is not a number"),
    ("scale=False", "scale", "scale: expected float, got False (bool)"),
    ("amp=True", "amp", True),
    ("count=7", "count", 7),
]


@pytest.mark.parametrize(("token", "field", "expected"), RULES, ids=[r[0] for r in RULES])
def test_value_rules(token: str, field: str, expected: Any) -> None:
    """Each documented command-line value rule, as a table."""
    scope = Scope(schema=_Rules)
    if isinstance(expected, str) and ": expected" in expected:
        with pytest.raises(ConfigError) as info:
            scope.build([token])
        assert expected in str(info.value)
    else:
        assert getattr(scope.build([token]), field) == expected


def test_untyped_null_and_bare_words_in_lists() -> None:
    """Without a schema null is None and [a,b] a list of str too."""
    config = Scope().build(["x=null", "y=[a,b]", "z=%null%"])
    assert dict(config) == {"x": None, "y": ["a", "b"], "z": "null"}


def test_repeated_key_warns_and_the_last_wins(run_program: Runner) -> None:
    """A key given twice: the last wins, with a warning (stderr on the command line, UserWarning in code)."""
    result = run_program(TYPED, "epochs=1", "epochs=5")
    assert result.returncode == 0 and result.stdout == "lr=0.1 epochs=5 amp=False\n"
    warning = "train.py: warning: epochs is given 2 times ('epochs=1', 'epochs=5'); the last one wins"
    assert warning in result.stderr
    with pytest.warns(UserWarning, match="epochs is given 2 times"):
        assert _scope().build(["epochs=1", "epochs=5"]).epochs == 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _scope().build(["epochs=1"])


def test_bare_word_naming_a_bool_field_gets_a_hint(run_program: Runner) -> None:
    """`amp` alone, where amp is a bool field, suggests amp=True."""
    result = run_program(TYPED, "amp")
    assert result.returncode == 2
    assert "amp: expected the name of a view or a command word" in result.stderr
    assert "did you mean 'amp=True'?" in result.stderr


ARGPARSE_TYPED = """
import argparse
from pydantic import BaseModel
from ato.scope import Scope

class Config(BaseModel):
    gpus: int = 1
    lr: float = 0.1

scope = Scope(schema=Config, use_external_parser=True)
parser = argparse.ArgumentParser()
parser.add_argument("--local_rank", type=int, default=0)
parser.add_argument("--gpus", type=int, default=1)

@scope
def main(cfg: Config) -> None:
    print(repr(cfg), "local_rank", args.local_rank)

args = parser.parse_args()
main()
"""


def test_argparse_options_outside_the_schema_stay_out(run_program: Runner) -> None:
    """torchrun's --local_rank is no field: it stays in parse_args()'s result, out of the config."""
    result = run_program(ARGPARSE_TYPED, "--local_rank", "3", "--gpus", "4", "lr=0.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Config(gpus=4, lr=0.5) local_rank 3\n"


def test_multiscope_entry_has_with_argv() -> None:
    """A MultiScope entry builds from explicit tokens too."""
    model, data = Scope(name="model"), Scope(name="data")

    @MultiScope(model, data)
    def main(model: Any, data: Any) -> tuple[Any, Any]:
        return model.lr, data.lr

    assert main.with_argv(["model.lr=0.1", "data.lr=0.2"])() == (0.1, 0.2)


UNION = """
from typing import Literal
from pydantic import BaseModel, Field
from ato.scope import Scope

class Adam(BaseModel):
    kind: Literal["adam"] = "adam"
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)

class SGD(BaseModel):
    kind: Literal["sgd"] = "sgd"
    lr: float = 0.1
    momentum: float = 0.0

class Config(BaseModel):
    optim: Adam | SGD = Field(default_factory=Adam, discriminator="kind")

scope = Scope(schema=Config)

@scope
def main(cfg: Config) -> None:
    print(repr(cfg.optim))

main()
"""


class TestDiscriminatedUnion:
    def test_switch_member_and_set_its_fields(self, run_program: Runner) -> None:
        """optim.kind=sgd switches to SGD with SGD's defaults; its own fields can follow."""
        assert run_program(UNION).stdout == "Adam(kind='adam', lr=0.001, betas=(0.9, 0.999))\n"
        assert run_program(UNION, "optim.kind=sgd").stdout == "SGD(kind='sgd', lr=0.1, momentum=0.0)\n"
        both = run_program(UNION, "optim.kind=sgd", "optim.momentum=0.9", "optim.lr=0.05")
        assert both.stdout == "SGD(kind='sgd', lr=0.05, momentum=0.9)\n", both.stderr

    def test_a_field_of_another_member_is_refused(self, run_program: Runner) -> None:
        """momentum without switching to sgd is no field of Adam: exit 2, never silently dropped."""
        result = run_program(UNION, "optim.momentum=0.9")
        assert result.returncode == 2
        assert "optim.momentum: not a field of Adam (from CLI token 'optim.momentum=0.9')" in result.stderr
        unknown = run_program(UNION, "optim.kind=rmsprop")
        assert unknown.returncode == 2
        assert "optim.kind: expected Literal['adam', 'sgd'], got 'rmsprop'" in unknown.stderr

    def test_explain_shows_the_switch(self, run_program: Runner) -> None:
        """explain shows SGD's defaults replacing what only Adam's defaults had written."""
        result = run_program(UNION, "optim.kind=sgd", "explain", "optim.betas", "optim.lr")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            "optim.betas: not in the final config",
            "  1. [0.9, 0.999]  (schema defaults)",
            "  2. <deleted>     (defaults of SGD)  <- final",
            "optim.lr = 0.1",
            "  1. 0.001  (schema defaults)",
            "  2. 0.1    (defaults of SGD)  <- final",
        ]

    def test_a_view_the_environment_or_a_file_can_switch(self, run_program: Runner, tmp_path: Any) -> None:
        """Whatever source selects the member, the build starts it from that member's defaults."""
        source = UNION.replace("Scope(schema=Config)", "Scope(schema=Config, env_prefix='T_')")
        view = "@scope.observe()\ndef sgd(cfg):\n    cfg.optim.kind = 'sgd'\n\n@scope\n"
        source = source.replace("@scope\n", view)
        expected = "SGD(kind='sgd', lr=0.1, momentum=0.0)\n"
        assert run_program(source, "sgd").stdout == expected
        (tmp_path / "sgd.yaml").write_text("optim:\n  kind: sgd\n  momentum: 0.5\n", encoding="utf-8")
        assert run_program(source, "--config", "sgd.yaml").stdout == "SGD(kind='sgd', lr=0.1, momentum=0.5)\n"
        import os

        os.environ["T_OPTIM__KIND"] = "sgd"
        try:
            assert run_program(source).stdout == expected
        finally:
            del os.environ["T_OPTIM__KIND"]


def test_argparse_bridge_passes_config_and_completion_to_ato(run_program: Runner, tmp_path: Any) -> None:
    """With the argparse bridge, `--config FILE` and `--completion SHELL` still reach ato."""
    (tmp_path / "exp.yaml").write_text("lr: 0.5\n", encoding="utf-8")
    result = run_program(ARGPARSE_TYPED, "--gpus", "2", "--config", "exp.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Config(gpus=2, lr=0.5) local_rank 0\n"
    script = run_program(ARGPARSE_TYPED, "--completion", "bash")
    assert script.returncode == 0, script.stderr
    assert script.stdout.startswith("# bash completion for train.py")


class TestReviewedEdges:
    def test_a_default_union_instance_keeps_its_values(self) -> None:
        """Field(Adam(lr=0.1)) stays lr=0.1 when nothing switches the member."""
        from typing import Literal

        from pydantic import Field

        class Adam(BaseModel):
            kind: Literal["adam"] = "adam"
            lr: float = 1e-3

        class SGD(BaseModel):
            kind: Literal["sgd"] = "sgd"
            momentum: float = 0.0

        class Config(BaseModel):
            optim: Adam | SGD = Field(Adam(lr=0.1), discriminator="kind")

        assert Scope(schema=Config).build([]) == Config()
        assert Scope(schema=Config).build(["optim.kind=sgd"]).optim == SGD()

    def test_the_declared_discriminator_wins_over_a_shared_literal(self) -> None:
        """Members sharing another Literal field (a precision) are told apart by `kind`."""
        from typing import Literal

        from pydantic import Field

        class Adam(BaseModel):
            precision: Literal["fp16", "fp32"] = "fp32"
            kind: Literal["adam"] = "adam"

        class SGD(BaseModel):
            precision: Literal["fp16", "fp32"] = "fp32"
            kind: Literal["sgd"] = "sgd"
            momentum: float = 0.0

        class Config(BaseModel):
            optim: Adam | SGD = Field(default_factory=Adam, discriminator="kind")

        built = Scope(schema=Config).build(["optim.kind=sgd", "optim.momentum=0.5", "optim.precision=fp16"])
        assert built.optim == SGD(precision="fp16", momentum=0.5)

    def test_with_argv_never_exits_on_a_bad_manual(self) -> None:
        """`manual nosuch` through with_argv raises ConfigError, as the docstring promises."""
        scope = Scope()

        @scope
        def main(cfg: Any) -> None:
            return None

        with pytest.raises(ConfigError, match="nosuch"):
            main.with_argv(["manual", "nosuch"])()

    def test_near_miss_of_an_option_names_it(self) -> None:
        """`--confg exp.yaml` suggests --config FILE and reports no second token."""
        from ato.cli import parse_argv

        with pytest.raises(ConfigError) as info:
            parse_argv(["--confg", "exp.yaml"])
        assert len(info.value.problems) == 1
        assert info.value.problems[0].suggestion == "'--config FILE'"


SECRETS = """
from pydantic import BaseModel, Field, SecretStr, computed_field, model_validator
from ato.scope import Scope

class Db(BaseModel):
    user: str = "u"
    password: SecretStr = SecretStr("p")

    @model_validator(mode="after")
    def check(self):
        if self.user == "bad":
            raise ValueError("bad user")
        return self

class Config(BaseModel):
    db: Db = Db()
    api_key: SecretStr = Field(SecretStr("default-key-x"), min_length=10)
    lr: float = 0.1

    @computed_field
    @property
    def scaled(self) -> float:
        return self.lr * 2

scope = Scope(schema=Config, env_prefix="T_")

@scope
def main(cfg: Config) -> None:
    print(cfg.lr, cfg.api_key.get_secret_value(), cfg.db.password.get_secret_value())
    scope.save_config("saved.yaml")

main()
"""


def test_secrets_never_appear_in_messages_or_saved_files(run_program: Runner, tmp_path: Any) -> None:
    """Files, validators, repeated-key warnings and save_config keep secrets out of sight."""
    (tmp_path / "bad.yaml").write_text("api_key: hunter2\n", encoding="utf-8")
    from_file = run_program(SECRETS, "--config", "bad.yaml")
    assert from_file.returncode == 2 and "hunter2" not in from_file.stderr
    assert "api_key: expected SecretStr, got '**********'" in from_file.stderr
    validator = run_program(SECRETS, "db.user=bad", "db.password=swordfish9")
    assert validator.returncode == 2 and "swordfish9" not in validator.stderr
    assert "CLI token 'db.password=**********'" in validator.stderr
    twice = run_program(SECRETS, "api_key=first-secret-1", "api_key=second-secret-2")
    assert twice.returncode == 0, twice.stderr
    assert "first-secret-1" not in twice.stderr and "api_key=**********" in twice.stderr
    saved = (tmp_path / "saved.yaml").read_text(encoding="utf-8")
    assert saved == "db:\n  user: u\nlr: 0.1\n"  # no secret, no computed field
    again = run_program(SECRETS, "--config", "saved.yaml")
    assert again.returncode == 0 and again.stdout == "0.1 default-key-x p\n"


def test_print_of_a_value_no_file_holds_is_a_clean_error(run_program: Runner) -> None:
    """A timedelta field cannot be printed as a file would hold it: exit 2 naming the key, no traceback."""
    source = """
    import datetime
    from pydantic import BaseModel
    from ato.scope import Scope

    class Config(BaseModel):
        timeout: datetime.timedelta = datetime.timedelta(minutes=5)

    @Scope(schema=Config)
    def main(cfg: Config) -> None:
        pass

    main()
    """
    result = run_program(source, "print")
    assert result.returncode == 2
    assert "timeout: expected a value XYZ can hold" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("word", ["--help", "print", "explain", "--completion=bash"])
def test_a_reader_that_stops_early_ends_the_program_quietly(tmp_path: Any, word: str) -> None:
    """`python train.py --help | head -1`: a closed stdout is exit 0, never a BrokenPipeError traceback."""
    import subprocess
    import sys
    import textwrap

    (tmp_path / "train.py").write_text(textwrap.dedent(TYPED), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "train.py", word], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the program has written anything
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr
