"""A first look at ato's config container: build, merge, save, reload, compare.

Run it with ``python examples/quickstart.py``; it writes its files to a temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ato import ADict, ConfigError


def main() -> None:
    # Nested levels appear as you write them.
    cfg = ADict.auto()
    cfg.model.backbone = "resnet50"
    cfg.model.depth = 50
    cfg.optim.lr = 1e-3
    cfg.optim.momentum = 0.9
    cfg.data.batch_size = 32

    # An experiment file only says what differs; a deep merge keeps the rest.
    experiment = {"model": {"backbone": "resnet101", "depth": 101}, "optim": {"lr": 3e-4}}
    cfg.update(experiment, recurrent=True)
    cfg.update_if_absent(scheduler="cosine", optim={"lr": 1.0})  # lr stays 3e-4
    print(f"training {cfg.model.backbone} (depth {cfg.model.depth}) with lr={cfg.optim.lr}")

    with tempfile.TemporaryDirectory() as folder:
        for name in ("run.yaml", "run.json", "run.toml", "run.xyz"):
            path = Path(folder) / name
            cfg.dump(path)
            assert ADict.from_file(path) == cfg, name
        print("the same config round-trips through yaml, json, toml and xyz; as xyz it reads:")
        print((Path(folder) / "run.xyz").read_text().rstrip())

    # The structural hash tracks the config's shape, not its values.
    sweep_point = cfg.clone()
    sweep_point.optim.lr = 0.1
    renamed = cfg.clone()
    renamed.data.batch_size = "32"
    same = sweep_point.get_structural_hash() == cfg.get_structural_hash()
    print("same structure after changing lr:", same)
    same = renamed.get_structural_hash() == cfg.get_structural_hash()
    print("same structure after batch_size became a str:", same)

    cfg.freeze()
    try:
        cfg.optim.lr = 1.0
    except ConfigError as err:
        print("frozen config refused a write:", err)


if __name__ == "__main__":
    main()
