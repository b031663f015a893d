"""Composing a Hydra config tree with ato: `python examples/from_hydra.py`."""

import pathlib
import tempfile
import textwrap

from ato import ADict

files = {
    "config.yaml": """
        defaults:
          - db: mysql
          - model: small
          - _self_
        lr: 1e-3
        run_name: run_${model.name}
        out: ???
    """,
    "db/mysql.yaml": "driver: mysql\nport: 3306\n",
    "db/postgres.yaml": "driver: postgres\nport: 5432\n",
    "model/small.yaml": "name: small\nwidth: 64\n",
    "model/large.yaml": "name: large\nwidth: 1024\n",
    "experiment/fast.yaml": """
        # @package _global_
        defaults:
          - override /model: large
        lr: 0.01
    """,
}
root = pathlib.Path(tempfile.mkdtemp()) / "conf"
for name, text in files.items():
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text))

cfg = ADict.compose_hierarchy(
    root, "config",
    select={"experiment": "fast", "db": "postgres"},
    overrides={"out": "runs/fast"},
    required=["db.driver", "out"],
)
cfg.resolve()
assert (cfg.run_name, cfg.lr, cfg.db.driver, cfg.model.width) == ("run_large", 0.01, "postgres", 1024)
print(cfg.run_name, cfg.lr, cfg.db.driver, cfg.model.width)   # run_large 0.01 postgres 1024
