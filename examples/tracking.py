"""Log a run and query it back: `python examples/tracking.py` (writes a temporary database)."""

import pathlib
import tempfile

from ato import ADict
from ato.db_routers.sql.manager import SQLFinder, SQLLogger

db = pathlib.Path(tempfile.mkdtemp()) / "experiments.db"
config = ADict(
    experiment={"project_name": "cifar", "sql": {"db_path": f"sqlite:///{db}"}},
    lr=0.001, model="resnet50",
)
logger = SQLLogger(config)
run_id = logger.run(tags=["baseline"])
for step in range(100):
    logger.log_metrics({"loss": 1 / (step + 1), "acc": step / 100}, step=step)
logger.log_artifact(run_id, "ckpt/best.pt", data_type="model", metadata={"step": 99})
logger.finish()

finder = SQLFinder(config)
best = finder.find_best_run("cifar", "acc", mode="max")
print(best.id == run_id, best.status, best.config.model, best.latest_metrics()["acc"])
print(len(best.metrics), [a.path for a in best.artifacts], finder.find_stale_runs(600))
