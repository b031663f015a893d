"""`train.py --completion bash|zsh`: scripts that complete views, field paths and choices.

Each script is written by a real program (tests/snapshots/help_program.py) and then loaded
into a real shell. Two ways of asking the shell: calling bash's completion function the
way bash does (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD, the function found through
`complete -p`), and typing into an interactive bash or zsh on a pseudo-terminal, Tab
included, where a stub command named like the program prints the words the line ended
with. zsh is not installed everywhere: its tests skip, saying so, when it is absent
(.ci/run installs it, so CI runs them).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Runner

PROGRAM = (Path(__file__).parent / "snapshots" / "help_program.py").read_text(encoding="utf-8")
NO_ZSH = "zsh is not installed (apt-get install -y zsh; .ci/run installs it)"
needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")


def script(run_program: Runner, shell: str, source: str = PROGRAM) -> str:
    result = run_program(source, "--completion", shell)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# Calls the completion function registered for the line's command as bash would: COMP_LINE
# and COMP_POINT hold the line up to the cursor, COMP_WORDS the words split at blanks and at
# the COMP_WORDBREAKS characters '=' and ':' (as readline splits them), and the function
# gets the command, the current word and the previous one. Prints one line per case.
BASH_DRIVER = r"""
source "$1"; shift
for line in "$@"; do
    COMP_LINE=$line; COMP_POINT=${#line}
    spaced=${line//=/ = }; spaced=${spaced//:/ : }
    read -r -a COMP_WORDS <<< "$spaced"
    [[ $line == *[[:space:]=:] ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    spec=$(complete -p "${COMP_WORDS[0]##*/}") || { echo "no completion for ${COMP_WORDS[0]}"; continue; }
    fn=${spec##*-F }; fn=${fn%% *}
    COMPREPLY=()
    "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"
done
"""


def bash_complete(tmp_path: Path, text: str, lines: list[str]) -> list[str]:
    path = tmp_path / "completion.bash"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "driver", str(path), *lines],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split("\n")[:-1]


class TestBashFunction:
    """bash's completion function, called as bash calls it."""

    @pytest.mark.parametrize(("line", "reply"), [
        ("train.py lo", "long_run"),  # a view name
        ("train.py fi", "fine_tune"),
        ("train.py optim.l", "optim.lr="),  # a field path, with its '='
        ("./train.py optim.", "optim.lr= optim.name= optim.momentum="),
        ("train.py optim.name=", "adam sgd"),  # choices; readline replaces the text after '='
        ("train.py optim.name=s", "sgd"),
        ("train.py precision=b", "bf16"),  # an Enum's values
        ("train.py epochs=", ""),  # an int takes any value: nothing to offer (bash then lists files)
        ("train.py explain optim.m", "optim.momentum"),  # after explain: keys, bare
        ("train.py --completion ", "bash zsh"),
        ("train.py --h", "--help"),
        ("train.py ma", "manual"),
        ("python train.py long_run wa", "warm"),  # `python train.py` completes as the program
        ("python3 train.py long_run optim.name=a", "adam"),
        ("python other.py lo", ""),  # another script: not ours to complete
    ])
    def test_candidates(self, run_program: Runner, tmp_path: Path, line: str, reply: str) -> None:
        """The reply for the line (the cursor at its end) lists exactly the expected words."""
        assert bash_complete(tmp_path, script(run_program, "bash"), [line]) == [reply]

    def test_empty_word_lists_everything(self, run_program: Runner, tmp_path: Path) -> None:
        """At a blank: every view, the command words, every field path with '='."""
        (reply,) = bash_complete(tmp_path, script(run_program, "bash"), ["train.py "])
        assert reply.split() == [
            "stamp", "long_run", "fine_tune", "warm", "manual", "explain", "print", "--help", "--completion",
            "epochs=", "batch_size=", "run_name=", "tags=", "precision=", "seed=",
            "optim.lr=", "optim.name=", "optim.momentum=",
        ]

    def test_registration(self, run_program: Runner, tmp_path: Path) -> None:
        """The script registers for the program's name and, with -o default, for python."""
        path = tmp_path / "completion.bash"
        path.write_text(script(run_program, "bash"), encoding="utf-8")
        result = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", f"source {path}; complete -p"],
            capture_output=True, text=True, check=True,
        )
        assert sorted(result.stdout.split("\n")[:-1]) == [
            "complete -o default -F _ato_complete_train_py python",
            "complete -o default -F _ato_complete_train_py python3",
            "complete -o default -F _ato_complete_train_py train.py",
        ]

    def test_python_completion_of_someone_else_is_kept(self, run_program: Runner, tmp_path: Path) -> None:
        """A completion already registered for python is not replaced."""
        path = tmp_path / "completion.bash"
        path.write_text(script(run_program, "bash"), encoding="utf-8")
        commands = f"complete -F _mine python; source {path}; complete -p python"
        result = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", commands], capture_output=True, text=True, check=True
        )
        assert result.stdout == "complete -F _mine python\n"

    def test_multiscope_keys_carry_the_scope(self, run_program: Runner, tmp_path: Path) -> None:
        """With several scopes, keys and `scope.view` names start with the scope's name."""
        source = """
from typing import Literal
from pydantic import BaseModel
from ato import MultiScope, Scope

class Model(BaseModel):
    kind: Literal["cnn", "vit"] = "cnn"

model = Scope(name="model", schema=Model)
data = Scope(name="data", config={"root": {"path": "/data"}})

@data.manual
def docs(cfg): cfg.batch = "samples per step"

@model.observe()
def big(cfg): cfg.kind = "vit"

@MultiScope(model, data)
def main(model, data): pass

main()
"""
        replies = bash_complete(
            tmp_path, script(run_program, "bash", source), ["train.py ", "train.py model.kind=v"]
        )
        assert replies == [
            "big model.big manual explain print --help --completion model.kind= data.batch= data.root.path=",
            "vit",
        ]


class TestScriptText:
    """What the program prints for --completion, and for a wrong shell."""

    def test_header_says_how_to_load_it(self, run_program: Runner) -> None:
        """The script starts with how to load it and that it must be written again after changes."""
        text = script(run_program, "bash")
        first = text.split("\n", 1)[0]
        assert first == "# bash completion for train.py, written by `train.py --completion bash` (ato)."
        assert "source <(python train.py --completion bash)" in text
        assert script(run_program, "zsh").startswith("#compdef train.py\n")

    def test_unknown_shell_exits_2(self, run_program: Runner) -> None:
        """`--completion fish` is a command-line error: exit 2, nothing on stdout."""
        result = run_program(PROGRAM, "--completion", "fish")
        assert result.returncode == 2
        assert result.stdout == ""
        assert "--completion: expected a shell: bash or zsh, got 'fish'" in result.stderr

    def test_search_program(self, run_program: Runner) -> None:
        """A search program answers --completion too, without running a trial."""
        source = """
from ato import Scope
from ato.hyperopt import HyperBand

scope = Scope()

@scope.observe(default=True)
def defaults(cfg): cfg.lr = 0.1

search = HyperBand(scope, {"lr": {"param_type": "FLOAT", "param_range": (0.01, 0.1), "num_samples": 2}},
                   halving_rate=0.5, num_min_samples=2)

@search.main
def objective(cfg):
    print("trial")
    return cfg.lr

objective()
"""
        text = script(run_program, "bash", source)
        assert "local -a words=(defaults manual explain print --help --completion)" in text
        assert "trial" not in text


# ------------------------------------------------------------------ interactive shells
def type_into(argv: list[str], keys: str, env: dict[str, str], timeout: float = 60) -> list[str]:
    """Start ``argv`` on a pseudo-terminal, type ``keys`` (Tabs included), return the ARGS: lines."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: become the shell
        os.execvpe(argv[0], argv, env)
    output = b""
    try:
        os.write(fd, keys.encode())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the shell exited and the terminal closed
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    lines = output.decode(errors="replace").replace("\r", "").split("\n")
    return [line for line in lines if line.startswith("ARGS:")]


@needs_pty
def test_bash_tab_completes_on_a_terminal(run_program: Runner, tmp_path: Path) -> None:
    """In an interactive bash, Tab turns `lo` into long_run, `optim.na` + `sg` into optim.name=sgd."""
    path = tmp_path / "completion.bash"
    path.write_text(script(run_program, "bash"), encoding="utf-8")
    keys = (
        f"source {path}\n"
        'train.py() { echo "ARGS:$*"; }\n'
        'python() { echo "ARGS:$*"; }\n'
        "train.py lo\t\n"
        "train.py optim.na\tsg\t\n"
        "python train.py fine\t\n"
        "exit\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TERM": "dumb", "PS1": "$ ",
           "INPUTRC": "/dev/null"}
    found = type_into(["bash", "--norc", "--noprofile", "-i"], keys, env)
    assert found == ["ARGS:long_run", "ARGS:optim.name=sgd", "ARGS:train.py fine_tune"]


@needs_pty
@pytest.mark.skipif(shutil.which("zsh") is None, reason=NO_ZSH)
def test_zsh_tab_completes_on_a_terminal(run_program: Runner, tmp_path: Path) -> None:
    """In an interactive zsh with compinit, the same keys give the same lines, `python train.py` too."""
    path = tmp_path / "completion.zsh"
    path.write_text(script(run_program, "zsh"), encoding="utf-8")
    keys = (
        "autoload -Uz compinit && compinit -u\n"
        f"source {path}\n"
        'train.py() { print -r -- "ARGS:$*" }\n'
        'python() { print -r -- "ARGS:$*" }\n'
        "train.py lo\t\n"
        "train.py optim.na\tsg\t\n"
        "python train.py fine\t\n"
        "train.py explain optim.mo\t\n"
        "exit\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "ZDOTDIR": str(tmp_path), "TERM": "dumb",
           "PS1": "$ "}
    found = type_into(["zsh", "-f", "-i"], keys, env)
    assert found == [
        "ARGS:long_run", "ARGS:optim.name=sgd", "ARGS:train.py fine_tune", "ARGS:explain optim.momentum",
    ]


@needs_pty
@pytest.mark.skipif(shutil.which("zsh") is None, reason=NO_ZSH)
def test_zsh_loads_it_from_fpath(run_program: Runner, tmp_path: Path) -> None:
    """Saved as _train.py in a directory of $fpath, the script is autoloaded by compinit."""
    functions = tmp_path / "functions"
    functions.mkdir()
    (functions / "_train.py").write_text(script(run_program, "zsh"), encoding="utf-8")
    keys = (
        f"fpath=({functions} $fpath); autoload -Uz compinit && compinit -u\n"
        'train.py() { print -r -- "ARGS:$*" }\n'
        "train.py lo\t\n"
        "train.py optim.name=s\t\n"
        "exit\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "ZDOTDIR": str(tmp_path), "TERM": "dumb",
           "PS1": "$ "}
    assert type_into(["zsh", "-f", "-i"], keys, env) == ["ARGS:long_run", "ARGS:optim.name=sgd"]
