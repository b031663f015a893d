"""Search spaces: reading the spec's mappings, checking them, grids and random draws.

A space is read once, when the search is built; every problem of every space is reported
together in one :class:`~ato.errors.ConfigError` naming the parameter, before any trial.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any, NamedTuple

from ato.errors import ConfigError, Problem, suggest

__all__ = ["Space", "check_schema", "grid_points", "parse_spaces"]

PARAM_TYPES = ("FLOAT", "INTEGER", "CATEGORY")
SPACE_TYPES = ("LINEAR", "LOG")
_KEYS = ("param_type", "param_range", "num_samples", "space_type", "base", "categories")


class Space(NamedTuple):
    """One parameter's space, checked."""

    name: str
    kind: str  # FLOAT, INTEGER or CATEGORY
    low: float = 0.0
    high: float = 0.0
    num_samples: int | None = None
    log: bool = False
    categories: tuple[Any, ...] = ()

    def grid(self) -> list[Any]:
        """``num_samples`` values from ``low`` to ``high`` (both exact), or the categories.

        INTEGER grids are rounded to the nearest integer and repeated values dropped, so a
        grid never runs the same trial twice.
        """
        if self.kind == "CATEGORY":
            return list(self.categories)
        n = self.num_samples or 1
        if n == 1:
            values = [self.low]
        elif self.log:
            # Interpolating decimal exponents keeps decade grids round (1e-3, not 9.99e-4).
            first, last = math.log10(self.low), math.log10(self.high)
            values = [10 ** (first + (last - first) * i / (n - 1)) for i in range(n)]
        else:
            span = self.high - self.low
            values = [self.low + span * i / (n - 1) for i in range(n)]
        if n > 1:
            values[-1] = self.high  # exact, whatever the rounding of the steps
        if self.kind == "FLOAT":
            return [float(v) for v in values]
        return list(dict.fromkeys(round(v) for v in values))

    def draw(self, rng: random.Random) -> Any:
        """One value drawn at random: uniform, or log-uniform for LOG spaces."""
        if self.kind == "CATEGORY":
            return self.categories[rng.randrange(len(self.categories))]
        if self.kind == "INTEGER" and not self.log:
            return rng.randint(int(self.low), int(self.high))
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return self._fit(value)

    def near(self, value: Any, rng: random.Random, step: float, keep: float) -> Any:
        """A value drawn close to ``value``: a normal move of ``step`` times the range
        (on the log scale for LOG spaces), drawn again until it lands inside; a category
        is kept with probability ``keep``, else drawn afresh."""
        if self.kind == "CATEGORY":
            return value if rng.random() < keep else self.draw(rng)
        scale = math.log if self.log else float
        low, high, start = scale(self.low), scale(self.high), scale(value)
        # Inside the range at least half the moves land inside, so 32 tries nearly never run out.
        for _ in range(32):
            moved = rng.gauss(start, step * (high - low))
            if low <= moved <= high:
                break
        moved = min(max(moved, low), high)
        return self._fit(math.exp(moved) if self.log else moved)

    def _fit(self, value: float) -> Any:
        if self.kind == "INTEGER":
            return min(max(round(value), int(self.low)), int(self.high))
        return min(max(value, self.low), self.high)

    def probes(self) -> list[Any]:
        """Values that stand for the whole space when it is checked against a schema."""
        if self.kind == "CATEGORY":
            return list(self.categories)
        if self.kind == "INTEGER":
            return [int(self.low), int(self.high)]
        middle = math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2
        probes = [float(self.low), middle, float(self.high)]
        fraction = math.floor(self.low) + 0.5  # an int field must see a non-integral draw
        if self.low <= fraction <= self.high:
            probes.append(fraction)
        return probes


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _problem(key: str, expected: str, got: object, suggestion: str | None = None) -> Problem:
    # `key` is "param.setting"; the source names the parameter's space.
    name = key.rsplit(".", 1)[0] if key.rsplit(".", 1)[-1] in _KEYS else key
    return Problem(key=key, expected=expected, got=got, source=f"search space {name!r}",
                   suggestion=suggestion)


