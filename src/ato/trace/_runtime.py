"""Runtime fingerprints: what a piece of code produced, as a SHA-256 of its value.

Contract: ``runtime_fingerprint(value)`` is the hex SHA-256 of a stable serialisation of
``value``; equal values give equal fingerprints across processes, machines and hash seeds.

* Plain data (None, bool, int, float, complex, str, bytes, list, tuple, dict, set,
  frozenset, nested any way) by the canonical encoding of ``ato.trace._encode``: dicts and
  sets are order-independent, floats exact, ``1``, ``1.0`` and ``True`` distinct. Pickle is
  not used for these: it keeps dict insertion order and set iteration order, and the
  latter changes with the hash seed from one process to the next.
* NumPy arrays and scalars (only when NumPy is already imported): dtype, shape and the
  raw bytes of a C-contiguous copy (object arrays element by element).
* pydantic models and dataclass instances: their class and fields, as plain data.
* Anything else: its class and its pickle (protocol 4). That is stable only as far as
  the object pickles the same way each time; reduce such values with ``inspect_fn`` (for
  a torch tensor, e.g. ``lambda t: t.detach().cpu().numpy()``).

Raises ``TypeError`` for a value that cannot be pickled, ``ValueError`` for a container
that contains itself.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from ato.trace._encode import encode, text

__all__ = ["runtime_fingerprint"]


def runtime_fingerprint(value: object) -> str:
    """Hex SHA-256 of the stable serialisation of ``value`` (see the module docstring)."""
    return hashlib.sha256(b"ato-runtime-1|" + encode(value, _other)).hexdigest()


def _name(kind: type) -> bytes:
    return text(f"{kind.__module__}.{kind.__qualname__}")


def _other(value: object) -> bytes:
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray | numpy.generic):
        return _array(numpy.asarray(value), numpy)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        fields = {name: getattr(value, name) for name in type(value).model_fields}
        return b"M" + _name(type(value)) + encode(fields, _other)
    dataclasses = sys.modules.get("dataclasses")
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return b"D" + _name(type(value)) + encode(fields, _other)
    import pickle

    try:
        data = pickle.dumps(value, protocol=4)
    except Exception as err:  # pickling raises many types (TypeError, PicklingError, ...)
        raise TypeError(
            f"cannot fingerprint a {type(value).__qualname__}: it does not pickle ({err}); "
            "reduce it to plain data with inspect_fn="
        ) from err
    return b"P" + _name(type(value)) + hashlib.sha256(data).digest()


def _array(arr: Any, numpy: Any) -> bytes:
    """dtype (with field layout when structured), shape, then the data."""
    dtype = arr.dtype
    layout = str(dtype.descr) if dtype.names else dtype.str
    head = b"A" + text(layout) + b"(%s)" % b",".join(b"%d" % n for n in arr.shape)
    if dtype.hasobject:
        return head + encode(arr.tolist(), _other)
    return head + hashlib.sha256(numpy.ascontiguousarray(arr).tobytes()).digest()
