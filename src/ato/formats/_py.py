"""Python config files: a module whose top-level names are the config.

Running a ``.py`` config executes it. That is only ever done for a file the user named,
and only by :func:`run_config_file`, the single place in ato that runs code from a file;
command-line text is never run. Top-level names starting with ``__``, modules and
functions (also imported built-ins such as ``math.sqrt``) are left out.

The same function also runs a file the way OpenMMLab's mmengine does (its ``bases``
parameter, used by ``ato.compose``), so that parsing, compiling and running Python stays
in one place.
"""

from __future__ import annotations

import ast
import keyword
import math
import os
import re
import sys
import traceback
import types
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from ato.errors import ConfigError, Problem
from ato.formats._files import read_bytes

NAME = "py"
ALLOWS_NONE = True
KEEPS_TUPLES = True


def run_config_file(
    path: str,
    *,
    text: str | None = None,
    bases: Callable[[list[Any]], Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Execute the Python config file at ``path`` and return its top-level names.

    Args:
        path: The file. It is named in errors and tracebacks, and read unless ``text``
            is given.
        text: The source to run instead of the file's content, for a caller that
            substitutes text first (OpenMMLab's ``{{ fileDirname }}``).
        bases: OpenMMLab mode, as ``mmengine.Config.fromfile`` runs a file. The value of
            the file's first top-level ``_base_ = ...`` (a list; a single value is put in
            one) is passed to ``bases``, and what it returns is bound to the name
            ``_base_`` while the file runs; every ``_base_ = ...`` assignment is taken out
            of the code first. The namespace starts with nothing else (no ``__file__``).
            The result keeps every name not starting with ``__`` except ``_base_``,
            modules and functions included: the caller applies mmengine's filter.
            Files in mmengine's pure-Python style (``with read_base():``, or imports of
            modules outside the standard library before any ``_base_``) are refused,
            since running them would import those modules.

    Without ``bases``, names starting with ``__``, modules and functions are left out.

    Raises:
        FileNotFoundError: ``path`` does not exist (and no ``text`` was given).
        ConfigError: the file does not compile, its ``_base_`` cannot be evaluated, it is
            in the pure-Python style, or it raises while running (file and line).
    """
    source: str | bytes = read_bytes(path) if text is None else text
    namespace: dict[str, Any] | None = None
    try:
        if bases is None or not _may_need_tree(source):
            code = compile(source, path, "exec", dont_inherit=True)
        else:
            tree = ast.parse(source, path)
            _refuse_pure_python_style(tree, path)
            first = _first_base_assignment(tree)
            listed: Any = []
            if first is not None:
                try:
                    # mmengine evaluates this one expression before running the file.
                    expression = ast.Expression(body=first.value)
                    listed = eval(compile(expression, path, "eval", dont_inherit=True), {})  # noqa: S307
                except Exception as exc:
                    raise ConfigError(
                        key=BASE_NAME, detail=f"evaluating it raised {type(exc).__name__}: {exc}",
                        source=f"{path}, line {first.lineno}",
                    ) from None
            namespace = {BASE_NAME: bases(listed if isinstance(listed, list) else [listed])}
            code = compile(_RemoveBaseAssignments().visit(tree), path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ConfigError(
            detail=f"invalid Python: {exc.msg}", source=f"{path}, line {exc.lineno}"
        ) from None
    if bases is not None and namespace is None:
        namespace = {BASE_NAME: bases([])}
    elif namespace is None:
        name = os.path.splitext(os.path.basename(path))[0]
        namespace = {"__file__": os.path.abspath(path), "__name__": name}
    try:
        exec(code, namespace)  # noqa: S102 - the user named this file as their config
    except Exception as exc:
        line = _line_in(exc, path)
        where = f"{path}, line {line}" if line else path
        raise ConfigError(
            detail=f"running the config file raised {type(exc).__name__}: {exc}", source=where
        ) from exc
    if bases is not None:
        return {
            key: value
            for key, value in namespace.items()
            if key != BASE_NAME and not key.startswith("__")
        }
    return {
        key: value
        for key, value in namespace.items()
        if not key.startswith("__")
        and not isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType))
    }


BASE_NAME = "_base_"
# Only a file that names `_base_`, imports or has a `with` needs its syntax tree looked at
# in OpenMMLab mode; the others (most bases) compile straight from the text, which is
# faster than parsing to a tree and compiling that.
_TREE_WORDS = re.compile(r"\b(?:import|with)\b")


def _may_need_tree(source: str | bytes) -> bool:
    text = source if isinstance(source, str) else source.decode("utf-8", "replace")
    if BASE_NAME in text:
        return True
    # `with_bbox=True` is common in OpenMMLab pipelines: look for whole words only then.
    return ("import" in text or "with" in text) and _TREE_WORDS.search(text) is not None


def _is_base_target(node: ast.Assign) -> bool:
    # mmengine looks at the first target only: `_base_ = x` counts, `a = _base_ = x` not.
    target = node.targets[0]
    return isinstance(target, ast.Name) and target.id == BASE_NAME


def _first_base_assignment(tree: ast.Module) -> ast.Assign | None:
    return next(
        (n for n in tree.body if isinstance(n, ast.Assign) and _is_base_target(n)), None
    )


class _RemoveBaseAssignments(ast.NodeTransformer):
    """Drops every ``_base_ = ...`` at any depth, as mmengine's RemoveAssignFromAST does."""

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        if not _is_base_target(node):
            return node
        # A `pass` rather than nothing: mmengine's removal leaves an `if` whose body was
        # only that line empty, which then fails to compile.
        return ast.copy_location(ast.Pass(), node)


def _refuse_pure_python_style(tree: ast.Module, path: str) -> None:
    """Refuse what mmengine reads in its lazy-import mode, by mmengine's own test.

    mmengine walks the tree breadth first: a ``_base_ = ...`` seen first makes the file a
    classic config; a ``with`` that is not ``with read_base():`` is an error; a relative
    import, ``with read_base():`` or an import of a module outside the standard library
    make it a pure-Python config, whose imports run as it loads.
    """
    for node in ast.walk(tree):
        why = None
        if isinstance(node, ast.Assign) and _is_base_target(node):
            return
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "read_base"
            ):
                raise ConfigError(
                    expected="no `with` statement other than `with read_base():`",
                    got=ast.unparse(call), source=f"{path}, line {node.lineno}",
                )
            why = "`with read_base():`"
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                why = "a relative import"
            elif module == "mmengine" and [a.name for a in node.names] == ["Config"]:
                continue
            elif node.module is not None and not _standard_module(module):
                why = f"an import of {module!r}"
        elif isinstance(node, ast.Import):
            outside = [a.name for a in node.names if not _standard_module(a.name)]
            if outside:
                why = f"an import of {outside[0]!r}"
        if why is not None:
            raise ConfigError(
                detail=(
                    f"{why} makes this an mmengine pure-Python (lazy import) config, which "
                    "ato does not load: running it would import modules"
                ),
                source=f"{path}, line {getattr(node, 'lineno', '?')}",
            )


def _standard_module(name: str) -> bool:
    # mmengine asks whether the module's file lies under the running Python's prefix,
    # which in a venv misses the standard library; the standard library is what it means.
    if name.startswith("mmengine.config"):
        return True
    return name in sys.builtin_module_names or name.split(".", maxsplit=1)[0] in sys.stdlib_module_names


def _line_in(exc: BaseException, path: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def loads(text: str, source: str) -> Any:  # pragma: no cover - dispatch never calls it
    raise ConfigError(detail="Python configs are only read from a file", source=source)


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
