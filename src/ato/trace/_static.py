"""Static fingerprints: what a function's code is, not how its source is laid out.

Contract: ``static_fingerprint(obj)`` is the hex SHA-256 of a canonical form of the code
objects behind ``obj`` (a function, method, ``staticmethod``/``classmethod``, code object,
or a class: then every function, property and nested class defined in its body, by name,
plus its plain-data class attributes). It follows ``__wrapped__`` to the decorated function.

The canonical form of a code object is built from its compiled instructions, never from
source text: each instruction's operation and resolved argument (the constant, name or
variable it refers to; a jump as the index of the instruction it lands on), its exception
table in the same index terms, and its name, parameter and variable names, free and cell
variables, argument counts and flags. Nested code objects (inner functions, lambdas,
comprehensions) are canonicalised recursively. Left out: line numbers, column positions,
the file name, the qualified name, constants no instruction loads (so the docstring),
``NOP`` and ``EXTENDED_ARG`` (layout artefacts). So comments, blank lines, whitespace,
line wrapping and docstrings do not change the fingerprint, while any change to what the
code does, to a parameter name, or to a default value does. Annotations are not included.

Bytecode is specific to a Python minor version, and the version is part of the hash:
fingerprints compare equal only between runs of the same Python (e.g. CPython 3.11).
"""

from __future__ import annotations

import bisect
import dis
import hashlib
import sys
import types
from typing import Any

from ato.trace._encode import encode, text

__all__ = ["static_fingerprint"]

_SKIP = frozenset({"NOP", "EXTENDED_ARG", "CACHE"})
_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs) | frozenset(getattr(dis, "hasjump", ()))
_BY_NAME = frozenset(dis.hasname) | frozenset(dis.haslocal) | frozenset(dis.hasfree)
_CONSTS = frozenset(dis.hasconst)
# Python 3.14 flags a docstring in co_flags; the docstring is not part of the fingerprint.
_CO_HAS_DOCSTRING = 0x4000000
_PYTHON = f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"
# What a class body defines for every class; not part of what the class's code does.
_CLASS_NOISE = frozenset({
    "__dict__", "__doc__", "__module__", "__qualname__", "__weakref__",
    "__firstlineno__", "__static_attributes__", "__annotations__",
})


def static_fingerprint(obj: object) -> str:
    """Hex SHA-256 of the canonical form of ``obj``'s code (see the module docstring).

    Raises:
        TypeError: ``obj`` has no Python code (a builtin, a C extension function).
    """
    digest = hashlib.sha256(b"ato-static-1|" + _PYTHON.encode("ascii") + b"|")
    digest.update(_canonical(obj, set()))
    return digest.hexdigest()


def _canonical(obj: object, seen: set[int]) -> bytes:
    """Canonical bytes of a function-like object or a class."""
    obj = _unwrap(obj)
    if isinstance(obj, types.CodeType):
        return b"C" + _code(obj)
    if isinstance(obj, type):
        return _class(obj, seen)
    code = getattr(obj, "__code__", None)
    if not isinstance(code, types.CodeType):
        raise TypeError(
            f"cannot fingerprint {obj!r}: scope.trace needs a Python function, method or class"
        )
    defaults = getattr(obj, "__defaults__", None)
    kwdefaults = getattr(obj, "__kwdefaults__", None)
    return b"F" + _code(code) + _value(defaults) + _value(kwdefaults)


def _unwrap(obj: object) -> object:
    for _ in range(100):  # a __wrapped__ chain is short; a cycle must not hang us
        if isinstance(obj, staticmethod | classmethod | types.MethodType):
            obj = obj.__func__
        elif not isinstance(obj, type) and hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__
        else:
            break
    return obj


def _class(cls: type, seen: set[int]) -> bytes:
    if id(cls) in seen:  # a class attribute naming the class itself
        return b"K" + text(cls.__qualname__)
    seen = seen | {id(cls)}
    parts = [b"K" + text(cls.__name__) + b"("]
    for base in cls.__bases__:
        parts.append(text(f"{base.__module__}.{base.__qualname__}"))
    parts.append(b")")
    for name in sorted(vars(cls)):
        if name in _CLASS_NOISE:
            continue
        member = _unwrap(vars(cls)[name])
        parts.append(text(name))
        parts.append(_member(member, seen))
    return b"".join(parts)


