"""A canonical, injective byte encoding of plain data, the input of every fingerprint.

Contract: ``encode(value, fallback)`` returns bytes that depend only on the value, never on
memory addresses, dict insertion order, set iteration order or the hash seed:

* ``None``, ``bool``, ``int``, ``float`` (by ``float.hex``, so ``-0.0``, ``inf`` and ``nan``
  are exact), ``complex``, ``str`` (UTF-8), ``bytes``/``bytearray`` and ``Ellipsis`` are
  tagged by kind, so ``1``, ``1.0``, ``True`` and ``"1"`` all differ;
* ``list`` and ``tuple`` keep their order (and differ from each other);
* ``dict`` (and every dict subclass, such as ``ADict``) is sorted by the encoding of its
  keys; ``set``/``frozenset`` by the encoding of their members;
* anything else is handed to ``fallback``, which returns its encoding or raises.

Every item is self-delimiting (length prefixes for text and bytes, brackets for
containers), so two different values never share an encoding. A container that contains
itself raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Fallback", "encode", "text"]

Fallback = Callable[[object], bytes]


def text(value: str) -> bytes:
    """Length-prefixed UTF-8 (lone surrogates kept), as strings are encoded inside values."""
    data = value.encode("utf-8", "surrogatepass")
    return b"%d:" % len(data) + data


def encode(value: object, fallback: Fallback) -> bytes:
    """The canonical encoding of ``value`` (see the module docstring)."""
    out: list[bytes] = []
    _encode(value, fallback, out, set())
    return b"".join(out)


def _encode(value: object, fallback: Fallback, out: list[bytes], active: set[int]) -> None:
    kind = type(value)
    if value is None:
        out.append(b"N")
    elif kind is bool:
        out.append(b"T" if value else b"F")
    elif isinstance(value, int | float | complex | str | bytes | bytearray):
        out.append(_scalar(value))
    elif value is Ellipsis:
        out.append(b"E")
    elif isinstance(value, list | tuple | dict | set | frozenset):
        if id(value) in active:
            raise ValueError(f"cannot fingerprint a {kind.__name__} that contains itself")
        active.add(id(value))
        try:
            _container(value, fallback, out, active)
        finally:
            active.discard(id(value))
    else:
        out.append(fallback(value))


def _scalar(value: int | float | complex | str | bytes | bytearray) -> bytes:
    # Subclasses (IntEnum members, numpy float64, str enums) encode as their base value.
    if isinstance(value, int):
        return b"i%d;" % int(value)
    if isinstance(value, float):
        return b"f" + float(value).hex().encode("ascii") + b";"
    if isinstance(value, complex):
        return b"c" + f"{value.real.hex()},{value.imag.hex()};".encode("ascii")
    if isinstance(value, str):
        return b"s" + text(value)
    return b"b%d:" % len(value) + bytes(value)


def _container(
    value: list[object] | tuple[object, ...] | dict[object, object] | set[object] | frozenset[object],
    fallback: Fallback,
    out: list[bytes],
    active: set[int],
) -> None:
    if isinstance(value, list | tuple):
        out.append(b"[" if isinstance(value, list) else b"(")
        for item in value:
            _encode(item, fallback, out, active)
        out.append(b"]" if isinstance(value, list) else b")")
        return
    if isinstance(value, dict):
        pairs: list[tuple[bytes, bytes]] = []
        for key, item in value.items():
            k: list[bytes] = []
            v: list[bytes] = []
            _encode(key, fallback, k, active)
            _encode(item, fallback, v, active)
            pairs.append((b"".join(k), b"".join(v)))
        pairs.sort()
        out.append(b"{")
        out.extend(k + v for k, v in pairs)
        out.append(b"}")
        return
    members: list[bytes] = []
    for item in value:
        m: list[bytes] = []
        _encode(item, fallback, m, active)
        members.append(b"".join(m))
    out.append(b"<")
    out.extend(sorted(members))
    out.append(b">")
