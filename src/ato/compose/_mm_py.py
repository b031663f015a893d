"""Running an OpenMMLab ``.py`` config the way ``mmengine.Config.fromfile`` runs it.

The value of the file's first top-level ``_base_ = ...`` names the bases; it is evaluated
on its own first, the bases are loaded, and the file then runs with the merged bases bound
to ``_base_`` and every ``_base_ = ...`` assignment taken out. The namespace starts with
nothing else (no ``__file__``). Files in mmengine's pure-Python style (``with
read_base():``, or imports of modules outside the standard library before any ``_base_``)
are refused, since running them would import those modules. The Python itself is parsed
and run by ``ato.formats`` (the one place in ato that runs code from a file).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ato.errors import ConfigError
from ato.formats import evaluate_python, parse_python, run_python

__all__ = ["run_mm_python"]

BASE_NAME = "_base_"
# Only a file that names `_base_`, imports or has a `with` needs its syntax tree looked at;
# the others (most bases) compile straight from the text, which is faster than parsing to
# a tree and compiling that.
_TREE_WORDS = re.compile(r"\b(?:import|with)\b")


def run_mm_python(path: str, text: str, bases: Callable[[list[Any]], Mapping[str, Any]]) -> dict[str, Any]:
    """Run the OpenMMLab config ``text`` of ``path``; ``bases(listed)`` loads its bases.

    The result keeps every name not starting with ``__`` except ``_base_``, modules and
    functions included: the caller applies mmengine's filter.
    """
    source: str | ast.Module = text
    listed: Any = []
    if _may_need_tree(text):
        tree = parse_python(text, path)
        _refuse_pure_python_style(tree, path)
        first = next((n for n in tree.body if isinstance(n, ast.Assign) and _is_base_target(n)), None)
        if first is not None:
            listed = evaluate_python(first.value, path, key=BASE_NAME)
        source = _RemoveBaseAssignments().visit(tree)
    namespace: dict[str, Any] = {BASE_NAME: bases(listed if isinstance(listed, list) else [listed])}
    run_python(source, path, namespace)
    return {key: value for key, value in namespace.items() if key != BASE_NAME and not key.startswith("__")}


def _may_need_tree(text: str) -> bool:
    if BASE_NAME in text:
        return True
    # `with_bbox=True` is common in OpenMMLab pipelines: look for whole words only then.
    return ("import" in text or "with" in text) and _TREE_WORDS.search(text) is not None


def _is_base_target(node: ast.Assign) -> bool:
    # mmengine looks at the first target only: `_base_ = x` counts, `a = _base_ = x` not.
    target = node.targets[0]
    return isinstance(target, ast.Name) and target.id == BASE_NAME


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
