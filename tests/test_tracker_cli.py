"""`python -m ato runs ...` in a real subprocess over a real SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ato.trace
from ato.adict import ADict
from ato.tracker import SQLLogger


def ato_cmd(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ato ARGS`` in ``cwd`` (ATO_DB_URL unset unless given)."""
    base = {k: v for k, v in os.environ.items() if k != "ATO_DB_URL"}
    return subprocess.run(
        [sys.executable, "-m", "ato", *args], cwd=cwd, env={**base, **(env or {})},
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=120,
    )


def failed(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (exit 2, no traceback)."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding experiments.db: three runs in 'vision', one in 'nlp'."""
    root = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{root / 'experiments.db'}"
    runs = [
        ("vision", {"lr": 0.001, "model": "resnet50", "optim": {"name": "adam"}}, [0.5, 0.7, 0.8]),
        ("vision", {"lr": 0.01, "model": "vit", "optim": {"name": "adam"}}, [0.6, 0.9, 0.85]),
        ("vision", {"lr": 0.1, "model": "resnet50", "optim": {"name": "sgd"}, "depth": 3}, [0.4, 0.3]),
        ("nlp", {"lr": 0.5, "model": "bert", "optim": {"name": "adam"}}, [0.2]),
    ]
    for project, values, accuracy in runs:
        ato.trace.clear()
        ato.trace.record("model_forward", "static", "f" * 64)
        logger = SQLLogger(ADict(experiment=ADict(project_name=project, sql=ADict(db_path=url)), **values))
        run_id = logger.run(tags=["sweep", values["model"]])
        for step, acc in enumerate(accuracy):
            logger.log_metric("val_accuracy", acc, step=step)
            logger.log_metric("train_loss", 1.0 - acc, step=step)
        logger.log_artifact(run_id, "ckpt/best.pt", data_type="model")
        logger.finish()
    ato.trace.clear()
    return root


def test_runs_list_default_database(workdir: Path) -> None:
    """`ato runs list` reads ./experiments.db: a header, a rule, one aligned line per run."""
    result = ato_cmd(workdir, "runs", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "PROJECT", "STATUS", "STARTED", "(UTC)", "DURATION", "TAGS"]
    assert set(lines[1]) == {"-", " "}
    assert [line.split()[:3] for line in lines[2:]] == [
        ["1", "vision", "completed"], ["2", "vision", "completed"],
        ["3", "vision", "completed"], ["4", "nlp", "completed"]]
    assert all(line.index("completed") == lines[0].index("STATUS") for line in lines[2:])


def test_runs_list_one_project_from_env_url(workdir: Path, tmp_path: Path) -> None:
    """--project filters; ATO_DB_URL names the database when --db is not given."""
    env = {"ATO_DB_URL": f"sqlite:///{workdir / 'experiments.db'}"}
    result = ato_cmd(tmp_path, "runs", "list", "--project", "nlp", env=env)
    assert result.returncode == 0, result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()[2:]] == [["4", "nlp"]]


def test_runs_show(workdir: Path) -> None:
    """`ato runs show 2`: facts, the flattened config, per-metric summary, artifacts, traces."""
    result = ato_cmd(workdir, "runs", "show", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "project          vision" in out and "tags             sweep, vit" in out
    assert any(line.split() == ["optim.name", "adam"] for line in out.splitlines())
    assert any(line.split() == ["lr", "0.01"] for line in out.splitlines())
    assert any(line.split() == ["val_accuracy", "3", "2", "0.85", "0.6", "0.9"] for line in out.splitlines())
    assert "ckpt/best.pt" in out and "model_forward  static" in out


def test_runs_best(workdir: Path) -> None:
    """`ato runs best` names the run, its best value and step, then shows it; --mode min works."""
    result = ato_cmd(workdir, "runs", "best", "--project", "vision", "--metric", "val_accuracy")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "best val_accuracy (max) in project 'vision': run 2, 0.9 at step 1")
    result = ato_cmd(workdir, "runs", "best", "--project", "vision", "--metric", "train_loss",
                     "--mode", "min")
    assert result.stdout.splitlines()[0].startswith("best train_loss (min) in project 'vision': run 2, 0.1 ")


def test_runs_compare(workdir: Path) -> None:
    """`ato runs compare 1 2 3`: differing config keys side by side, then last metric values."""
    result = ato_cmd(workdir, "runs", "compare", "1", "2", "3")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["CONFIG", "run", "1", "run", "2", "run", "3"]
    assert ["depth", "-", "-", "3"] in rows
    assert ["lr", "0.001", "0.01", "0.1"] in rows
    assert ["model", "resnet50", "vit", "resnet50"] in rows
    assert ["optim.name", "adam", "adam", "sgd"] in rows
    assert ["(2", "other", "keys", "equal)"] in rows  # experiment.project_name and .sql.db_path
    assert ["val_accuracy", "0.8", "0.85", "0.3"] in rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runs", "show", "99"], "ato: error: no run with id 99"),
        (["runs", "compare", "1", "99"], "ato: error: no run with id 99"),
        (["runs", "compare", "1"], "ato: error: compare needs two or more run ids"),
        (["runs", "list", "--project", "visoin"],
         "ato: error: unknown project 'visoin'; did you mean 'vision'?"),
        (["runs", "best", "--project", "vision", "--metric", "val_acc"],
         "ato: error: no run of project 'vision' logged metric 'val_acc'; did you mean 'val_accuracy'?"),
        (["runs", "list", "--db", "nope://x"], "ato: error: database nope://x: unknown database kind 'nope'"),
        (["runs", "list", "--db", "::"], "ato: error: database ::: not a URL"),
    ],
)
def test_errors_are_one_line_with_status_2(workdir: Path, args: list[str], message: str) -> None:
    """Unknown run, project or metric, or a bad URL: one line on stderr, exit status 2."""
    assert failed(ato_cmd(workdir, *args)).startswith(message)


def test_a_missing_database_is_reported_not_created(tmp_path: Path) -> None:
    """No experiments.db here: exit 2 naming the file, and no file appears."""
    line = failed(ato_cmd(tmp_path, "runs", "list"))
    assert line == "ato: error: database sqlite:///experiments.db: no SQLite database file at experiments.db"
    line = failed(ato_cmd(tmp_path, "runs", "show", "1", "--db", "sqlite:///sub/dir/x.db"))
    assert line.endswith("no SQLite database file at sub/dir/x.db")
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """No command, or a run id that is not a number: argparse's usage error, status 2."""
    assert ato_cmd(tmp_path).returncode == 2
    result = ato_cmd(tmp_path, "runs", "show", "abc")
    assert result.returncode == 2 and "invalid int value: 'abc'" in result.stderr


def test_help_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    """`ato --help` and `ato runs list --help` answer without loading SQLAlchemy."""
    code = (
        "import sys\nfrom ato.__main__ import main\n"
        "for argv in (['--help'], ['runs', 'list', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0\n"
        "print('sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "usage: ato" in result.stdout and "--db URL" in result.stdout
    assert result.stderr.strip() == "False"