def _parse_one(name: str, raw: object, *, need_grid: bool) -> tuple[Space | None, list[Problem]]:
    if not isinstance(raw, Mapping):
        return None, [_problem(name, "a mapping with param_type and its settings", raw)]
    problems = [
        _problem(f"{name}.{key}", "one of " + ", ".join(_KEYS), raw[key], suggest(str(key), _KEYS))
        for key in raw
        if key not in _KEYS
    ]
    kind = raw.get("param_type")
    if kind is None:
        return None, [*problems, Problem(key=name, expected="param_type, one of FLOAT, INTEGER, CATEGORY",
                                          source=f"search space {name!r}", detail="param_type is missing")]
    if not isinstance(kind, str) or kind.upper() not in PARAM_TYPES:
        hint = suggest(kind.upper(), PARAM_TYPES) if isinstance(kind, str) else None
        return None, [*problems, _problem(f"{name}.param_type", "FLOAT, INTEGER or CATEGORY", kind, hint)]
    kind = kind.upper()
    if kind == "CATEGORY":
        categories = raw.get("categories")
        if isinstance(categories, str | bytes) or not isinstance(categories, Sequence) or not categories:
            problems.append(_problem(f"{name}.categories", "a non-empty list of choices", categories))
            return None, problems
        return (Space(name, kind, categories=tuple(categories)) if not problems else None), problems

    bounds = raw.get("param_range")
    if (
        isinstance(bounds, str | bytes)
        or not isinstance(bounds, Sequence)
        or len(bounds) != 2
        or not all(_number(b) for b in bounds)
    ):
        problems.append(_problem(f"{name}.param_range", "a pair of finite numbers (low, high)", bounds))
        return None, problems
    low, high = bounds
    if kind == "INTEGER" and not all(isinstance(b, int) for b in bounds):
        problems.append(_problem(f"{name}.param_range", "two integers for an INTEGER space", bounds))
    if not low < high:
        problems.append(_problem(f"{name}.param_range", "low < high", bounds))
    space_type = raw.get("space_type", "LINEAR")
    if not isinstance(space_type, str) or space_type.upper() not in SPACE_TYPES:
        hint = suggest(space_type.upper(), SPACE_TYPES) if isinstance(space_type, str) else None
        problems.append(_problem(f"{name}.space_type", "LINEAR or LOG", space_type, hint))
        space_type = "LINEAR"
    log = space_type.upper() == "LOG"
    if log and not (low > 0 and high > 0):
        problems.append(_problem(f"{name}.param_range", "positive bounds for a LOG space", bounds))
    if "base" in raw:
        # The base does not change a log-spaced grid (any base gives the same geometric
        # sequence); it is accepted for ato 2.x's spaces and only checked.
        base = raw["base"]
        if not _number(base) or base <= 0 or base == 1:
            problems.append(_problem(f"{name}.base", "a positive number other than 1", base))
    samples = raw.get("num_samples")
    if samples is None:
        if need_grid:
            problems.append(Problem(key=f"{name}.num_samples", expected="an integer >= 1",
                                    source=f"search space {name!r}",
                                    detail="num_samples is missing (a grid needs it)"))
    elif not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
        problems.append(_problem(f"{name}.num_samples", "an integer >= 1", samples))
    if problems:
        return None, problems
    return Space(name, kind, float(low), float(high), samples, log), []


def parse_spaces(search_spaces: object, *, need_grid: bool) -> list[Space]:
    """Read and check every space; raises one ConfigError listing every problem."""
    if not isinstance(search_spaces, Mapping) or not search_spaces:
        raise ConfigError(key="search_spaces", expected="a non-empty mapping of parameter -> space",
                          got=search_spaces)
    spaces: list[Space] = []
    problems: list[Problem] = []
    for name, raw in search_spaces.items():
        if not isinstance(name, str) or not name or any(not part for part in name.split(".")):
            problems.append(Problem(key=str(name), expected="a parameter name (dotted for nested keys)",
                                    got=name, source="search spaces"))
            continue
        space, found = _parse_one(name, raw, need_grid=need_grid)
        problems += found
        if space is not None:
            spaces.append(space)
    if problems:
        raise ConfigError(problems=problems)
    return spaces


def check_schema(spaces: Sequence[Space], schema: type[Any]) -> None:
    """Check every space against the schema's fields; one ConfigError lists all problems."""
    from ato.schema import FieldRef, check_value, lookup

    problems: list[Problem] = []
    for space in spaces:
        source = f"search space {space.name!r} ({space.kind})"
        ref = lookup(schema, space.name)
        if not isinstance(ref, FieldRef):
            problems.append(ref._replace(source=source))
            continue
        for value in space.probes():
            _, reason = check_value(ref, value)
            if reason is not None:
                # Bounds and categories are the user's own values; a probe inside a range
                # is not, so the message names the range that produces it.
                problem = Problem(key=space.name, expected=ref.type_str, source=source, detail=reason)
                if value in space.categories or value in (space.low, space.high):
                    problem = problem._replace(got=value)
                else:
                    drawn = f"the {space.kind} space [{space.low:g}, {space.high:g}] gives {value!r}"
                    problem = problem._replace(detail=f"{drawn}: {reason}")
                problems.append(problem)
                break
    if problems:
        raise ConfigError(problems=problems)


def grid_points(spaces: Sequence[Space]) -> list[dict[str, Any]]:
    """Every combination of the spaces' grids, in ato 2.x's order (last space fastest)."""
    names = [space.name for space in spaces]
    return [dict(zip(names, values, strict=True)) for values in product(*(s.grid() for s in spaces))]
