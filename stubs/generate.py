"""Write ``stubs/ato`` from the inline annotations of ``src/ato``, or check that it matches.

    python stubs/generate.py            # rewrite stubs/ato/**.pyi from src/ato
    python stubs/generate.py --check    # exit 1 with a diff when stubs/ato differs

Why generated: a hand-kept ``.pyi`` can say ``to_dict() -> list[int]`` while the code says
``dict[str, Any]`` and nothing fails, because stubtest compares runtime signatures, not
annotations. Here the annotations have one home, the source, and ``--check`` (run by
``tests/test_stubs.py``) fails on any difference, so the stubs cannot drift; after a change
to the package, rerun the generator and review the stubs' diff as the API's diff.

What the stubs cover: the public modules only (no path component starting with ``_``), each
describing what it exports (its ``__all__``, else its public definitions). A definition that
lives in a private module is written into the public module that exports it (``ADict``
into ``ato/adict/__init__.pyi``); a name exported by several modules is defined once, in the
package nearest to its code, and re-exported by the others (``ato.hyperopt.base`` re-exports
``HyperOpt`` from ``ato.hyperopt``). So moving code between private modules, as splitting
``adict/_adict.py`` does, leaves the stubs unchanged, and the stubs' diff shows only what
changed for users. A private class that a public signature mentions (``Scope.explain``
returns ``ato.scope._ledger.Write``) is written, with its public members, into the nearest
public package under a private name (``ato.scope._Write``); stubtest skips private names,
and the public stubs import nothing from a private module, so type-checking against
stubs/ never mixes in a module of ``src/`` (one ``ADict`` class, not two). TypeVars and type
aliases are copied into each stub that uses them.

How: the source is read with :mod:`ast`, so the stubs spell types as the code does
(overloads, ``self: Scope[ADict]``, ``Concatenate``, properties, class methods, dataclasses,
NamedTuples, ``if TYPE_CHECKING:`` imports and members, ``# type: ignore[...]`` on a
signature). An attribute the code does not annotate (``self.name = name``) gets the type
mypy infers for it, from one ``mypy --strict`` build of ``src/ato`` (mypy's build API, pinned
with mypy in the dev extra). Docstrings and comments are dropped. A construct the generator
does not understand is an error naming the file and line, never a guess. mypy's own stubgen
was tried first and rejected: it drops the ``self`` annotation of ``Scope.__init__``'s
overloads (the heart of ``Scope[TrainConfig]``), writes ``Incomplete`` for inferred
attributes, loses ``if TYPE_CHECKING:`` imports, and mirrors every private module.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import difflib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
STUBS = ROOT / "stubs"
PACKAGE = "ato"
LINE_LENGTH = 110  # ruff's line-length for this repository (pyproject.toml)
HEADER = "# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.\n"

# Decorators whose effect a stub must repeat; any other on a public member is an error,
# since dropping it would change the member's type and keeping it needs its definition.
_KEPT_DECORATORS = {
    ("builtins", "property"),
    ("builtins", "classmethod"),
    ("builtins", "staticmethod"),
    ("typing", "overload"),
    ("typing", "final"),
    ("typing", "override"),
    ("typing_extensions", "override"),
    ("abc", "abstractmethod"),
    ("functools", "cached_property"),
    ("functools", "lru_cache"),
    ("functools", "cache"),
    ("contextlib", "contextmanager"),
    ("dataclasses", "dataclass"),
}
_TYPEVAR_FACTORIES = {
    ("typing", "TypeVar"), ("typing", "ParamSpec"), ("typing", "TypeVarTuple"),
    ("typing_extensions", "TypeVar"), ("typing_extensions", "ParamSpec"),
    ("typing_extensions", "TypeVarTuple"),
}
_LITERAL = {("typing", "Literal"), ("typing_extensions", "Literal")}
_ANNOTATED = {("typing", "Annotated"), ("typing_extensions", "Annotated")}
_TYPE_ALIAS = {("typing", "TypeAlias"), ("typing_extensions", "TypeAlias")}
_DATACLASS_FIELD = ("dataclasses", "field")
# Classes whose annotated class attributes are constructor fields (defaults matter).
_FIELD_BASES = {("typing", "NamedTuple"), ("typing", "TypedDict"), ("typing_extensions", "TypedDict")}
# Data dunders a stub never declares: they describe the class to the runtime, not to users.
_SKIPPED_DUNDERS = {"__slots__", "__match_args__", "__tablename__", "__table_args__", "__doc__",
                    "__module__", "__qualname__", "__annotations__"}


class GenerationError(Exception):
    """The source holds something the generator cannot write faithfully into a stub."""


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path}:{getattr(node, 'lineno', '?')}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_public_module(name: str) -> bool:
    return not any(is_private(part) for part in name.split("."))


# ---------------------------------------------------------------------------- the source


@dataclass(frozen=True, order=True)
class Origin:
    """Where a name is defined: a module (``builtins`` for builtins) and a qualified name."""

    module: str
    name: str

    @property
    def internal(self) -> bool:
        return self.module == PACKAGE or self.module.startswith(PACKAGE + ".")


@dataclass(frozen=True)
class ModuleRef:
    """A name bound to a module (``import datetime as dt``)."""

    module: str


@dataclass(frozen=True)
class Imported:
    """``from module import name``."""

    module: str
    name: str


@dataclass
class Defined:
    """The statements that define one top-level name (several for overloads)."""

    nodes: list[ast.stmt]


Binding = Imported | ModuleRef | Defined


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    bindings: dict[str, Binding] = field(default_factory=dict)
    all: list[str] | None = None
    # Source line -> the ``# type: ignore[...]`` written on it.
    ignores: dict[int, str] = field(default_factory=dict)

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def statements(body: Iterable[ast.stmt], module: Module) -> Iterator[ast.stmt]:
    """The statements a type checker sees: ``if TYPE_CHECKING:`` blocks are entered,
    ``if __name__ == "__main__":`` is skipped, and any other ``if`` is an error."""
    for node in body:
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                yield from statements(node.body, module)
            elif test in ("not TYPE_CHECKING", "not typing.TYPE_CHECKING"):
                yield from statements(node.orelse, module)
            elif test in ("__name__ == '__main__'", "__name__ == \"__main__\""):
                continue
            else:
                raise GenerationError(f"{_where(module, node)}: a conditional definition "
                                      f"({test}) cannot be written into a stub")
        else:
            yield node


def load_module(name: str, path: Path, shown: Path) -> Module:
    """Parse one module; ``shown`` is its path as error messages give it (``src/ato/x.py``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(shown), type_comments=True)
    module = Module(name, shown, tree)
    for ignore in tree.type_ignores:
        module.ignores[ignore.lineno] = f"# type: ignore{ignore.tag}"
    package = name if module.is_package else name.rpartition(".")[0]
    for node in statements(tree.body, module):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, *([source] if source else [])])
            for alias in node.names:
                if alias.name == "*":
                    raise GenerationError(f"{_where(module, node)}: star imports are not supported")
                module.bindings[alias.asname or alias.name] = Imported(source, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.bindings[alias.asname] = ModuleRef(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    module.bindings[top] = ModuleRef(top)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            _define(module, node.name, node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for bound in _target_names(target):
                    if bound == "__all__":
                        module.all = list(ast.literal_eval(node.value)) if node.value else []
                    else:
                        _define(module, bound, node)
    return module


def _define(module: Module, name: str, node: ast.stmt) -> None:
    bound = module.bindings.get(name)
    if isinstance(bound, Defined) and isinstance(node, ast.FunctionDef):
        bound.nodes.append(node)  # an overload, or the implementation after them
    else:
        module.bindings[name] = Defined([node])


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    return []


class Index:
    """Every module of the package, parsed, with its names resolved to their definitions."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.modules: dict[str, Module] = {}
        for path in sorted((src / PACKAGE).rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            self.modules[name] = load_module(name, path, path.relative_to(src.parent))

    def resolve(self, module: str, name: str) -> Origin | ModuleRef:
        """Follow imports from ``module``'s name to the definition it stands for."""
        if module not in self.modules:
            return Origin(module, name)  # outside the package: spelled as imported
        bound = self.modules[module].bindings.get(name)
        if bound is None:
            if f"{module}.{name}" in self.modules:
                return ModuleRef(f"{module}.{name}")
            raise GenerationError(f"{module} has no name {name!r}")
        if isinstance(bound, Defined):
            return Origin(module, name)
        if isinstance(bound, ModuleRef):
            return bound
        if f"{bound.module}.{bound.name}" in self.modules:
            return ModuleRef(f"{bound.module}.{bound.name}")
        return self.resolve(bound.module, bound.name)

    def resolve_expr(self, module: str, expr: ast.expr) -> Origin | ModuleRef:
        """The definition a ``Name`` or dotted ``Attribute`` in ``module`` refers to."""
        parts: list[str] = []
        node = expr
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            raise GenerationError(f"{_where(self.modules[module], expr)}: cannot resolve "
                                  f"{ast.unparse(expr)}")
        head = node.id
        found: Origin | ModuleRef
        if head not in self.modules[module].bindings and hasattr(builtins, head):
            found = Origin("builtins", head)
        else:
            found = self.resolve(module, head)
        for i, part in enumerate(parts):
            if isinstance(found, Origin):
                found = Origin(found.module, f"{found.name}.{part}")  # a nested class
            elif found.module in self.modules:
                found = self.resolve(found.module, part)
            else:
                # Outside the package every dotted prefix is taken to be a module.
                rest = parts[i:]
                return Origin(".".join([found.module, *rest[:-1]]), rest[-1])
        return found

    def definition(self, origin: Origin) -> list[ast.stmt]:
        top, _, rest = origin.name.partition(".")
        bound = self.modules[origin.module].bindings[top]
        assert isinstance(bound, Defined)
        nodes = bound.nodes
        for part in rest.split(".") if rest else []:
            inner = [n for n in _class_body(nodes[-1]) if getattr(n, "name", None) == part]
            if not inner:
                raise GenerationError(f"{origin.module}.{origin.name} is not a nested class")
            nodes = inner
        return nodes


def _class_body(node: ast.stmt) -> list[ast.stmt]:
    return node.body if isinstance(node, ast.ClassDef) else []


# ---------------------------------------------------------------------------- mypy's view


class Inferred:
    """Types mypy infers for what the source leaves unannotated, from one strict build."""

    def __init__(self, src: Path) -> None:
        from mypy import build
        from mypy.main import process_options

        # Not incremental: a build that reuses its cache does not load the modules' trees.
        args = ["--strict", "--no-incremental", "--python-version", "3.11", str(src / PACKAGE)]
        sources, options = process_options(args)
        result = build.build(sources, options)
        if result.errors:
            raise GenerationError("mypy --strict fails on src/ato:\n" + "\n".join(result.errors))
        self.files = result.files

    def symbol(self, origin: Origin) -> Any:
        """mypy's node for a module-level or class-level name (``Class.attr``)."""
        names: Any = self.files[origin.module].names
        node: Any = None
        for part in origin.name.split("."):
            if names is None or part not in names:
                return None
            node = names[part].node
            names = getattr(node, "names", None)
        return node

    def var_type(self, origin: Origin) -> Any:
        from mypy.nodes import Var

        node = self.symbol(origin)
        if not isinstance(node, Var) or node.type is None:
            raise GenerationError(f"mypy infers no type for {origin.module}.{origin.name}")
        return node.type

    def is_type_alias(self, origin: Origin) -> bool:
        from mypy.nodes import TypeAlias

        return isinstance(self.symbol(origin), TypeAlias)

    def fullname(self, module: str, name: str) -> str | None:
        symbol = self.files[module].names.get(name) if module in self.files else None
        node = symbol.node if symbol else None
        return node.fullname if node is not None else None


# ---------------------------------------------------------------------------- writing


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _is_simple_default(node: ast.expr) -> bool:
    """A default worth repeating in a stub (stubtest checks it against the runtime)."""
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis and len(repr(node.value)) <= 60
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, int | float)
    if isinstance(node, ast.Tuple):
        return all(_is_simple_default(e) for e in node.elts) and len(ast.unparse(node)) <= 60
    return False


def _private(name: str) -> str:
    return name if name.startswith("_") else f"_{name}"


@dataclass
class Item:
    """One top-level definition of a stub, placed by where its code lives."""

    key: tuple[int, str, int]
    lines: list[str]
    is_class: bool


class Stub:
    """The text of one public module's stub, built up as definitions are placed in it."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.local: dict[Origin, str] = {}          # defined here -> its name here
        self.taken: dict[str, object] = {}          # name here -> what holds it
        self.imports: dict[str, dict[str, str]] = {}  # module -> imported name -> local name
        self.reexports: dict[str, dict[str, str]] = {}
        self.typevars: dict[str, str] = {}          # rendered definition -> local name
        self.items: list[Item] = []

    def claim(self, wanted: str, holder: object) -> str:
        """A free local name close to ``wanted`` for ``holder``."""
        name, n = wanted, 1
        while name in self.taken and self.taken[name] != holder:
            n += 1
            name = f"{wanted}_{n}"
        self.taken[name] = holder
        return name

    def import_name(self, origin: Origin) -> str:
        for module, names in self.imports.items():
            if module == origin.module and origin.name in names:
                return names[origin.name]
        local = self.claim(origin.name, ("import", origin))
        self.imports.setdefault(origin.module, {})[origin.name] = local
        return local


class Generator:
    def __init__(self, index: Index, inferred: Inferred) -> None:
        self.index = index
        self.inferred = inferred
        self.public = [name for name in index.modules if is_public_module(name)]
        self.stubs = {name: Stub(index.modules[name]) for name in self.public}
        self.exports: dict[str, dict[str, Origin | ModuleRef]] = {}
        for name in self.public:
            self.exports[name] = {n: index.resolve(name, n) for n in self._exported(index.modules[name])}
        # The one public home of every exported definition: the exporting module nearest
        # to the code (the package a private module belongs to), then the shortest path.
        self.owner: dict[Origin, tuple[str, str]] = {}
        for module in sorted(self.public, key=lambda m: (m.count("."), m)):
            for exported, origin in self.exports[module].items():
                if isinstance(origin, Origin) and origin.internal:
                    best = self.owner.get(origin)
                    if best is None or self._distance(module, origin) < self._distance(best[0], origin):
                        self.owner[origin] = (module, exported)
        self.ext_spelling = self._external_spellings()
        self.pending: list[tuple[str, Origin, str]] = []

    @staticmethod
    def _exported(module: Module) -> list[str]:
        if module.all is not None:
            return module.all
        return [n for n, b in module.bindings.items() if isinstance(b, Defined) and not is_private(n)]

    @staticmethod
    def _distance(public: str, origin: Origin) -> int:
        if origin.module == public:
            return 0
        if origin.module.startswith(public + "."):
            return origin.module.count(".") - public.count(".")
        return 100 + public.count(".")

    def _external_spellings(self) -> dict[str, Origin]:
        """mypy's full name of an outside class -> the import the package's code uses."""
        spellings: dict[str, Origin] = {}
        for module in self.index.modules.values():
            for name, bound in module.bindings.items():
                if isinstance(bound, Imported) and not Origin(bound.module, "").internal:
                    full = self.inferred.fullname(module.name, name)
                    if full and full not in spellings:
                        spellings[full] = Origin(bound.module, bound.name)
        return spellings

    # -------------------------------------------------------------------- placement

    def home(self, origin: Origin) -> str:
        """The public module that holds a private definition: its nearest public package."""
        parts = origin.module.split(".")
        while parts and not is_public_module(".".join(parts)):
            parts.pop()
        return ".".join(parts)

    def kind(self, origin: Origin) -> str:
        nodes = self.index.definition(origin)
        node = nodes[0]
        if isinstance(node, ast.ClassDef):
            return "class"
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return "function"
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name | ast.Attribute):
            called = self.index.resolve_expr(origin.module, value.func)
            if isinstance(called, Origin) and (called.module, called.name) in _TYPEVAR_FACTORIES:
                return "typevar"
        if isinstance(node, ast.AnnAssign) and isinstance(node.annotation, ast.Name | ast.Attribute):
            declared = self.index.resolve_expr(origin.module, node.annotation)
            if isinstance(declared, Origin) and (declared.module, declared.name) in _TYPE_ALIAS:
                return "alias"
        if "." not in origin.name and self.inferred.is_type_alias(origin):
            return "alias"
        return "variable"

    def spell(self, stub: Stub, origin: Origin) -> str:
        """How ``stub`` writes a reference to ``origin``, importing or placing it as needed."""
        if origin.module == "builtins":
            return origin.name
        top, dot, rest = origin.name.partition(".")
        if dot:
            return f"{self.spell(stub, Origin(origin.module, top))}.{rest}"
        if not origin.internal:
            return stub.import_name(origin)
        if origin in stub.local:
            return stub.local[origin]
        if origin in self.owner:
            module, name = self.owner[origin]
        elif self.kind(origin) in ("typevar", "alias"):
            return self.copy_here(stub, origin)
        else:
            module, name = self.home(origin), self.placed_name(origin)
        if module == stub.module.name:
            return self.place(stub, origin, name)
        self.place(self.stubs[module], origin, name)
        return stub.import_name(Origin(module, name))

    def placed_name(self, origin: Origin) -> str:
        # A definition of a public module keeps its name (stubtest checks it); one from a
        # private module gets a private name, since the public module has no such attribute.
        return origin.name if self.home(origin) == origin.module else _private(origin.name)

    def place(self, stub: Stub, origin: Origin, name: str) -> str:
        if origin not in stub.local:
            stub.local[origin] = stub.claim(name, origin)
            self.pending.append((stub.module.name, origin, stub.local[origin]))
        return stub.local[origin]

    def copy_here(self, stub: Stub, origin: Origin) -> str:
        """A TypeVar or alias that no public module exports is copied into each stub that
        uses it, under a private name unless the stub is its own module's; TypeVars that
        read the same are shared (``S = TypeVar("S")`` of several private modules)."""
        wanted = origin.name if origin.module == stub.module.name else _private(origin.name)
        if self.kind(origin) == "alias":
            local = stub.local[origin] = stub.claim(wanted, origin)
            stub.items.append(Item((1, local, 0), [self.alias_line(stub, origin, local)], False))
            return local
        shape = self.typevar_line(stub, origin, wanted)
        if shape not in stub.typevars:
            local = stub.typevars[shape] = stub.claim(wanted, shape)
            stub.items.append(Item((0, local, 0), [self.typevar_line(stub, origin, local)], False))
        stub.local[origin] = stub.typevars[shape]
        return stub.local[origin]

    def typevar_line(self, stub: Stub, origin: Origin, name: str) -> str:
        node = self.index.definition(origin)[0]
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        call = node.value
        assert isinstance(call, ast.Call)
        # The bound is a type (maybe a forward reference in quotes); other arguments are values.
        args = [_quote(name), *(self.render(stub, origin.module, a, annotation=True) for a in call.args[1:])]
        args += [f"{k.arg}={self.render(stub, origin.module, k.value, annotation=k.arg == 'bound')}"
                 for k in call.keywords]
        return f"{name} = {self.render(stub, origin.module, call.func)}({', '.join(args)})"

    def alias_line(self, stub: Stub, origin: Origin, name: str) -> str:
        node = self.index.definition(origin)[0]
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        assert node.value is not None
        value = self.render(stub, origin.module, node.value, annotation=True)
        return f"{name}: {stub.import_name(Origin('typing', 'TypeAlias'))} = {value}"

    # -------------------------------------------------------------------- expressions

    def render(self, stub: Stub, module: str, node: ast.expr, *, annotation: bool = False,
               literal: bool = False) -> str:
        """Source text of an expression for ``stub``: names re-resolved, strings in type
        positions read as the forward references they are, strings in ``Literal`` kept."""
        def again(n: ast.expr, *, lit: bool = literal) -> str:
            return self.render(stub, module, n, annotation=annotation, literal=lit)

        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                if annotation and not literal:
                    return again(ast.parse(node.value, mode="eval").body)
                return _quote(node.value)
            return "..." if node.value is Ellipsis else repr(node.value)
        if isinstance(node, ast.Name | ast.Attribute):
            found = self.index.resolve_expr(module, node)
            if isinstance(found, ModuleRef):
                raise GenerationError(f"{module}:{node.lineno}: a module used as a type")
            return self.spell(stub, found)
        if isinstance(node, ast.Subscript):
            head = self.render(stub, module, node.value)
            held = self.index.resolve_expr(module, node.value) if isinstance(
                node.value, ast.Name | ast.Attribute) else None
            key = (held.module, held.name) if isinstance(held, Origin) else None
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if key in _LITERAL:
                parts = [again(e, lit=True) for e in elts]
            elif key in _ANNOTATED:
                parts = [again(elts[0]), *(self.render(stub, module, e) for e in elts[1:])]
            else:
                parts = [again(e) for e in elts]
            inner = ", ".join(parts) if parts else "()"
            return f"{head}[{inner}]"
        if isinstance(node, ast.Tuple):
            parts = [again(e) for e in node.elts]
            return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
        if isinstance(node, ast.List):
            return f"[{', '.join(again(e) for e in node.elts)}]"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return f"{again(node.left)} | {again(node.right)}"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"-{again(node.operand)}"
        if isinstance(node, ast.Starred):
            return f"*{again(node.value)}"
        if isinstance(node, ast.Call):
            args = [again(a) for a in node.args]
            args += [f"{k.arg}={again(k.value)}" for k in node.keywords]
            return f"{self.render(stub, module, node.func)}({', '.join(args)})"
        raise GenerationError(f"{module}:{getattr(node, 'lineno', '?')}: cannot write "
                              f"{ast.unparse(node)!r} into a stub")

    def render_type(self, stub: Stub, typ: Any) -> str:
        """A type inferred by mypy, written with the stub's names."""
        from mypy import types as t
        from mypy.nodes import ARG_POS

        def spell_info(info: Any) -> str:
            module = info.module_name
            qualname = info.fullname[len(module) + 1:]
            if module == "builtins":
                return str(qualname)
            if Origin(module, "").internal:
                return self.spell(stub, Origin(module, qualname))
            return self.spell(stub, self.ext_spelling.get(info.fullname, Origin(module, qualname)))

        def go(typ: Any) -> str:
            if isinstance(typ, t.TypeAliasType) and typ.alias is not None:
                alias = typ.alias
                module = alias.module
                if Origin(module, "").internal:
                    name = self.spell(stub, Origin(module, alias.name))
                    return f"{name}[{', '.join(go(a) for a in typ.args)}]" if typ.args else name
                return go(t.get_proper_type(typ))
            if isinstance(typ, t.Instance):
                name = spell_info(typ.type)
                if typ.type.fullname == "builtins.tuple" and typ.args:
                    return f"tuple[{go(typ.args[0])}, ...]"
                return f"{name}[{', '.join(go(a) for a in typ.args)}]" if typ.args else name
            if isinstance(typ, t.TupleType):
                fallback = typ.partial_fallback
                if fallback.type.fullname != "builtins.tuple":
                    return spell_info(fallback.type)  # a NamedTuple
                return f"tuple[{', '.join(go(i) for i in typ.items)}]" if typ.items else "tuple[()]"
            if isinstance(typ, t.UnionType):
                parts: list[str] = []
                literals: list[str] = []
                for item in typ.items:
                    proper = t.get_proper_type(item)
                    if isinstance(proper, t.LiteralType):
                        literals.append(repr_literal(proper))
                        continue
                    if literals:
                        parts.append(self.literal(stub, literals))
                        literals = []
                    parts.append(go(item))
                if literals:
                    parts.append(self.literal(stub, literals))
                return " | ".join(parts)
            if isinstance(typ, t.LiteralType):
                return self.literal(stub, [repr_literal(typ)])
            if isinstance(typ, t.NoneType):
                return "None"
            if isinstance(typ, t.AnyType):
                return self.spell(stub, Origin("typing", "Any"))
            if isinstance(typ, t.UninhabitedType):
                return self.spell(stub, Origin("typing", "Never"))
            if isinstance(typ, t.TypeType):
                return f"type[{go(typ.item)}]"
            if isinstance(typ, t.TypeVarType | t.ParamSpecType):
                module, _, name = typ.fullname.rpartition(".")
                return self.spell(stub, Origin(module, name))
            if isinstance(typ, t.TypedDictType):
                return spell_info(typ.fallback.type)
            if isinstance(typ, t.CallableType) and not typ.variables:
                ret = go(typ.ret_type)
                callable_ = self.spell(stub, Origin("collections.abc", "Callable"))
                if typ.is_ellipsis_args:
                    return f"{callable_}[..., {ret}]"
                if all(k == ARG_POS for k in typ.arg_kinds):
                    return f"{callable_}[[{', '.join(go(a) for a in typ.arg_types)}], {ret}]"
            raise GenerationError(f"cannot write the inferred type {typ} into a stub")

        def repr_literal(lit: Any) -> str:
            return _quote(lit.value) if isinstance(lit.value, str) else repr(lit.value)

        return go(typ)

    def literal(self, stub: Stub, values: list[str]) -> str:
        return f"{self.spell(stub, Origin('typing', 'Literal'))}[{', '.join(values)}]"

    # -------------------------------------------------------------------- definitions

    def run(self) -> dict[str, str]:
        """Every stub's text, by path relative to stubs/."""
        for module in self.public:
            stub = self.stubs[module]
            for name, origin in self.exports[module].items():
                if isinstance(origin, ModuleRef):
                    raise GenerationError(f"{module} exports a module ({name}); not supported")
                if origin.internal and self.owner.get(origin) == (module, name):
                    self.place(stub, origin, name)
                elif origin.internal:
                    owner, owned = self.owner[origin]
                    self.place(self.stubs[owner], origin, owned)
                    stub.claim(name, ("reexport", origin))
                    stub.reexports.setdefault(owner, {})[owned] = name
                else:
                    stub.claim(name, ("reexport", origin))
                    stub.reexports.setdefault(origin.module, {})[origin.name] = name
        while self.pending:
            module, origin, name = self.pending.pop(0)
            self.emit(self.stubs[module], origin, name)
        return {self.path_of(m): self.text(self.stubs[m]) for m in self.public}

    def path_of(self, module: str) -> str:
        source = self.index.modules[module].path.relative_to(self.index.src.name)
        return str(source.with_suffix(".pyi"))

    def emit(self, stub: Stub, origin: Origin, name: str) -> None:
        nodes = self.index.definition(origin)
        kind = self.kind(origin)
        line = nodes[0].lineno
        if kind == "class":
            node = nodes[-1]
            assert isinstance(node, ast.ClassDef)
            lines = self.class_lines(stub, origin, node, name)
        elif kind == "function":
            lines = self.function_group(stub, origin.module, nodes, name, cls=None)
        elif kind == "typevar":
            lines = [self.typevar_line(stub, origin, name)]
        elif kind == "alias":
            lines = [self.alias_line(stub, origin, name)]
        else:
            lines = [self.variable_line(stub, origin, nodes[-1], name)]
        order = 2 if name in self.exports[stub.module.name] else 3
        stub.items.append(Item((order, origin.module, line), lines, is_class=kind == "class"))

    def variable_line(self, stub: Stub, origin: Origin, node: ast.stmt, name: str) -> str:
        module = self.index.modules[origin.module]
        if isinstance(node, ast.AnnAssign):
            declared = self.render(stub, origin.module, node.annotation, annotation=True)
            if declared in ("Final", "ClassVar"):
                declared = f"{declared}[{self.render_type(stub, self.inferred.var_type(origin))}]"
        else:
            declared = self.render_type(stub, self.inferred.var_type(origin))
        return f"{name}: {declared}{self.ignore(module, node.lineno, node.lineno)}"

    def ignore(self, module: Module, first: int, last: int) -> str:
        found = [module.ignores[n] for n in range(first, last + 1) if n in module.ignores]
        return f"  {found[0]}" if found else ""

    # classes

    def class_lines(self, stub: Stub, origin: Origin, node: ast.ClassDef, name: str) -> list[str]:
        module = self.index.modules[origin.module]
        lines: list[str] = []
        flavour = "plain"
        for decorator in node.decorator_list:
            text, key = self.decorator(stub, module, decorator, property_names=set())
            if key == ("dataclasses", "dataclass"):
                flavour = "dataclass"
            lines.append(f"@{text}")
        bases = [self.render(stub, origin.module, b) for b in node.bases]
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            found = self.index.resolve_expr(origin.module, target)
            if isinstance(found, Origin) and (found.module, found.name) in _FIELD_BASES:
                flavour = "fields"
        if getattr(self.inferred.symbol(origin), "is_enum", False):
            flavour = "enum"
        bases += [f"{k.arg}={self.render(stub, origin.module, k.value)}" for k in node.keywords]
        head = f"class {name}({', '.join(bases)}):" if bases else f"class {name}:"
        body = self.class_body(stub, origin, node, flavour)
        if body:
            lines.append(head)
            lines.extend("    " + line for line in body)
        else:
            lines.append(f"{head} ...")
        return lines

    def class_body(self, stub: Stub, origin: Origin, node: ast.ClassDef, flavour: str) -> list[str]:
        module = self.index.modules[origin.module]
        members = list(statements(node.body, module))
        declared: set[str] = set()
        fields: list[str] = []
        methods: list[str] = []
        groups: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for member in members:
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                groups.setdefault(member.name, []).append(member)
        properties = {n for n, defs in groups.items()
                      if any(ast.unparse(d) in ("property", "functools.cached_property")
                             for f in defs for d in f.decorator_list)}
        done: set[str] = set()
        for member in members:
            if isinstance(member, ast.Expr | ast.Pass):
                continue
            if isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                attr = member.target.id
                declared.add(attr)
                # A dataclass's or NamedTuple's fields are constructor parameters, private
                # names (and the `_: KW_ONLY` marker) included.
                if (is_private(attr) and flavour not in ("dataclass", "fields")) or attr in _SKIPPED_DUNDERS:
                    continue
                text = f"{attr}: {self.render(stub, origin.module, member.annotation, annotation=True)}"
                if member.value is not None:
                    text += self.field_default(stub, origin.module, member.value, flavour)
                fields.append(text + self.ignore(module, member.lineno, member.lineno))
            elif isinstance(member, ast.Assign):
                for attr in [n for t in member.targets for n in _target_names(t)]:
                    declared.add(attr)
                    if is_private(attr) or attr in _SKIPPED_DUNDERS:
                        continue
                    value = member.value
                    if isinstance(value, ast.Name) and value.id in groups and not is_private(value.id):
                        methods.append(f"{attr} = {value.id}")  # an alias of a method
                    elif flavour == "enum":
                        # An enum member is an assignment; `NAME: type` would not be one.
                        shown = self.render(stub, origin.module, value, literal=True) if (
                            _is_simple_default(value)) else "..."
                        fields.append(f"{attr} = {shown}")
                    else:
                        member_origin = Origin(origin.module, f"{origin.name}.{attr}")
                        typ = self.render_type(stub, self.inferred.var_type(member_origin))
                        fields.append(f"{attr}: {typ}")
            elif isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                if member.name in done or is_private(member.name):
                    continue
                done.add(member.name)
                methods.extend(self.function_group(stub, origin.module, groups[member.name],
                                                   member.name, cls=properties))
            elif isinstance(member, ast.ClassDef):
                if not is_private(member.name):
                    inner = Origin(origin.module, f"{origin.name}.{member.name}")
                    methods.extend(self.class_lines(stub, inner, member, member.name))
            else:
                raise GenerationError(f"{_where(module, member)}: cannot write this class "
                                      "member into a stub")
        for attr, annotation in self.instance_attributes(node, module).items():
            if attr in declared or is_private(attr):
                continue
            member_origin = Origin(origin.module, f"{origin.name}.{attr}")
            if annotation is not None:
                typ = self.render(stub, origin.module, annotation, annotation=True)
            elif self.inferred.symbol(member_origin) is None:
                continue  # declared by a base class
            else:
                typ = self.render_type(stub, self.inferred.var_type(member_origin))
            fields.append(f"{attr}: {typ}")
        return fields + methods

    @staticmethod
    def instance_attributes(node: ast.ClassDef, module: Module) -> dict[str, ast.expr | None]:
        """``self.x`` written in the class's methods, with the annotation given to it, if any."""
        found: dict[str, ast.expr | None] = {}
        for member in statements(node.body, module):
            if not isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) or not member.args.args:
                continue
            me = member.args.args[0].arg
            for stmt in ast.walk(member):
                targets: list[ast.expr] = []
                annotation = None
                if isinstance(stmt, ast.Assign):
                    targets = list(stmt.targets)
                elif isinstance(stmt, ast.AnnAssign):
                    targets, annotation = [stmt.target], stmt.annotation
                while targets:
                    target = targets.pop(0)
                    if isinstance(target, ast.Tuple | ast.List):
                        targets.extend(target.elts)
                    elif (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                          and target.value.id == me and found.get(target.attr) is None):
                        found[target.attr] = annotation
        return found

    def field_default(self, stub: Stub, module: str, value: ast.expr, flavour: str) -> str:
        if _is_simple_default(value):
            return f" = {self.render(stub, module, value, literal=True)}"
        if flavour == "plain":
            return ""  # a class attribute's value says nothing a stub needs
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name | ast.Attribute):
            called = self.index.resolve_expr(module, value.func)
            if called == Origin(*_DATACLASS_FIELD):
                # field(init=False) and field(kw_only=True) change __init__, so they stay,
                # with the default they come with; any other field() is just "has a default".
                words = {k.arg: k.value for k in value.keywords}
                if not {"init", "kw_only"} & words.keys():
                    return " = ..." if {"default", "default_factory"} & words.keys() else ""
                kept = [f"{word}={self.render(stub, module, words[word], literal=True)}"
                        for word in ("init", "kw_only", "default", "default_factory") if word in words]
                return f" = {self.spell(stub, called)}({', '.join(kept)})"
        return " = ..."

    # functions

    def decorator(self, stub: Stub, module: Module, node: ast.expr, property_names: set[str]
                  ) -> tuple[str, tuple[str, str] | None]:
        target = node.func if isinstance(node, ast.Call) else node
        if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                and target.value.id in property_names and target.attr in ("setter", "deleter")):
            return ast.unparse(node), None
        if isinstance(target, ast.Name | ast.Attribute):
            found = self.index.resolve_expr(module.name, target)
            if isinstance(found, Origin) and (found.module, found.name) in _KEPT_DECORATORS:
                return self.render(stub, module.name, node), (found.module, found.name)
        raise GenerationError(f"{_where(module, node)}: the decorator @{ast.unparse(node)} "
                              "changes the type; teach stubs/generate.py how to write it")

    def function_group(self, stub: Stub, module_name: str, defs: list[Any], name: str,
                       cls: set[str] | None) -> list[str]:
        module = self.index.modules[module_name]
        overloaded = [d for d in defs if any(ast.unparse(x) in ("overload", "typing.overload")
                                              for x in d.decorator_list)]
        lines: list[str] = []
        for node in overloaded or defs:
            for decorator in node.decorator_list:
                text, _ = self.decorator(stub, module, decorator, property_names=cls or set())
                lines.append(f"@{text}")
            lines.extend(self.signature(stub, module, node, name, method=cls is not None))
        return lines

    def signature(self, stub: Stub, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef,
                  name: str, *, method: bool) -> list[str]:
        args = node.args
        params: list[str] = []
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults

        def param(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
            if arg.annotation is None:
                static = any(ast.unparse(d) == "staticmethod" for d in node.decorator_list)
                if not (method and arg is positional[0] and not static and not prefix):
                    raise GenerationError(f"{_where(module, node)}: parameter {arg.arg!r} of "
                                          f"{node.name} has no annotation")
                text = f"{prefix}{arg.arg}"
                return text if default is None else f"{text}={self.default(stub, module, default)}"
            text = f"{prefix}{arg.arg}: {self.render(stub, module.name, arg.annotation, annotation=True)}"
            return text if default is None else f"{text} = {self.default(stub, module, default)}"

        for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
            params.append(param(arg, default))
            if args.posonlyargs and i == len(args.posonlyargs) - 1:
                params.append("/")
        if args.vararg:
            params.append(param(args.vararg, None, "*"))
        elif args.kwonlyargs:
            params.append("*")
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            params.append(param(arg, kw_default))
        if args.kwarg:
            params.append(param(args.kwarg, None, "**"))
        if node.returns is not None:
            returns = self.render(stub, module.name, node.returns, annotation=True)
        elif node.name == "__init__":
            returns = "None"
        else:
            raise GenerationError(f"{_where(module, node)}: {node.name} has no return annotation")
        # An ignore written on the signature (not in the body) applies to the stub too.
        ignore = self.ignore(module, node.lineno, max(node.lineno, node.body[0].lineno - 1))
        keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        one_line = f"{keyword} {name}({', '.join(params)}) -> {returns}: ...{ignore}"
        if len(one_line) + 4 <= LINE_LENGTH or not params:
            return [one_line]
        return [f"{keyword} {name}({ignore}", *(f"    {p}," for p in params), f") -> {returns}: ..."]

    def default(self, stub: Stub, module: Module, node: ast.expr) -> str:
        return self.render(stub, module.name, node, literal=True) if _is_simple_default(node) else "..."

    # -------------------------------------------------------------------- the file

    def text(self, stub: Stub) -> str:
        blocks: list[str] = []
        imports = self.import_block(stub)
        if imports:
            blocks.append(imports)
        if stub.module.all is not None:
            blocks.append(self.all_line(stub.module.all))
        items = sorted(stub.items, key=lambda item: item.key)
        typevars = [line for i in items if i.key[0] < 2 for line in i.lines]
        if typevars:
            blocks.append("\n".join(typevars))
        chunk: list[str] = []
        previous: Item | None = None
        for item in (i for i in items if i.key[0] >= 2):
            # Classes stand apart; runs of functions and variables stay together.
            if previous is not None and (previous.is_class or item.is_class):
                blocks.append("\n".join(chunk))
                chunk = []
            chunk.extend(item.lines)
            previous = item
        if chunk:
            blocks.append("\n".join(chunk))
        if not blocks:
            return HEADER
        text = HEADER + "\n" + "\n\n".join(blocks) + "\n"
        return "\n".join(_fit(line) for line in text.split("\n"))

    @staticmethod
    def all_line(names: list[str]) -> str:
        one = f"__all__ = [{', '.join(_quote(n) for n in names)}]"
        if len(one) <= LINE_LENGTH:
            return one
        return "__all__ = [\n" + "".join(f"    {_quote(n)},\n" for n in names) + "]"

    def import_block(self, stub: Stub) -> str:
        """Imports grouped and ordered as ruff's isort rule wants them: one statement for a
        module's plain names, one per ``X as X`` (the re-export spelling)."""
        sections: dict[int, list[tuple[tuple[str, str], tuple[int, str, str], str]]] = {0: [], 1: [], 2: []}
        plain: dict[str, list[str]] = {}
        aliased: list[tuple[str, str]] = []
        for table, reexport in ((stub.imports, False), (stub.reexports, True)):
            for module, imported in table.items():
                for name, local in imported.items():
                    if reexport or local != name:
                        aliased.append((module, f"{name} as {local}"))
                    else:
                        plain.setdefault(module, []).append(name)
        lines = [(m, sorted(names, key=_member_key)) for m, names in plain.items()]
        lines += [(m, [spelled]) for m, spelled in aliased]
        for module, names in lines:
            top = module.split(".")[0]
            section = 2 if top == PACKAGE else 0 if top in sys.stdlib_module_names else 1
            line = f"from {module} import {', '.join(names)}"
            if len(line) > LINE_LENGTH:
                line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
            sections[section].append(((module.lower(), module), _member_key(names[0]), line))
        return "\n\n".join("\n".join(line for *_, line in sorted(found))
                            for found in sections.values() if found)


def _member_key(spelled: str) -> tuple[int, str, str]:
    """isort's order-by-type within one ``from`` import: CONSTANTS, Classes, others."""
    name = spelled.split(" as ", maxsplit=1)[0]
    if len(name) > 1 and name.isupper():
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return rank, name.lower(), spelled


def _fit(line: str) -> str:
    """Mark a line that cannot be wrapped (a long attribute type) for ruff's E501."""
    if len(line) > LINE_LENGTH and "# noqa" not in line:
        return f"{line}  # noqa: E501"
    return line


# ---------------------------------------------------------------------------- entry points


def generate(src: Path = SRC) -> dict[str, str]:
    """The stubs of ``src``'s package, by path relative to stubs/ (``ato/adict/__init__.pyi``)."""
    generator = Generator(Index(src), Inferred(src))
    return generator.run()


def existing(stubs: Path) -> dict[str, str]:
    return {str(p.relative_to(stubs)): p.read_text(encoding="utf-8")
            for p in sorted((stubs / PACKAGE).rglob("*.pyi"))}


def differences(wanted: dict[str, str], found: dict[str, str]) -> list[str]:
    """A unified diff from the stubs found to the generated ones, empty when they agree."""
    lines: list[str] = []
    for path in sorted(wanted.keys() | found.keys()):
        old, new = found.get(path), wanted.get(path)
        if old == new:
            continue
        lines.extend(difflib.unified_diff(
            (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True),
            fromfile=f"{path} (committed)" if old is not None else "/dev/null",
            tofile=f"{path} (generated)" if new is not None else "/dev/null",
        ))
    return lines


def write(wanted: dict[str, str], stubs: Path) -> None:
    for path, text in wanted.items():
        target = stubs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for path in existing(stubs).keys() - wanted.keys():
        (stubs / path).unlink()  # a module that is no longer public


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 with a diff when the stubs differ")
    parser.add_argument("--stubs", type=Path, default=STUBS,
                        help="the directory holding ato/ (default: stubs/)")
    options = parser.parse_args(argv)
    try:
        wanted = generate()
    except GenerationError as error:
        print(f"stubs/generate.py: {error}", file=sys.stderr)
        return 2
    if options.check:
        diff = differences(wanted, existing(options.stubs))
        if diff:
            sys.stdout.writelines(diff)
            print(f"\n{options.stubs}/ato differs from what src/ato declares; "
                  "run `python stubs/generate.py` and review the diff.", file=sys.stderr)
            return 1
        return 0
    write(wanted, options.stubs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
