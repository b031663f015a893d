"""Search spaces: every malformed space and every schema mismatch is a ConfigError
naming the parameter, raised when the search is built, before any trial."""

from __future__ import annotations

import math
import random
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from ato import ConfigError
from ato.adict import ADict
from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch
from ato.hyperopt._spaces import Space, grid_points, parse_spaces
from ato.scope import Scope


class Optim(BaseModel):
    lr: float = 0.1
    momentum: float = Field(default=0.9, ge=0.0, le=1.0)


class TrainConfig(BaseModel):
    model: Literal["resnet50", "resnet101"] = "resnet50"
    batch_size: int = 32
    run_name: str = "run"
    optim: Optim = Optim()


def errors(spaces: Any, schema: type[BaseModel] | None = None) -> list[tuple[str | None, str]]:
    scope: Scope[Any] = Scope(schema=schema) if schema is not None else Scope()
    with pytest.raises(ConfigError) as info:
        HyperBand(scope, spaces, halving_rate=0.5, num_min_samples=2)
    return [(p.key, p.render()) for p in info.value.problems]


FLOAT = {"param_type": "FLOAT", "param_range": (0.1, 1.0), "num_samples": 3}


@pytest.mark.parametrize(
    ("space", "key", "words"),
    [
        ({"param_range": (0, 1), "num_samples": 2}, "lr", "param_type is missing"),
        ({**FLOAT, "param_type": "FLOT"}, "lr.param_type", "did you mean 'FLOAT'"),
        ({**FLOAT, "param_range": (1.0, 0.1)}, "lr.param_range", "low < high"),
        ({**FLOAT, "param_range": (0.5, 0.5)}, "lr.param_range", "low < high"),
        ({**FLOAT, "param_range": (0.0, 1.0), "space_type": "LOG"}, "lr.param_range", "positive bounds"),
        ({**FLOAT, "param_range": (-1.0, 1.0), "space_type": "LOG"}, "lr.param_range", "positive bounds"),
        ({**FLOAT, "space_type": "LOGARITHMIC"}, "lr.space_type", "LINEAR or LOG"),
        ({**FLOAT, "num_samples": 0}, "lr.num_samples", "an integer >= 1"),
        ({**FLOAT, "num_samples": 2.5}, "lr.num_samples", "an integer >= 1"),
        ({"param_type": "FLOAT", "param_range": (0.1, 1.0)}, "lr.num_samples", "a grid needs it"),
        ({**FLOAT, "param_range": (0.1,)}, "lr.param_range", "a pair of finite numbers"),
        ({**FLOAT, "param_range": "0.1-1"}, "lr.param_range", "a pair of finite numbers"),
        ({**FLOAT, "param_range": (0.0, math.inf)}, "lr.param_range", "a pair of finite numbers"),
        ({**FLOAT, "param_range": (math.nan, 1.0)}, "lr.param_range", "a pair of finite numbers"),
        ({**FLOAT, "param_type": "INTEGER", "param_range": (1, 2.5)}, "lr.param_range", "two integers"),
        ({**FLOAT, "base": 1}, "lr.base", "positive number other than 1"),
        ({**FLOAT, "num_sample": 3}, "lr.num_sample", "did you mean 'num_samples'"),
        ({"param_type": "CATEGORY", "categories": []}, "lr.categories", "non-empty list"),
        ({"param_type": "CATEGORY"}, "lr.categories", "non-empty list"),
        ({"param_type": "CATEGORY", "categories": "adam"}, "lr.categories", "non-empty list"),
        ([0.1, 0.2], "lr", "a mapping with param_type"),
    ],
)
def test_malformed_space_names_the_parameter(space: Any, key: str, words: str) -> None:
    """Each malformed space is reported with its parameter (and setting) named."""
    found = errors({"lr": space})
    assert any(k == key and words in text for k, text in found), found


def test_a_setting_problem_names_the_space_as_its_source() -> None:
    """`lr.param_range: ... (from search space 'lr')`, not from 'lr.param_range'."""
    found = errors({"lr": {**FLOAT, "param_range": (1.0, 0.1)}})
    assert found[0][1].endswith("(from search space 'lr')")


