"""The command-line parser turns any text into a Command or a ConfigError, and values round-trip.

Invariants: (a) parse_argv never raises anything but ConfigError, for any argv; (b) the
same for parse_value and any text; (c) every literal value written with ``repr`` or with
``format_value`` reads back equal (type-strict, NaN-aware) through ``k=<text>``; (d) a
bare word that spells no literal is the str itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

import property_tests.strategies  # noqa: F401  (registers and loads the "ato" settings profile)
from ato import ConfigError
from ato.cli import Command, format_value, parse_argv, parse_value
from property_tests.strategies import TEXT_CHARS

# ------------------------------------------------------------------ strategies
# Characters that steer the parser: brackets, quotes, escapes, separators, number parts.
_SYNTAX = st.sampled_from(
    [*"[](){}'\"\\=:%.,-+_ \t\n0123456789eExXoObBjJ", "inf", "nan", "None", "set()", "\\N{", "'''"]
)
_ANY_CHAR = st.one_of(
    st.characters(),  # any code point outside the surrogates
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]),  # lone surrogates
    st.sampled_from(["\x00", "\ufeff", "\u2028", "\U0010ffff"]),
)
_fragments = st.lists(st.one_of(_SYNTAX, _ANY_CHAR), max_size=20).map("".join) | st.lists(
    _SYNTAX, max_size=30
).map("".join)
_keys = st.sampled_from(["k", "a.b", "x-y.0", "", "a..b", "--k", "k:", "é"])
_tokens = st.one_of(
    st.text(),
    _fragments,
    st.tuples(_keys, st.sampled_from(["=", ":=", "=%"]), _fragments).map("".join),
    st.sampled_from([
        "manual", "-h", "--help", "print", "explain", "view", "scope.view", "--lr", "0.1",
        "--completion", "--completion=zsh", "bash",
    ]),
)

_floats = st.floats(allow_nan=True, allow_infinity=True)
_strings = st.text(TEXT_CHARS)  # any text but lone surrogates
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), _floats, _strings)
literals: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.one_of(_strings, st.integers()), children, max_size=4),
    ),
    max_leaves=20,
)
"""Any value the command line can spell: scalars, lists, tuples, dicts with str/int keys."""

_hashables = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _strings)


def same(a: Any, b: Any) -> bool:
    """Type-strict deep equality that treats NaN as NaN and tells -0.0 from 0.0 (tuples and sets too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, set):
        return a == b and all(any(same(x, y) for y in b) for x in a)
    return bool(a == b)


def _outcome(function: Callable[[Any], Any], argument: Any) -> Any:
    """``function(argument)``, or the ConfigError it raised (any other exception propagates)."""
    try:
        return function(argument)
    except ConfigError as exc:
        return exc


def _read_back(text: str) -> Any:
    (assignment,) = parse_argv([f"k={text}"]).assignments
    return assignment.value


# ------------------------------------------------------------------ (a) and (b): total
@given(st.lists(_tokens, max_size=8))
@example(["x=" + "[" * 5000])
@example(["x=" + "[" * 2000 + "]" * 2000])
@example(["a=[1,", "2]", "--lr", "0.1", "print", "explain", "\ud800"])
@example(["'", "x", "=", ":="])
def test_parse_argv_is_total(argv: list[str]) -> None:
    """Any argv gives a Command or a ConfigError, never another exception."""
    result = _outcome(parse_argv, argv)
    if isinstance(result, ConfigError):
        assert result.problems
        assert all(p.source is not None and p.source.startswith("CLI ") for p in result.problems)
        assert str(result)  # the message renders
    else:
        assert isinstance(result, Command)
        assert len(result.assignments) + len(result.selections) + len(result.explain_keys) <= len(argv)


@given(st.lists(st.text(), max_size=6))
def test_parse_argv_is_total_on_plain_text(argv: list[str]) -> None:
    """Unstructured text too: Command or ConfigError."""
    assert isinstance(_outcome(parse_argv, argv), Command | ConfigError)


@given(st.one_of(st.text(), _fragments, st.text(_ANY_CHAR)))
@example("[" * 10_000)
@example("'\\N{" + "\ud800" + "}'")
@example("'\\N{\x00}'")
@example("9" * 10_000)
def test_parse_value_is_total(text: str) -> None:
    """Any text gives a value or a ConfigError; only text that starts like a literal can fail."""
    result = _outcome(parse_value, text)
    if isinstance(result, ConfigError):
        assert result.key is None
        stripped = text.strip(" \t\n\r\f\v")
        # A literal's opener, or a decimal int too long for Python to convert.
        assert stripped[:1] in ("[", "(", "{", "'", '"') or stripped.lstrip("+-").isdigit()


# ------------------------------------------------------------------ (c) round trips
@given(literals)
@example([math.nan, -0.0, math.inf, -math.inf])
@example({"a'b\"c": ("\\", "\x00\n\u2028", ()), 1: [(1,)]})
def test_repr_round_trips(value: Any) -> None:
    """repr(value) read through k=<text> is the value again."""
    assert same(_read_back(repr(value)), value)


@given(literals)
def test_format_value_round_trips(value: Any) -> None:
    """format_value(value) read through k=<text> is the value again."""
    text = format_value(value)
    assert same(_read_back(text), value)
    assert same(parse_value(text), value)


@given(st.sets(_hashables, max_size=5) | st.frozensets(_hashables, max_size=5).map(set))
def test_sets_round_trip(value: set[Any]) -> None:
    """Sets, the empty one included (set()), round-trip through format_value and repr."""
    assert same(_read_back(format_value(value)), value)
    assert same(_read_back(repr(value)), value)


# ------------------------------------------------------------------ (d) bare words
@given(st.from_regex(r"[A-Za-z0-9_]+", fullmatch=True))
@example("resnet50")
@example("inf_")
@example("nan0")
@example("1_0e1_0")
@example("0x_1f")
def test_bare_word_is_itself(word: str) -> None:
    """A word of letters, digits and '_' that spells no keyword or number is that str.

    Python's own ``int``/``float`` conversions are the oracle for "spells a number" (no
    compiler involved); a word they accept must read as that number instead.
    """
    if word in ("None", "True", "False"):
        return
    number = _python_number(word)
    if number is None:
        assert parse_value(word) == word
        assert type(_read_back(word)) is str
        assert _read_back(word) == word
    else:
        assert same(parse_value(word), number)


def _python_number(word: str) -> int | float | None:
    """What Python's int(..., 10), int(..., 0) or float(...) make of ``word``, if any accepts it."""
    converters: tuple[Any, ...] = (lambda w: int(w, 10), lambda w: int(w, 0), float)
    for convert in converters:
        try:
            number: int | float = convert(word)
        except ValueError:
            continue
        return number
    return None
