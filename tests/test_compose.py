"""ato.compose's public calls: ADict methods, schema checks naming files, sources, explain."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import Runner
from pydantic import BaseModel, Field

from ato import ADict, ConfigError
from ato.compose import sources_of
from ato.schema import schema_hash


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The spec's layout: a primary config plus model/ and data/ groups."""
    root = tmp_path / "configs"
    _write(root, "config.yaml", "seed: 0\nlr: 1e-3\n")
    _write(root, "model/resnet50.yaml", "backbone: resnet50\ndepth: 50\nlr: 0.1\n")
    _write(root, "model/resnet101.yaml", "backbone: resnet101\ndepth: 101\n")
    _write(root, "data/imagenet.yaml", "dataset: imagenet\nbatch_size: 32\n")
    return root


class Model(BaseModel):
    backbone: str
    depth: int
    lr: float = 0.1


class Data(BaseModel):
    dataset: str
    batch_size: int = Field(gt=0)


class Train(BaseModel):
    seed: int
    lr: float
    model: Model
    data: Data


def test_spec_example_as_written(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec's compose_hierarchy call returns the composed ADict with overrides applied."""
    monkeypatch.chdir(tree.parent)
    config = ADict.compose_hierarchy(
        root="configs",
        config_filename="config",
        select={"model": "resnet50", "data": "imagenet"},
        overrides={"model.lr": 0.01, "data.batch_size": 64},
        required=["model.backbone", "data.dataset"],
        on_missing="warn",
    )
    assert isinstance(config, ADict)
    assert config.model.backbone == "resnet50"
    assert config.to_dict() == {
        "seed": 0, "lr": 0.001,
        "model": {"backbone": "resnet50", "depth": 50, "lr": 0.01},
        "data": {"dataset": "imagenet", "batch_size": 64},
    }


def test_sources_name_file_and_line(tree: Path) -> None:
    """Each leaf remembers the file and YAML line that set it."""
    config = ADict.compose_hierarchy(tree, select={"model": "resnet50", "data": "imagenet"})
    sources = sources_of(config)
    assert sources["model.depth"].endswith("model/resnet50.yaml:2")
    assert sources["data.dataset"].endswith("data/imagenet.yaml:1")
    assert sources["lr"].endswith("config.yaml:2")


def test_schema_validates_and_names_the_file(tree: Path) -> None:
    """With a schema, each problem names key, expected type, value and the file:line."""
    _write(tree, "data/broken.yaml", "dataset: imagenet\nbatch_size: -4\n")
    good = ADict.compose_hierarchy(tree, select={"model": "resnet50", "data": "imagenet"}, schema=Train)
    assert good.model.depth == 50
    assert good.get_structural_hash() == schema_hash(Train)
    with pytest.raises(ConfigError) as err:
        ADict.compose_hierarchy(tree, select={"model": "resnet50", "data": "broken"}, schema=Train)
    problem = err.value.problems[0]
    assert problem.key == "data.batch_size"
    assert problem.got == -4
    assert problem.source is not None and problem.source.endswith("data/broken.yaml:2")


def test_schema_required_fields_count(tree: Path) -> None:
    """A field the schema requires and no file sets is reported (here the whole data group)."""
    with pytest.raises(ConfigError) as err:
        ADict.compose_hierarchy(tree, select={"model": "resnet50"}, schema=Train)
    assert [p.key for p in err.value.problems] == ["data"]


def test_explain_names_the_file_a_view_composed(tree: Path, run_program: Runner) -> None:
    """When a view calls compose_hierarchy, explain says which file set each value."""
    source = f"""
from ato import ADict
from ato.scope import Scope
scope = Scope()

@scope.observe(default=True)
def from_files(cfg):
    cfg.update(ADict.compose_hierarchy({str(tree)!r}, select={{"model": "resnet101"}}), recurrent=True)

@scope
def train(cfg):
    print(cfg.model.depth)

if __name__ == "__main__":
    train()
"""
    result = run_program(source, "explain", "model.depth")
    assert result.returncode == 0, result.stderr
    assert "view 'from_files' (train.py:6), from " in result.stdout
    assert "model/resnet101.yaml:2  <- final" in result.stdout
