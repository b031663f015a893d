"""One side of ``bench_mm_load.py``: loads OpenMMLab configs on request, timing each load.

Run as ``python _mm_load_worker.py SIDE`` with SIDE one of ``mmengine`` (``Config.fromfile``),
``ato`` (``ato.compose._mm.load_mm``) or ``ato-adict`` (``ADict.from_mm_config``). It talks
JSON lines over stdin/stdout, so that the driver can interleave rounds across processes:

* ``{"cmd": "check", "files": [...]}``: import the loader (timed), load each file once, and
  answer ``{"import_ms": ..., "digests": {file: sha1 of repr(result as a dict)},
  "errors": {file: message}}``. This is also the warm-up.
* ``{"cmd": "round", "files": [...]}``: load each file once, answer ``{"ns": [...]}`` (the
  wall-clock nanoseconds of each load, in order).
* ``{"cmd": "quit"}``.

Standard library only, besides the loader being measured.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any


def _loader(side: str) -> tuple[Callable[[str], Any], Callable[[Any], Any]]:
    """The load call and how to turn its result into a plain dict, for ``side``."""
    if side == "mmengine":
        from mmengine.config import Config

        def load(path: str) -> Any:
            return Config.fromfile(path, import_custom_modules=False)

        return load, lambda cfg: cfg.to_dict()
    if side == "ato":
        from ato.compose._mm import load_mm

        return load_mm, lambda result: result[0]
    if side == "ato-adict":
        from ato import ADict

        return ADict.from_mm_config, lambda cfg: cfg.to_dict()
    raise SystemExit(f"unknown side {side!r}")


def main() -> int:
    side = sys.argv[1]
    warnings.simplefilter("ignore")  # mmengine's deprecation notes would only add noise
    load: Callable[[str], Any] | None = None
    as_dict: Callable[[Any], Any] = lambda x: x  # noqa: E731
    for line in sys.stdin:
        request = json.loads(line)
        if request["cmd"] == "quit":
            break
        if request["cmd"] == "check":
            start = time.perf_counter_ns()
            load, as_dict = _loader(side)
            import_ms = (time.perf_counter_ns() - start) / 1e6
            digests: dict[str, str] = {}
            errors: dict[str, str] = {}
            for path in request["files"]:
                try:
                    tree = as_dict(load(path))
                except Exception as exc:
                    errors[path] = f"{type(exc).__name__}: {str(exc)[:200]}"
                    continue
                digests[path] = hashlib.sha1(repr(tree).encode()).hexdigest()
            answer: dict[str, Any] = {"import_ms": import_ms, "digests": digests, "errors": errors}
        elif request["cmd"] == "round":
            assert load is not None, "check first"
            ns = []
            for path in request["files"]:
                start = time.perf_counter_ns()
                load(path)
                ns.append(time.perf_counter_ns() - start)
            answer = {"ns": ns}
        else:
            answer = {"error": f"unknown command {request['cmd']!r}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
