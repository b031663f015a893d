"""Python config files: a module whose top-level names are the config.

Running a ``.py`` config executes it. That is only ever done for a file the user named;
command-line text and data files are never run. This module holds every call in ato that
compiles or runs Python (:func:`parse_python`, :func:`evaluate_python`, :func:`run_python`),
so that a reviewer finds them in one place (the only other parse, of a schema class's
source for its attribute docstrings in ``ato.schema``, never compiles anything); the OpenMMLab loader in
``ato.compose`` reaches them through ``ato.formats``. A plain ``.py`` config keeps its
top-level names except those starting with ``__``, modules and functions (also imported
built-ins such as ``math.sqrt``).
"""

from __future__ import annotations

import ast
import keyword
import math
import os
import traceback
import types
import unicodedata
from collections.abc import Mapping
from typing import Any

from ato.errors import ConfigError, Problem

NAME = "py"
ALLOWS_NONE = True
KEEPS_TUPLES = True
# Python text is run only when it comes from a file the user named, never from a string.
FROM_FILES_ONLY = True


def loads(text: str, source: str) -> dict[str, Any]:
    """Run ``text`` as the Python config file ``source`` and return its config names."""
    namespace = {"__file__": os.path.abspath(source),
                 "__name__": os.path.splitext(os.path.basename(source))[0]}
    run_python(text, source, namespace)
    return {
        key: value
        for key, value in namespace.items()
        if not key.startswith("__")
        and not isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType))
    }


def parse_python(source: str, path: str) -> ast.Module:
    """The syntax tree of ``source`` (named ``path`` in errors); nothing runs.

    Raises:
        ConfigError: ``source`` is not valid Python (file and line).
    """
    try:
        return ast.parse(source, path)
    except SyntaxError as exc:
        raise _invalid(exc, path) from None


def evaluate_python(expression: ast.expr, path: str, *, key: str) -> Any:
    """The value of one expression of the user's config file ``path`` (the line of ``key``).

    Raises:
        ConfigError: evaluating it raised; the message names ``key`` and the line.
    """
    try:
        code = compile(ast.Expression(body=expression), path, "eval", dont_inherit=True)
        return eval(code, {})  # noqa: S307 - an expression of the file the user named
    except Exception as exc:
        raise ConfigError(
            key=key, detail=f"evaluating it raised {type(exc).__name__}: {exc}",
            source=f"{path}, line {expression.lineno}",
        ) from None


def run_python(source: str | ast.Module, path: str, namespace: dict[str, Any]) -> None:
    """Run ``source`` (text or a syntax tree of the config file ``path``) in ``namespace``.

    Raises:
        ConfigError: it does not compile, or raises while running (file and line).
    """
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise _invalid(exc, path) from None
    try:
        exec(code, namespace)  # noqa: S102 - the user named this file as their config
    except Exception as exc:
        line = _line_in(exc, path)
        where = f"{path}, line {line}" if line else path
        raise ConfigError(
            detail=f"running the config file raised {type(exc).__name__}: {exc}", source=where
        ) from exc


def _invalid(exc: SyntaxError, path: str) -> ConfigError:
    return ConfigError(detail=f"invalid Python: {exc.msg}", source=f"{path}, line {exc.lineno}")


def _line_in(exc: BaseException, path: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def check(tree: dict[str, Any]) -> list[Problem]:
    # Python folds identifiers to NFKC when it compiles them ("ﬁ" becomes "fi"), so only
    # keys that are already in that form come back unchanged.
    return [
        Problem(key=key, expected="a Python identifier as a top-level key", got=key)
        for key in tree
        if not key.isidentifier()
        or keyword.iskeyword(key)
        or key.startswith("__")
        or unicodedata.normalize("NFKC", key) != key
    ]


def dumps(tree: dict[str, Any], **options: Any) -> str:
    if options:
        raise ConfigError(detail=f"Python writing takes no options, got {sorted(options)}")
    return "".join(f"{key} = {_literal(value)}\n" for key, value in tree.items())


def _literal(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        # Pure literals, so a config key named `float` cannot shadow what they mean.
        if math.isnan(value):
            return "(1e999 - 1e999)"
        return "1e999" if value > 0 else "-1e999"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)