def test_every_problem_of_every_space_is_reported_at_once() -> None:
    """Two bad spaces and one good one: both problems in one error."""
    found = errors({
        "lr": {**FLOAT, "param_range": (1.0, 0.1)},
        "wd": FLOAT,
        "model": {"param_type": "CATEGORY", "categories": []},
    })
    assert [k for k, _ in found] == ["lr.param_range", "model.categories"]


def test_empty_or_non_mapping_spaces() -> None:
    """No spaces at all is an error, not a search of one empty config."""
    assert errors({})[0][0] == "search_spaces"
    assert errors([("lr", FLOAT)])[0][0] == "search_spaces"


def test_schema_unknown_parameter_suggests_the_field() -> None:
    """A parameter that is not a field of the schema, with a did-you-mean."""
    found = errors({"batch_sze": {"param_type": "INTEGER", "param_range": (8, 64), "num_samples": 2}},
                   TrainConfig)
    assert found[0][0] == "batch_sze" and "batch_size" in found[0][1]
    nested = errors({"optim.lrr": FLOAT}, TrainConfig)
    assert nested[0][0] == "optim.lrr" and "lr" in nested[0][1]


def test_schema_integer_space_for_a_str_field() -> None:
    """An INTEGER space for a str field names the parameter and the field's type."""
    found = errors({"run_name": {"param_type": "INTEGER", "param_range": (1, 4), "num_samples": 4}},
                   TrainConfig)
    assert found[0][0] == "run_name"
    assert "expected str" in found[0][1] and "INTEGER" in found[0][1]


def test_schema_category_outside_the_literal() -> None:
    """A category the field's Literal does not allow."""
    space = {"param_type": "CATEGORY", "categories": ["resnet50", "vit_b16"]}
    found = errors({"model": space}, TrainConfig)
    assert found[0][0] == "model" and "'vit_b16'" in found[0][1]


def test_schema_float_space_for_an_int_field_and_constraints() -> None:
    """A FLOAT space for an int field (the message names the range, not a value the user
    never wrote), and a range crossing a field's bound."""
    found = errors({"batch_size": {**FLOAT, "param_range": (8.0, 64.0)}}, TrainConfig)
    assert found[0][0] == "batch_size" and "expected int" in found[0][1]
    assert "the FLOAT space [8, 64] gives" in found[0][1]
    crossing = errors({"optim.momentum": {**FLOAT, "param_range": (0.5, 1.5)}}, TrainConfig)
    assert crossing[0][0] == "optim.momentum" and "1.5" in crossing[0][1]


def test_schema_checks_run_for_every_search_kind() -> None:
    """Random and bracket searches check their spaces against the schema too."""
    bad = {"modle": {"param_type": "CATEGORY", "categories": ["resnet50"]}}
    with pytest.raises(ConfigError, match="modle"):
        RandomSearch(Scope(schema=TrainConfig), bad, num_trials=3)
    with pytest.raises(ConfigError, match="modle"):
        BracketHyperBand(Scope(schema=TrainConfig), bad)


def test_valid_spaces_against_a_schema_build() -> None:
    """Fitting spaces, nested dotted names included, are accepted."""
    spaces = {
        "model": {"param_type": "CATEGORY", "categories": ["resnet50", "resnet101"]},
        "batch_size": {"param_type": "INTEGER", "param_range": (16, 128), "num_samples": 3,
                       "space_type": "LOG"},
        "optim.lr": {"param_type": "FLOAT", "param_range": (1e-4, 1e-1), "num_samples": 4,
                     "space_type": "LOG", "base": 10},
    }
    search = HyperBand(Scope(schema=TrainConfig), spaces, halving_rate=0.5, num_min_samples=2)
    assert len(search.distributions) == 2 * 3 * 4


