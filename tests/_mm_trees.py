"""Small OpenMMLab-style config trees, shared by the loader's tests and the mmengine interop test.

Each tree is a mapping of relative path to file text, plus the file to load. The texts use
only what both ato and mmengine can run, so that every tree can be compared with mmengine.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

# name -> (files, the config to load)
TREES: dict[str, tuple[dict[str, str], str]] = {
    # _base_ as a string and as a list, relative paths up and across, three levels deep,
    # nested dicts merged, lists (of dicts too) replaced, tuples kept.
    "chain": ({
        "base/models/net.py": """
            model = dict(type='Net', backbone=dict(depth=50, frozen=(1, 2)),
                         head=dict(num_classes=80, loss=dict(type='CE', weight=1.0)))
        """,
        "base/runtime.py": """
            log_level = 'INFO'
            hooks = [dict(type='A', interval=1), dict(type='B')]
        """,
        "configs/mid.py": """
            _base_ = ['../base/models/net.py', '../base/runtime.py']
            model = dict(backbone=dict(depth=101))
            hooks = [dict(type='C')]
        """,
        "configs/top.py": """
            _base_ = './mid.py'
            model = dict(head=dict(num_classes=3))
            log_level = 'DEBUG'
        """,
    }, "configs/top.py"),
    # _delete_: replaces (True), is dropped and merges (False); kept in the data where no
    # base mapping is merged into (a new key, or below a replaced mapping), as mmengine does.
    "delete": ({
        "base.py": """
            optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
            model = dict(neck=dict(type='FPN', channels=[256, 512]), head=dict(a=1))
        """,
        "child.py": """
            _base_ = 'base.py'
            optimizer = dict(_delete_=True, type='Adam', lr=0.001)
            model = dict(neck=dict(_delete_=False, channels=[128]),
                         head=dict(_delete_=True, b=dict(_delete_=True, c=1)))
            extra = dict(_delete_=True, x=1)
        """,
    }, "child.py"),
    # `_base_.x` in Python: attribute and item access, lists of dicts with attribute access,
    # and two names bound to one dict (each merged on its own, as in mmdet's mask2former).
    "py_refs": ({
        "base.py": """
            train_pipeline = [dict(type='Load'), dict(type='Resize', scale=(1333, 800))]
            data = dict(batch=2, root='data/')
            model = dict(type='Net', backbone=dict(depth=50, style='pytorch'))
            val_evaluator = dict(type='Coco', metric='bbox')
            test_evaluator = val_evaluator
        """,
        "child.py": """
            _base_ = './base.py'
            train_pipeline = _base_.train_pipeline + [dict(type='Pack')]
            scale = _base_.train_pipeline[1].scale
            model = dict(backbone=dict(_base_.model.backbone, depth=101))
            data = dict(batch=_base_['data']['batch'] * 2, root=_base_.data.root + 'coco/')
            val_evaluator = dict(_delete_=True, type='Panoptic')
            test_evaluator = val_evaluator
        """,
    }, "child.py"),
    # {{ _base_.x }} in YAML, JSON and Python, whole values only, inside lists too.
    "base_vars": ({
        "base.py": """
            backend_args = None
            data_root = 'data/coco/'
            model = dict(data_preprocessor=dict(mean=[1, 2, 3], bgr_to_rgb=True))
        """,
        "mid.yaml": """
            _base_: ./base.py
            root: {{_base_.data_root}}
            mean: {{ _base_.model.data_preprocessor.mean }}
            loader:
              args: {{_base_.backend_args}}
              items: [{{_base_.data_root}}, 1]
        """,
        "child.json": """
            {"_base_": "mid.yaml", "flag": {{_base_.model.data_preprocessor.bgr_to_rgb}},
             "copy": {{_base_.loader}}}
        """,
        "top.py": """
            _base_ = ['./child.json']
            rgb = {{_base_.flag}}
            pair = ({{_base_.root}}, {{_base_.copy.items}})
        """,
    }, "top.py"),
    # The predefined variables, in values and in a _base_ path.
    "predefined": ({
        "exp/base.py": "dirname = '{{ fileDirname }}'\n",
        "exp/run_one.py": """
            _base_ = '{{ fileDirname }}/base.py'
            work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
            name = '{{fileBasename}}'
            ext = '{{ fileExtname }}'
        """,
    }, "exp/run_one.py"),
    "predefined_yaml": ({
        "exp/run_two.yml": """
            work_dir: ./work_dirs/{{ fileBasenameNoExtension }}
            name: '{{fileBasename}}'
            ext: '{{ fileExtname }}'
        """,
    }, "exp/run_two.yml"),
    # {{$NAME:default}}: the interop test sets ATO_MM_ROOT and leaves ATO_MM_NUM unset.
    "env": ({
        "env.py": """
            data_root = '{{$ATO_MM_ROOT:/default/root}}/images'
            num = {{'$ATO_MM_NUM:3'}}
        """,
    }, "env.py"),
    # What a Python config's names become: modules and functions dropped, classes and
    # built-in functions kept, `__` names dropped, `_` names kept, custom_imports as data.
    "filter": ({
        "base.py": "x = 1\n",
        "child.py": """
            _base_ = './base.py'
            import math
            from collections import OrderedDict
            from math import sqrt

            def helper(value):
                return value * 2

            twice = lambda value: value * 2
            _private = helper(2)
            __hidden = 3
            ordered = OrderedDict(b=1, a=2)
            klass = OrderedDict
            root = sqrt
            pi = math.pi
            custom_imports = dict(imports=['ato_mm_never_imported'], allow_failed_imports=False)
        """,
    }, "child.py"),
    # YAML read as YAML 1.1 (1e-3 is a string, yes is True), bases in YAML and JSON.
    "yaml_chain": ({
        "a.yaml": """
            optim:
              lr: 1e-3
              nesterov: yes
            steps: [1, 2]
        """,
        "b.json": '{"data": {"batch": 2, "shuffle": true}, "none": null}\n',
        "top.yaml": """
            _base_: [a.yaml, b.json]
            optim:
              lr: 0.01
            data:
              batch: 4
        """,
    }, "top.yaml"),
    # What Python configs do with `_base_` objects: dict methods, mutation in place (which
    # reaches the merged result, as in mmengine), a YAML middle with `_delete_`.
    "base_methods": ({
        "base.py": """
            model = dict(type='A', backbone=dict(depth=50, out=(1, 2)), neck=dict(ch=[1, 2]))
            pipeline = [dict(type='Load'), dict(type='Resize', keep=True)]
            test_pipeline = pipeline
            opt = dict(lr=0.1)
        """,
        "mid.yaml": """
            _base_: base.py
            model:
              neck:
                _delete_: true
                ch: 3
            extra: {{_base_.opt}}
        """,
        "child.py": """
            _base_ = ['mid.yaml']
            _base_.model.backbone.depth = 101
            p = _base_.pipeline
            p[1].keep = False
            o = _base_.opt.copy()
            o.update(dict(lr=0.5, wd=1))
            d = dict(**_base_.model.backbone)
            g = _base_.model.get('missing', 'default')
            q = _base_.opt.pop('nothing')
            s = _base_.opt.setdefault('m', 0.9)
            k = list(_base_.keys())
        """,
    }, "child.py"),
    # _deprecation_ is popped (with a DeprecationWarning) from the file that has it.
    "deprecation": ({
        "old.py": """
            _deprecation_ = dict(expected='new.py', reference='https://example.org')
            value = 1
        """,
        "child.py": "_base_ = './old.py'\nother = 2\n",
    }, "child.py"),
}


def write_tree(root: Path, name: str) -> Path:
    """Write tree ``name`` under ``root``; return the path of its config to load."""
    files, top = TREES[name]
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return root / top


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (relative path -> text, dedented) under ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")


# A stand-in for an installed OpenMMLab package (scope `mmflow`, one mmengine knows), made
# under a directory put on sys.path. Importing it would write IMPORTED next to it.
FAKE_PACKAGE = {
    "mmflow/__init__.py": """
        import pathlib
        pathlib.Path(__file__).with_name('IMPORTED').write_text('imported')
    """,
    "mmflow/.mim/model-index.yml": "Import: []\n",
    "mmflow/.mim/configs/_base_/models/flow.py": """
        model = dict(type='Flow', encoder=dict(type='Enc', depth=3), heads=[dict(type='H')])
        losses = [dict(type='L1'), dict(name='no type')]
        num = 1
    """,
}
