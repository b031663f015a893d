"""One side of ``bench_compose.py``, run as a long-lived child process (standard library only).

``python _compose_worker.py SIDE CASES_JSON``, SIDE being one of:

* ``ato``: this repository's ``ato.compose._hydra.compose(root, name, select=...)``;
* ``hydra``: ``hydra.compose(config_name, overrides)`` with the tree's
  ``initialize_config_dir(..., version_base=None)`` already open, as in an application
  that initializes once and composes (the initialization is outside the timed loop);
* ``hydra-init``: ``initialize_config_dir`` and ``hydra.compose`` on every call, as in a
  program that composes once.

Each case is ``{"key", "root", "name", "select", "hydra_overrides"}``. The worker imports its
library first (never timed), then answers one command per stdin line with one JSON line:
``result`` (every case's composed config as plain data, ``resolve=False``, without the
``hydra`` node), ``round SECONDS`` (ms per composition for each case, over a loop of about
SECONDS whose count is calibrated on the first round and then kept) or ``quit``.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

Runner = Callable[[int], tuple[float, Any]]  # n -> (seconds for n compositions, last result)


def _ato_runner(case: dict[str, Any]) -> Runner:
    from ato.compose._hydra import compose

    root, name, select = case["root"], case["name"], case["select"]

    def run(n: int) -> tuple[float, Any]:
        start = time.perf_counter()
        for _ in range(n):
            tree = compose(root, name, select=select)[0]
        return time.perf_counter() - start, tree

    return run


def _hydra_runner(case: dict[str, Any], init_each_call: bool) -> Runner:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    root, name, overrides = case["root"], case["name"], case["hydra_overrides"]

    def run(n: int) -> tuple[float, Any]:
        if init_each_call:
            start = time.perf_counter()
            for _ in range(n):
                with initialize_config_dir(config_dir=root, version_base=None):
                    cfg = compose(config_name=name, overrides=overrides)
            elapsed = time.perf_counter() - start
        else:
            with initialize_config_dir(config_dir=root, version_base=None):
                start = time.perf_counter()
                for _ in range(n):
                    cfg = compose(config_name=name, overrides=overrides)
                elapsed = time.perf_counter() - start
        return elapsed, OmegaConf.to_container(cfg, resolve=False)

    return run


def main() -> int:
    side, cases = sys.argv[1], json.loads(sys.argv[2])
    warnings.simplefilter("ignore")  # Hydra's deprecation and `_self_` notices
    runners = {
        case["key"]: _ato_runner(case) if side == "ato" else _hydra_runner(case, side == "hydra-init")
        for case in cases
    }
    loops: dict[str, int] = {}
    print(json.dumps({"ready": side}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "result":
            print(json.dumps({key: run(1)[1] for key, run in runners.items()}), flush=True)
        elif command[0] == "round":
            seconds = float(command[1])
            times = {}
            for key, run in runners.items():
                if key not in loops:
                    loops[key] = max(1, int(seconds / max(run(1)[0], 1e-9)))
                times[key] = run(loops[key])[0] * 1000 / loops[key]
            print(json.dumps(times), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