def _member(member: object, seen: set[int]) -> bytes:
    if isinstance(member, property):
        return b"P" + b"".join(
            b"-" if f is None else _canonical(f, seen) for f in (member.fget, member.fset, member.fdel)
        )
    if isinstance(member, type) or isinstance(getattr(member, "__code__", None), types.CodeType):
        return _canonical(member, seen)
    return _value(member)


def _value(value: object) -> bytes:
    """A default or class attribute: plain data exactly, anything else by its type's name."""
    return encode(value, _by_type)


def _by_type(value: object) -> bytes:
    """Classes and functions by qualified name, enum members by name, others by type."""
    name = getattr(value, "__qualname__", None)
    module = getattr(value, "__module__", None)
    if isinstance(name, str) and isinstance(module, str) and callable(value):
        return b"r" + text(f"{module}.{name}")
    kind = type(value)
    member = getattr(value, "_name_", None) if "enum" in sys.modules else None
    if isinstance(member, str) and isinstance(value, sys.modules["enum"].Enum):
        return b"e" + text(f"{kind.__module__}.{kind.__qualname__}.{member}")
    return b"o" + text(f"{kind.__module__}.{kind.__qualname__}")


def _const(value: object) -> bytes:
    return encode(value, _const_fallback)


def _const_fallback(value: object) -> bytes:
    if isinstance(value, types.CodeType):
        return b"C" + _code(value)
    return _by_type(value)


def _code(code: types.CodeType) -> bytes:
    """The canonical bytes of one code object (recursively for nested code)."""
    instructions = [i for i in dis.get_instructions(code) if i.opname not in _SKIP]
    offsets = [i.offset for i in instructions]

    def index(offset: int) -> int:
        return bisect.bisect_left(offsets, offset)

    parts: list[bytes] = []
    for ins in instructions:
        parts.append(text(ins.opname))
        if ins.arg is None:
            parts.append(b"-")
        elif ins.opcode in _JUMPS:
            parts.append(b"j%d;" % index(ins.argval))
        elif ins.opcode in _CONSTS:
            parts.append(_const(ins.argval))
        elif ins.opcode in _BY_NAME:
            # argrepr is the name plus any flag packed into the argument (e.g. "NULL + f").
            parts.append(b"n" + text(ins.argrepr))
        else:
            parts.append(b"a%d;" % ins.arg)
    entries = [
        (index(start), index(end), index(target), depth, lasti)
        for start, end, target, depth, lasti in _exception_table(code.co_exceptiontable)
    ]
    header: tuple[Any, ...] = (
        code.co_name, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
        code.co_flags & ~_CO_HAS_DOCSTRING, code.co_varnames, code.co_freevars, code.co_cellvars,
        entries,
    )
    body = b"".join(parts)
    return encode(header, _by_type) + b"%d:" % len(body) + body


def _exception_table(table: bytes) -> list[tuple[int, int, int, int, bool]]:
    """Entries ``(start, end, target, depth, lasti)`` in byte offsets (CPython 3.11+ format).

    The table is a sequence of entries of four varints each (6 bits per byte, bit 6 marks
    a continuation); offsets are counted in 2-byte code units.
    """
    data = iter(table)

    def varint(first: int) -> int:
        value = first & 63
        byte = first
        while byte & 64:
            byte = next(data)
            value = (value << 6) | (byte & 63)
        return value

    entries: list[tuple[int, int, int, int, bool]] = []
    for first in data:
        start = varint(first) * 2
        end = start + varint(next(data)) * 2
        target = varint(next(data)) * 2
        depth_lasti = varint(next(data))
        entries.append((start, end, target, depth_lasti >> 1, bool(depth_lasti & 1)))
    return entries
