"""Small Hydra config trees shared by the composition tests (written to a temp dir)."""

from __future__ import annotations

import textwrap
from pathlib import Path

# The spec's layout: a primary config without a defaults list, and two groups.
SPEC = {
    "config.yaml": """
        seed: 0
        lr: 1e-3
        model:
          lr: 0.1
    """,
    "model/resnet50.yaml": """
        backbone: resnet50
        depth: 50
        lr: 0.1
        head:
          dropout: 0.5
          sizes: [512, 256]
    """,
    "model/resnet101.yaml": """
        backbone: resnet101
        depth: 101
        head:
          sizes: [1024]
    """,
    "data/cifar10.yaml": """
        dataset: cifar10
        batch_size: 128
    """,
    "data/imagenet.yaml": """
        dataset: imagenet
        batch_size: 32
        root: /data/${data.dataset}
    """,
}

# A typical Hydra application: defaults lists, nested groups, experiments, packages.
APP = {
    "config.yaml": """
        defaults:
          - db: mysql
          - model: small
          - optional local: dev
          - _self_
          - experiment: null
        seed: 1
        lr: 1e-3
        day: 2024-01-01
        run_name: run_${model.name}
        out: ???
        db:
          timeout: 5
    """,
    "db/mysql.yaml": """
        driver: mysql
        port: 3306
        pool:
          size: 5
          extra: [1, 2]
    """,
    "db/postgres.yaml": """
        driver: postgres
        port: 5432
    """,
    "model/small.yaml": """
        defaults:
          - encoder: cnn
          - _self_
        name: small
        width: 64
    """,
    "model/large.yaml": """
        defaults:
          - encoder: transformer
          - /optimizer@optim: adam
        name: large
        width: 1024
    """,
    "model/encoder/cnn.yaml": "kernel: 3\n",
    "model/encoder/transformer.yaml": "heads: 8\nlayers: 12\n",
    "local/prod.yaml": "debug: false\nseed: 7\n",
    "optimizer/adam.yaml": "lr: 3e-4\nbetas: [0.9, 0.999]\n",
    "optimizer/sgd.yaml": "lr: 0.1\nmomentum: 0.9\n",
    "experiment/fast.yaml": """
        # @package _global_
        defaults:
          - override /model: large
          - override /db: postgres
        lr: 0.01
        model:
          width: 2048
    """,
    "experiment/tagged.yaml": """
        # @package meta.tags
        owner: me
        level: 2
    """,
}

# Packages: `@` in defaults, `_here_`, headers, plain config entries, interpolated options.
PACKAGES = {
    "config.yaml": """
        defaults:
          - base
          - db@primary_db: mysql
          - db@backup_db: postgres
          - server: apache
          - server_conf: ${server}
          - db@_here_: sqlite
          - _self_
        name: app
    """,
    "base.yaml": "common: true\nname: base\n",
    "db/mysql.yaml": "driver: mysql\n",
    "db/postgres.yaml": "driver: postgres\n",
    "db/sqlite.yaml": "file: x.db\n",
    "server/apache.yaml": """
        # @package web.frontend
        port: 80
    """,
    "server/nginx.yaml": """
        defaults:
          - /shared/tls
          - _self_
        port: 8080
    """,
    "shared/tls.yaml": "cert: a.pem\n",
    "server_conf/apache.yaml": "conf: httpd.conf\n",
    "server_conf/nginx.yaml": "conf: nginx.conf\n",
}

# OmegaConf's merge rules, layer over layer.
MERGING = {
    "config.yaml": """
        defaults:
          - first: one
          - second: two
          - _self_
        tree:
          keep: ???
          x: 1
    """,
    "first/one.yaml": """
        # @package _global_
        tree:
          deep: {a: 1, b: [1, 2]}
          keep: 5
          gone: {k: v}
          scal: 3
          nul: null
    """,
    "second/two.yaml": """
        # @package _global_
        tree:
          deep: {b: [3], c: 1e-3}
          keep: ???
          gone: replaced
          scal: {now: dict}
          nul: {also: dict}
          ref: ${tree.x}
          day: 2020-01-02
          flag: yes
          sci: 6.02e23
    """,
}

# Where `_self_` goes, and group options with their own defaults lists.
SELF_ORDER = {
    "config.yaml": """
        defaults:
          - _self_
          - opt: a
        v: primary
        opt:
          v: primary
          only_primary: 1
    """,
    "last.yaml": """
        defaults:
          - opt: a
        opt:
          v: mine
    """,
    "opt/a.yaml": """
        defaults:
          - _self_
          - sub: x
        v: a
        sub:
          v: from_a
    """,
    "opt/b.yaml": """
        defaults:
          - sub: y
        v: b
        sub:
          v: from_b
    """,
    "opt/sub/x.yaml": "v: x\n",
    "opt/sub/y.yaml": "v: y\nextra: true\n",
}

# Hydra 1.0's `# @package _group_` header (Hydra 1.1 semantics: the group's package).
GROUP_HEADER = {
    "config.yaml": """
        defaults:
          - db: mysql
          - _self_
        x: 1
    """,
    "db/mysql.yaml": """
        # @package _group_
        host: m
    """,
    "db/nested.yaml": """
        # @package _group_.inner
        host: n
    """,
}

# Less common placements and orders.
EDGE = {
    "config.yaml": """
        # @package top
        defaults:
          - first
          - db@_global_: mysql
          - _self_
          - db@_group_.copy: postgres
          - /extra/thing@deep.er
          - server: apache
        own: 1
    """,
    "first.yaml": "first: true\nown: 0\n",
    "db/mysql.yaml": "driver: mysql\n",
    "db/postgres.yaml": """
        defaults:
          - engine: inno
        driver: postgres
    """,
    "db/engine/inno.yaml": "pages: 16\n",
    "db/engine/myisam.yaml": "pages: 4\n",
    "extra/thing.yaml": "thing: 1\n",
    "server/apache.yaml": """
        defaults:
          - override /db@_group_.copy: mysql
        port: 80
    """,
    "server/nginx.yaml": "port: 8080\n",
    "late.yaml": """
        defaults:
          - db: mysql
          - server: apache
        x: 1
    """,
    "early.yaml": """
        defaults:
          - server: nginx
          - db: postgres
        x: 1
    """,
}


TREES = {
    "spec": SPEC,
    "app": APP,
    "packages": PACKAGES,
    "merging": MERGING,
    "self_order": SELF_ORDER,
    "group_header": GROUP_HEADER,
    "edge": EDGE,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text, dedented) under ``root``; return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root
