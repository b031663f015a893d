"""The command line as ato reads it: view selections, assignments and a mode.

Contract of :func:`parse_argv` (``argv`` without the program name):

1. Pieces the shell split inside a value's brackets or quotes are joined again, with one
   space, until balanced (``layers=[64,`` ``128]`` is ``layers=[64, 128]``). Only a value
   that starts with ``[``, ``(``, ``{``, ``'`` or ``"`` is tracked: quotes inside a bare
   word (``msg=don't``) and the verbatim text of ``key:=text`` are plain characters.
   A value still open when argv ends is an error ("unclosed '['").
2. ``manual``, ``-h``, ``--help``: mode "manual"; ``print``: mode "print"; ``explain``:
   mode "explain", and every bare word after it is a key to explain;
   ``--completion SHELL`` (or ``--completion=SHELL``, SHELL ``bash`` or ``zsh``): mode
   "completion". At most one mode.
3. ``key:=text`` assigns the str ``text`` (when ``:=`` comes before any other ``=``).
4. ``key=VALUE`` assigns :func:`~ato.cli.parse_value` of VALUE; the key is a dotted path
   of names made of letters, digits, ``_`` and ``-`` (the key is kept as typed: a scope
   prefix such as ``model.`` is the caller's business).
5. ``--config FILE`` and ``--config=FILE`` name a config file (repeatable, kept in order;
   the file name is taken verbatim, never joined with the pieces after it). Reading the
   file is the caller's business.
6. Any other token is a view name (``name`` or ``scope.name``).

Every problem of the whole argv is collected and raised as one
:class:`~ato.errors.ConfigError`, each problem's source being ``CLI token '...'``. No
other exception escapes, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from ato.cli._literal import _BLANKS, parse_value
from ato.errors import ConfigError, Problem, suggest

__all__ = ["Assignment", "Command", "Mode", "parse_argv"]

Mode = Literal["run", "manual", "explain", "print", "completion"]

_MODE_WORDS: dict[str, Mode] = {
    "manual": "manual", "-h": "manual", "--help": "manual", "print": "print", "explain": "explain",
}
_KEY = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*"
_KEY_SHAPE = "a dotted key such as 'optim.lr' (names of letters, digits, '_' or '-', joined by '.')"
_NEITHER = "neither a view name nor key=value"
_NAME_SHAPE = (
    "view names are letters, digits, '_' and '-', not starting with a digit or '-'; "
    "'scope.view' names a view of one scope"
)
_CLOSERS = {"[": "]", "(": ")", "{": "}"}
_CONFIG = "--config"  # the one option ato reads itself: `--config FILE`, `--config=FILE`
_COMPLETION = "--completion"
_SHELLS = ("bash", "zsh")


# NamedTuples, not dataclasses: importing `dataclasses` pulls in `inspect`, milliseconds
# of start-up for every program.
class Assignment(NamedTuple):
    """One ``key=value`` (or ``key:=text``) from the command line."""

    key: str
    """Dotted path as typed, e.g. ``optim.lr`` (a scope prefix is not stripped here)."""
    value: Any
    """The parsed value."""
    token: str
    """The whole token as typed, after re-joining pieces the shell split."""
    text: str
    """The value text before parsing."""
    forced_str: bool
    """True for the ``%text%`` and ``key:=text`` forms."""


class Command(NamedTuple):
    """What one command line asks for."""

    selections: tuple[str, ...]
    """Bare view names, in order (``view`` or ``scope.view``)."""
    assignments: tuple[Assignment, ...]
    """Assignments, in order."""
    mode: Mode = "run"
    """``run`` unless ``manual``/``-h``/``--help``, ``explain`` or ``print`` was given."""
    explain_keys: tuple[str, ...] = ()
    """The dotted keys after ``explain`` (empty: explain everything)."""
    config_files: tuple[str, ...] = ()
    """The files named by ``--config FILE`` / ``--config=FILE``, in order."""
    shell: str = ""
    """The shell of ``--completion SHELL`` (``bash`` or ``zsh``); empty otherwise."""


def parse_argv(argv: Sequence[str]) -> Command:
    """Read a command line (without the program name) into a :class:`Command`.

    Raises:
        ConfigError: listing every malformed token of ``argv`` at once.
    """
    problems: list[Problem] = []
    if isinstance(argv, str | bytes):
        raise ConfigError(expected="a sequence of arguments", got=argv, detail="not one string")
    tokens = _join(argv)
    selections: list[str] = []
    assignments: list[Assignment] = []
    explain_keys: list[str] = []
    config_files: list[str] = []
    mode: Mode = "run"
    mode_token = ""
    shell = ""
    skip_next = False
    for index, token in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if isinstance(token, Problem):  # found while re-joining; kept in argv order
            problems.append(token)
            continue
        source = _source(token)
        new: Mode | None = _MODE_WORDS.get(token)
        if token == _COMPLETION or token.startswith(_COMPLETION + "="):
            new = "completion"
            shell, skip_next = _shell(token, tokens[index + 1] if index + 1 < len(tokens) else None)
            if shell not in _SHELLS:
                problems.append(Problem(
                    key=_COMPLETION, expected="a shell: " + " or ".join(_SHELLS), source=source,
                    **({"got": shell, "suggestion": suggest(shell, _SHELLS)} if shell else {}),
                ))
        if new is not None:
            if mode not in ("run", new):
                problems.append(Problem(
                    detail=f"{token!r} conflicts with {mode_token!r}: give at most one of "
                    "manual (-h, --help), print, explain and --completion",
                    source=source,
                ))
            else:
                mode, mode_token = new, token
        elif token == _CONFIG or token.startswith(_CONFIG + "="):
            skip_next = _config_file(token, tokens[index + 1 : index + 2], config_files, problems)
        elif token.startswith("-"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            following = following if isinstance(following, str) else None
            problem, skip_next = _dash_problem(token, following)
            problems.append(problem)
        elif "=" in token:
            _assignment(token, assignments, problems)
        elif mode == "explain":
            if re.fullmatch(_KEY, token):
                explain_keys.append(token)
            else:
                problems.append(Problem(expected=f"a key to explain: {_KEY_SHAPE}", got=token, source=source))
        elif re.fullmatch(_NAME, token):
            selections.append(token)
        else:
            problems.append(Problem(detail=f"{_NEITHER} ({_NAME_SHAPE})", source=source))
    if problems:
        raise ConfigError(problems=problems)
    return Command(tuple(selections), tuple(assignments), mode, tuple(explain_keys), tuple(config_files),
                   shell)


def _config_file(
    token: str, following: list[str | Problem], files: list[str], problems: list[Problem]
) -> bool:
    """Take the file of ``--config=FILE`` or ``--config FILE``; True when ``FILE`` was the next token."""
    if token != _CONFIG:
        path = token[len(_CONFIG) + 1 :]
        if path:
            files.append(path)
        else:
            problems.append(Problem(expected="a file name after '--config='", source=_source(token)))
        return False
    name = following[0] if following and isinstance(following[0], str) else ""
    if name:
        files.append(name)
    else:
        problems.append(Problem(expected="a file name after '--config'", source=_source(token),
                                suggestion="'--config exp.yaml'"))
    return bool(following) and isinstance(following[0], str)


def _shell(token: str, following: str | Problem | None) -> tuple[str, bool]:
    """The shell named by ``--completion=SHELL`` or ``--completion SHELL``, and whether
    the following token was that name (and so is no token of its own)."""
    if "=" in token:
        return token.partition("=")[2], False
    if isinstance(following, str) and not following.startswith("-") and "=" not in following:
        return following, True
    return "", False


def _source(token: str) -> str:
    return f"CLI token {token!r}"


def _assignment(token: str, assignments: list[Assignment], problems: list[Problem]) -> None:
    """Parse ``key=value`` or ``key:=text`` into ``assignments``, or a problem into ``problems``."""
    eq = token.index("=")
    verbatim = eq > 0 and token[eq - 1] == ":"
    key, text = token[: eq - 1 if verbatim else eq], token[eq + 1 :]
    if not re.fullmatch(_KEY, key):
        problems.append(Problem(expected=_KEY_SHAPE, got=key, source=_source(token)))
        return
    if verbatim:
        assignments.append(Assignment(key, text, token, text, forced_str=True))
        return
    try:
        value = parse_value(text, token=token)
    except ConfigError as exc:
        problems.extend(p._replace(key=key, source=_source(token)) for p in exc.problems)
        return
    forced = len(text) >= 2 and text[0] == "%" == text[-1]
    assignments.append(Assignment(key, value, token, text, forced_str=forced))


# ato's own options, and what a near miss of each probably meant.
_OPTION_HINTS = {
    "help": "'--help'",
    "config": "'--config FILE'",
    "completion": "'--completion bash' or '--completion zsh'",
}


def _dash_problem(token: str, following: str | None) -> tuple[Problem, bool]:
    """The problem of an option-style token, with the ``key=value`` it probably meant.

    Returns the problem and whether ``following`` is its value (``--lr 0.1``) and so
    should not be reported again as a token of its own.
    """
    name, eq, value = token.lstrip("-").partition("=")
    consumed = False
    hint: str | None
    option = suggest(name, _OPTION_HINTS)
    if option is not None:
        hint = _OPTION_HINTS[option.strip("'")]
        consumed = not eq and option.strip("'") == "config" and following is not None
    elif not re.fullmatch(_KEY, name):
        hint = None
    elif eq:
        hint = repr(f"{name}={value}")
    elif following is None or following in _MODE_WORDS or following.startswith("-") or "=" in following:
        hint = repr(f"{name}=True")
    else:
        hint = repr(f"{name}={following}")
        # A value that is no view name would only be reported again, less helpfully.
        consumed = not re.fullmatch(_NAME, following)
    detail = f"{_NEITHER} (ato's only options are --help, --config and --completion)"
    return Problem(detail=detail, source=_source(token), suggestion=hint), consumed


def _join(argv: Sequence[object]) -> list[str | Problem]:
    """Re-join argv pieces that the shell split inside a value's brackets or quotes.

    A piece that cannot become a token (not a str, or still open at the end) is replaced
    by its problem, so that problems keep the order of argv.
    """
    tokens: list[str | Problem] = []
    index = 0
    while index < len(argv):
        piece = argv[index]
        index += 1
        if not isinstance(piece, str):
            tokens.append(Problem(expected="a str", got=piece, source=f"CLI argument {index}"))
            continue
        if tokens and tokens[-1] == _CONFIG:
            tokens.append(piece)  # a file name is verbatim: `[run].yaml` opens no bracket
            continue
        token = piece
        balance = _Balance(_value_start(token))
        balance.scan(token)
        while balance.is_open() and index < len(argv) and isinstance(argv[index], str):
            token += " " + str(argv[index])
            index += 1
            balance.scan(token)
        if balance.is_open():
            tokens.append(Problem(detail=f"unclosed {balance.innermost()!r}", source=_source(token)))
        else:
            tokens.append(token)
    return tokens


def _value_start(token: str) -> int:
    """Where the part of ``token`` that may hold a literal starts (len: nothing to track)."""
    eq = token.find("=")
    if token.startswith(_CONFIG + "="):
        return len(token)  # a file name is verbatim
    if eq < 0:
        return 0  # a bare token: track it too, so that the error names the whole of it
    if eq > 0 and token[eq - 1] == ":":
        return len(token)  # key:=text is verbatim text
    return eq + 1


class _Balance:
    """Brackets and quotes still open in a value, scanned incrementally as pieces are added.

    Tracking starts at the value's first character and stops for good once that first
    bracket or quote is closed (what follows is for :func:`parse_value` to judge), or at
    once if the value starts with anything else. A mismatched closer also stops it, so a
    typo does not swallow the rest of the command line.
    """

    __slots__ = ("done", "pos", "quote", "stack")

    def __init__(self, start: int) -> None:
        self.pos = start
        self.stack: list[str] = []
        self.quote = ""  # the open quote: ', ", ''' or """
        self.done = False

    def is_open(self) -> bool:
        return bool(self.stack or self.quote)

    def innermost(self) -> str:
        return self.quote or self.stack[-1]

    def scan(self, text: str) -> None:
        """Advance over ``text[self.pos:]``; ``text`` only ever grows between calls."""
        while self.pos < len(text) and not self.done:
            char = text[self.pos]
            if self.quote:
                if char == "\\":
                    self.pos += 2  # may step past the end: then it escapes the joining space
                elif text.startswith(self.quote, self.pos):
                    self.pos += len(self.quote)
                    self.quote = ""
                    self.done = not self.stack
                else:
                    self.pos += 1
                continue
            if char in "'\"":
                self.quote = char * 3 if text.startswith(char * 3, self.pos) else char
                self.pos += len(self.quote)
                continue
            if char in _CLOSERS:
                self.stack.append(char)
            elif char in ")]}":
                if self.stack and _CLOSERS[self.stack[-1]] == char:
                    self.stack.pop()
                else:
                    self.stack.clear()
                self.done = not self.stack
            elif not self.stack and char not in _BLANKS:
                self.done = True  # the value starts with plain text (blanks before it do not count)
            self.pos += 1