def test_grids_have_exact_ends_and_no_repeats() -> None:
    """LINEAR and LOG grids end exactly at the bounds; INTEGER grids round and drop
    repeated values; the product keeps ato 2.x's order."""
    lin = parse_spaces({"x": FLOAT}, need_grid=True)[0]
    assert lin.grid() == [0.1, 0.55, 1.0]
    log = parse_spaces({"x": {"param_type": "FLOAT", "param_range": (1e-5, 1e-1), "num_samples": 5,
                              "space_type": "LOG"}}, need_grid=True)[0]
    assert log.grid()[0] == 1e-5 and log.grid()[-1] == 1e-1
    assert [round(math.log10(v), 9) for v in log.grid()] == [-5, -4, -3, -2, -1]
    ints = Space("n", "INTEGER", 16, 128, 5, log=True)
    assert ints.grid() == [16, 27, 45, 76, 128]
    assert Space("n", "INTEGER", 1, 3, 5).grid() == [1, 2, 3]
    assert Space("n", "FLOAT", 2, 4, 1).grid() == [2.0]
    pair = [Space("a", "CATEGORY", categories=(1, 2)), Space("b", "CATEGORY", categories=("x", "y"))]
    points = grid_points(pair)
    assert points == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]


def test_draws_stay_in_their_space() -> None:
    """Random draws respect bounds, integer-ness and categories."""
    rng = random.Random(0)
    spaces = [Space("f", "FLOAT", 0.5, 2.0), Space("g", "FLOAT", 1e-4, 1.0, log=True),
              Space("i", "INTEGER", 3, 9), Space("j", "INTEGER", 1, 1000, log=True),
              Space("c", "CATEGORY", categories=("a", "b"))]
    for _ in range(500):
        f, g, i, j, c = (space.draw(rng) for space in spaces)
        assert 0.5 <= f <= 2.0 and 1e-4 <= g <= 1.0
        assert type(i) is int and 3 <= i <= 9 and type(j) is int and 1 <= j <= 1000
        assert c in ("a", "b")


def test_near_draws_stay_in_their_space_and_close_to_the_value() -> None:
    """near() moves a value by about a tenth of its range (log scale for LOG spaces),
    never leaves the space, keeps int-ness, and keeps a category at the given rate."""
    rng = random.Random(1)
    f, g = Space("f", "FLOAT", 0.0, 10.0), Space("g", "FLOAT", 1e-5, 1e-1, log=True)
    i, c = Space("i", "INTEGER", 16, 512, log=True), Space("c", "CATEGORY", categories=("a", "b", "c"))
    fs = [f.near(9.9, rng, 0.1, 0.8) for _ in range(2000)]
    assert all(0.0 <= x <= 10.0 for x in fs)
    # A normal step of sd 1.0 from 9.9, kept inside: most draws within two sds, none far.
    assert sum(x > 7.9 for x in fs) > 0.9 * len(fs) and min(fs) > 4.0
    gs = [g.near(1e-3, rng, 0.1, 0.8) for _ in range(2000)]
    # The range spans 4 decades, so sd 0.4 decade: about 68% within a factor 10**0.4.
    share = sum(10**-3.4 <= x <= 10**-2.6 for x in gs) / len(gs)
    assert 0.6 < share < 0.76 and all(1e-5 <= x <= 1e-1 for x in gs)
    ints = [i.near(512, rng, 0.1, 0.8) for _ in range(500)]
    assert all(type(x) is int and 16 <= x <= 512 for x in ints) and len(set(ints)) > 20
    kept = sum(c.near("b", rng, 0.1, 0.8) == "b" for _ in range(3000)) / 3000
    assert kept == pytest.approx(0.8 + 0.2 / 3, abs=0.03)  # kept, or drawn again as "b"


def test_grid_configs_carry_the_base_config_and_nested_names() -> None:
    """prepare_distributions copies the base config and writes dotted names as nesting."""
    spaces = ADict({"optim.lr": {"param_type": "CATEGORY", "categories": [0.1, 0.01]}})
    configs = HyperBand.prepare_distributions(ADict(epochs=3, optim={"momentum": 0.9}), spaces)
    assert [c.to_dict() for c in configs] == [
        {"epochs": 3, "optim": {"momentum": 0.9, "lr": 0.1}, "__num_halved__": 0},
        {"epochs": 3, "optim": {"momentum": 0.9, "lr": 0.01}, "__num_halved__": 0},
    ]
