"""Loading an OpenMMLab config chain with ato: `python examples/from_openmmlab.py`."""

import pathlib
import tempfile
import textwrap

from ato import ADict

files = {
    "_base_/models/retinanet_r50.py": """
        model = dict(
            type="RetinaNet",
            backbone=dict(type="ResNet", depth=50, frozen_stages=1),
            neck=dict(type="FPN", in_channels=[256, 512, 1024, 2048], out_channels=256),
        )
    """,
    "_base_/schedules/schedule_1x.py": """
        optim_wrapper = dict(optimizer=dict(type="SGD", lr=0.02, momentum=0.9))
        train_cfg = dict(max_epochs=12)
    """,
    "retinanet_r101_2x.py": """
        _base_ = ["./_base_/models/retinanet_r50.py", "./_base_/schedules/schedule_1x.py"]
        model = dict(backbone=dict(depth=101))
        optim_wrapper = dict(
            optimizer=dict(_delete_=True, type="AdamW", lr=_base_.optim_wrapper.optimizer.lr / 10)
        )
        train_cfg = dict(max_epochs=24)
        work_dir = "./work_dirs/{{ fileBasenameNoExtension }}"
    """,
}
root = pathlib.Path(tempfile.mkdtemp())
for name, text in files.items():
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text))

cfg = ADict.from_mm_config(root / "retinanet_r101_2x.py")
assert cfg.model.backbone.depth == 101
assert cfg.model.backbone.frozen_stages == 1
assert cfg.optim_wrapper.optimizer == {"type": "AdamW", "lr": 0.002}
print(cfg.model.backbone.depth, cfg.optim_wrapper.optimizer.type, cfg.train_cfg.max_epochs, cfg.work_dir)
