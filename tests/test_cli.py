"""ato.cli: tokens to selections, assignments and modes; values read safely, never run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from ato import ConfigError
from ato.cli import Assignment, Command, format_value, parse_argv, parse_value
from ato.cli._literal import MAX_DEPTH


def _assigned(argv: list[str]) -> dict[str, Any]:
    """key -> value of the assignments of ``argv``."""
    return {a.key: a.value for a in parse_argv(argv).assignments}


def _value(text: str) -> Any:
    """The value of ``k=text`` as parse_argv reads it."""
    (assignment,) = parse_argv([f"k={text}"]).assignments
    return assignment.value


def _same(a: Any, b: Any) -> bool:
    """Equality strict about types (1 is not 1.0 nor True) and treating NaN as equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


# ------------------------------------------------------------------ the spec's examples
SPEC_EXAMPLES: list[tuple[list[str], tuple[str, ...], dict[str, Any]]] = [
    (["lr=0.01", "batch_size=64"], (), {"lr": 0.01, "batch_size": 64}),
    (
        ["model.backbone=%resnet101%", "model.depth=101"],
        (),
        {"model.backbone": "resnet101", "model.depth": 101},
    ),
    (["layers=[64,128,256,512]", "dropout=0.5"], (), {"layers": [64, 128, 256, 512], "dropout": 0.5}),
    (["my_config", "lr=0.001", "batch_size=128"], ("my_config",), {"lr": 0.001, "batch_size": 128}),
    (["dataset=%cifar10%", "computed_config"], ("computed_config",), {"dataset": "cifar10"}),
    (["high_lr", "long_training"], ("high_lr", "long_training"), {}),
]


@pytest.mark.parametrize(("argv", "selections", "values"), SPEC_EXAMPLES)
def test_spec_examples(argv: list[str], selections: tuple[str, ...], values: dict[str, Any]) -> None:
    """The command lines of the spec give the selections and values it describes."""
    command = parse_argv(argv)
    assert command.selections == selections
    assert command.mode == "run"
    assert _assigned(argv) == values
    assert all(_same(values[a.key], a.value) for a in command.assignments)


def test_assignment_records_token_text_and_form() -> None:
    """Each Assignment keeps key, value, the whole token, the value text and whether it was forced."""
    command = parse_argv(["optim.lr=3e-4", "name=%007%", "tag:=1e3", "model.lr=0.1"])
    assert command == Command(
        selections=(),
        assignments=(
            Assignment("optim.lr", 3e-4, "optim.lr=3e-4", "3e-4", forced_str=False),
            Assignment("name", "007", "name=%007%", "%007%", forced_str=True),
            Assignment("tag", "1e3", "tag:=1e3", "1e3", forced_str=True),
            Assignment("model.lr", 0.1, "model.lr=0.1", "0.1", forced_str=False),
        ),
    )


# ------------------------------------------------------------------ tokens and modes
TOKEN_TABLE: list[tuple[list[str], Command]] = [
    ([], Command((), ())),
    (["a", "scope.view", "b-c", "_x"], Command(("a", "scope.view", "b-c", "_x"), ())),
    (["manual"], Command((), (), "manual")),
    (["-h", "view"], Command(("view",), (), "manual")),
    (["--help", "manual", "-h"], Command((), (), "manual")),  # one mode, spelled thrice
    (["view", "print"], Command(("view",), (), "print")),
    (["--completion", "bash"], Command((), (), "completion", shell="bash")),
    (["view", "--completion=zsh"], Command(("view",), (), "completion", shell="zsh")),
    (["explain"], Command((), (), "explain")),
    (
        ["view", "explain", "lr", "optim.lr", "layers.0"],
        Command(("view",), (), "explain", ("lr", "optim.lr", "layers.0")),
    ),
    (
        ["explain", "lr", "lr=0.5", "model.x"],
        Command((), (Assignment("lr", 0.5, "lr=0.5", "0.5", False),), "explain", ("lr", "model.x")),
    ),
    (["a=b=c"], Command((), (Assignment("a", "b=c", "a=b=c", "b=c", False),))),  # split at the first '='
    (["a=x:=y"], Command((), (Assignment("a", "x:=y", "a=x:=y", "x:=y", False),))),  # '=' before ':='
    (["a:=b=c"], Command((), (Assignment("a", "b=c", "a:=b=c", "b=c", True),))),
    (["a:="], Command((), (Assignment("a", "", "a:=", "", True),))),
    (["a="], Command((), (Assignment("a", "", "a=", "", False),))),
    (["x-y.0.z_1=1"], Command((), (Assignment("x-y.0.z_1", 1, "x-y.0.z_1=1", "1", False),))),
]


@pytest.mark.parametrize(("argv", "expected"), TOKEN_TABLE)
def test_token_table(argv: list[str], expected: Command) -> None:
    """Bare names select, '=' and ':=' assign, mode words set the mode, explain takes keys."""
    assert parse_argv(argv) == expected


def test_argv_may_be_any_sequence() -> None:
    """A tuple works as well as a list."""
    assert parse_argv(("a", "b=1")).selections == ("a",)


# ------------------------------------------------------------------ values
VALUES: list[tuple[str, Any]] = [
    # keywords and bare words
    ("None", None), ("True", True), ("False", False),
    ("none", "none"), ("true", "true"), ("resnet50", "resnet50"), ("1e-3x", "1e-3x"),
    ("1.2.3", "1.2.3"), ("/data/x", "/data/x"), ("hello world", "hello world"), ("", ""),
    ("1j", "1j"), ("0x", "0x"), ("1__0", "1__0"), ("_1", "_1"), ("1_", "1_"), ("--5", "--5"),
    ("b'x'", "b'x'"), ("- 5", "- 5"), ("1, 2", "1, 2"), ("set", "set"), ("infinite", "infinite"),
    # ints
    ("0", 0), ("-5", -5), ("+5", 5), ("1_000_000", 1_000_000), ("0x_ff", 255), ("-0XFF", -255),
    ("0o17", 15), ("0b1010", 10), ("+0b1", 1), ("2" * 100, int("2" * 100)),
    ("007", 7), ("-00", 0),  # leading zeros: decimal, by choice
    # floats
    ("1.", 1.0), (".5", 0.5), ("-.5", -0.5), ("1e-3", 1e-3), ("1.5E+3", 1500.0), ("1_0.5e1_0", 10.5e10),
    ("3e-4", 3e-4), ("-0.0", -0.0), ("1e999", math.inf),
    ("inf", math.inf), ("-inf", -math.inf), ("+inf", math.inf), ("Infinity", math.inf),
    ("-INFINITY", -math.inf), ("nan", math.nan), ("NaN", math.nan), ("-nan", math.nan),
    # strings
    ("'a'", "a"), ('"b"', "b"), ("''", ""), ("'it\"s'", 'it"s'), ('"it\'s"', "it's"),
    ("'\\\\ \\' \\\" \\n \\r \\t \\b \\f \\v \\a \\0'", "\\ ' \" \n \r \t \b \f \v \a \0"),
    ("'\\101\\7\\0101'", "A\x07\x08" + "1"), ("'\\x41\\xe9'", "Aé"), ("'\\u00e9\\U0001F600'", "é😀"),
    ("'\\N{BULLET}\\N{latin small letter a}'", "•a"), ("'\\d\\w'", "\\d\\w"),
    ("'''a\nb'c'''", "a\nb'c"), ('"""x"""', "x"), ("'a\\\nb'", "ab"),
    ("'é漢\x00'", "é漢\x00"), ("%", "%"), ("%%", ""), ("%[1, 2%", "[1, 2"), ("%None%", "None"),
    # containers
    ("[]", []), ("[1, 'a', None]", [1, "a", None]), ("[ 1 ,\t2 ,\n]", [1, 2]), ("[[[]]]", [[[]]]),
    ("()", ()), ("( )", ()), ("(1,)", (1,)), ("(1)", 1), ("(1, 2)", (1, 2)), ("((1, 2),)", ((1, 2),)),
    ("{}", {}), ("{'a': 1, 2: [3], None: (4,), (1, 2): {}}", {"a": 1, 2: [3], None: (4,), (1, 2): {}}),
    ("{'a': 1, 'a': 2}", {"a": 2}), ("{1: 2,}", {1: 2}), ("{1, 2}", {1, 2}), ("{1,}", {1}),
    ("{(1, 'a'), 2.5, True}", {(1, "a"), 2.5, True}), ("set()", set()), ("set( )", set()),
    ("[inf, -inf, nan]", [math.inf, -math.inf, math.nan]), ("[set(), {0: set()}]", [set(), {0: set()}]),
    (" [1] ", [1]), (" 5 ", 5),  # blanks around a literal are ignored
    ("  ", "  "),  # ... but blanks alone are a bare word
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_values(text: str, expected: Any) -> None:
    """Every kind of value reads as the Python literal it spells, else as the str itself."""
    assert _same(parse_value(text), expected), parse_value(text)
    assert _same(_value(text), expected)


@pytest.mark.parametrize("text", ["%abc%", "%%", "%1%"])
def test_percent_form_is_forced(text: str) -> None:
    """%text% is flagged as a forced string."""
    (assignment,) = parse_argv([f"k={text}"]).assignments
    assert assignment.forced_str
    assert assignment.value == text[1:-1]


def test_nothing_is_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code-looking text is a plain string; no file appears."""
    monkeypatch.chdir(tmp_path)
    text = "__import__('os').system('touch PWNED')"
    command = parse_argv([f"x={text}", "y=open('PWNED', 'w')"])
    assert command.assignments[0].value == text
    assert command.assignments[1].value == "open('PWNED', 'w')"
    assert not (tmp_path / "PWNED").exists()
    with pytest.raises(ConfigError, match="malformed value"):
        parse_argv(["x=[__import__('os').system('touch PWNED')]"])
    assert not (tmp_path / "PWNED").exists()


def test_source_has_no_evaluator() -> None:
    """The cli package never reaches for Python's compiler."""
    import ato.cli

    forbidden = ("eval" + "(", "exec" + "(", "compile" + "(", "ast.", "import ast")
    for path in Path(ato.cli.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [word for word in forbidden if word in text], path


# ------------------------------------------------------------------ re-joining shell pieces
JOINED: list[tuple[list[str], str, Any]] = [
    (["layers=[64,", "128]"], "layers=[64, 128]", [64, 128]),
    (["layers=[64,", "128,", "256]"], "layers=[64, 128, 256]", [64, 128, 256]),
    (["d={'a':", "[1,", "(2,", "3)]}"], "d={'a': [1, (2, 3)]}", {"a": [1, (2, 3)]}),
    (["s='hello", "world'"], "s='hello world'", "hello world"),
    (["s='a]", "b'"], "s='a] b'", "a] b"),  # brackets inside quotes do not count
    (["s=['x", "]',", "1]"], "s=['x ]', 1]", ["x ]", 1]),
    (['s="a\\"', 'b"'], 's="a\\" b"', 'a" b'),  # an escaped quote does not close
    (["s='a\\", "b'"], "s='a\\ b'", "a\\ b"),  # a trailing backslash escapes the joining space
    (["s='''a", "b'''"], "s='''a b'''", "a b"),
    (["x= [1,", "2] "], "x= [1, 2] ", [1, 2]),  # blanks before a literal do not hide it
]


@pytest.mark.parametrize(("argv", "token", "value"), JOINED)
def test_rejoin(argv: list[str], token: str, value: Any) -> None:
    """Pieces split inside brackets or quotes become one token, joined by single spaces."""
    (assignment,) = parse_argv(argv).assignments
    assert assignment.token == token
    assert _same(assignment.value, value)


def test_rejoin_then_more_tokens() -> None:
    """Joining stops at balance; the following pieces are tokens of their own."""
    command = parse_argv(["a=[1,", "2]", "view", "b=(3,", ")"])
    assert command.selections == ("view",)
    assert _assigned(["a=[1,", "2]", "view", "b=(3,", ")"]) == {"a": [1, 2], "b": (3,)}


@pytest.mark.parametrize(
    "argv",
    [["msg=don't", "x"], ["name=%it's%", "x"], ["t:=[open", "x"], ["t:='a", "x"], ["path=/a(b", "x"]],
)
def test_no_rejoin_outside_literals(argv: list[str]) -> None:
    """Quotes and brackets that do not start a value, and the text of key:=text, are plain."""
    command = parse_argv(argv)
    assert command.selections == ("x",)
    assert command.assignments[0].token == argv[0]


@pytest.mark.parametrize(
    ("argv", "token", "opener"),
    [
        (["layers=[64,", "128"], "layers=[64, 128", "["),
        (["x=(1,"], "x=(1,", "("),
        (["x={'a':", "[1]"], "x={'a': [1]", "{"),
        (["x='abc", "def"], "x='abc def", "'"),
        (['x="abc'], 'x="abc', '"'),
        (["x=['a", "b"], "x=['a b", "'"),
    ],
)
def test_unclosed_is_an_error(argv: list[str], token: str, opener: str) -> None:
    """A value still open when argv ends is reported with the whole joined token."""
    with pytest.raises(ConfigError) as info:
        parse_argv(argv)
    (problem,) = info.value.problems
    assert problem.source == f"CLI token {token!r}"
    assert f"unclosed {opener!r}" in str(info.value)


# ------------------------------------------------------------------ malformed tokens
BAD_TOKENS: list[tuple[str, str]] = [
    ("a..b=1", "dotted key"), (".a=1", "dotted key"), ("a.=1", "dotted key"), ("=5", "dotted key"),
    ("a b=1", "dotted key"), ("a/b=1", "dotted key"), (":=x", "dotted key"),
    ("--lr", "neither a view name nor key=value"), ("-x", "neither a view name nor key=value"),
    ("a/b", "neither a view name nor key=value"), ("x y", "neither a view name nor key=value"),
    ("", "neither a view name nor key=value"), ("1view", "neither a view name nor key=value"),
    ("a..b", "neither a view name nor key=value"), ("é", "neither a view name nor key=value"),
    ("\x00", "neither a view name nor key=value"), ("\ud800", "neither a view name nor key=value"),
    ("x=[1, 2", "unclosed"), ("x=[1 2]", "malformed value"), ("x=[a*b]", "malformed value"),
    ("x='abc'd", "malformed value"), ("x={[1]: 2}", "malformed value"), ("x=(1,)(2,)", "malformed value"),
    ("x='\\xZZ'", "malformed value"), ("x='\\N{NO SUCH NAME}'", "malformed value"),
    ("x=" + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "deeper than 100"),
    ("x=" + "1" * 5000, "more digits"),  # Python refuses to convert it: an error, not a str
    ("x=[1, " + "1" * 5000 + "]", "more digits than Python converts (at character 5)"),
]


@pytest.mark.parametrize(("token", "message"), BAD_TOKENS)
def test_bad_token(token: str, message: str) -> None:
    """A malformed token is a ConfigError whose one problem names the token and says why."""
    with pytest.raises(ConfigError) as info:
        parse_argv([token])
    (problem,) = info.value.problems
    assert problem.source == f"CLI token {token!r}"
    assert message in str(info.value)


def test_malformed_value_names_key() -> None:
    """A malformed value's problem names the dotted key as well as the token."""
    with pytest.raises(ConfigError) as info:
        parse_argv(["optim.lr=[1,,2]"])
    assert info.value.key == "optim.lr"
    assert info.value.source == "CLI token 'optim.lr=[1,,2]'"


def test_deep_nesting_is_reported_not_a_recursion_error() -> None:
    """Nesting at the limit parses; far beyond it is one ConfigError (never RecursionError)."""
    assert parse_value("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    for text in ("[" * 100_000, "[" * 100_000 + "]" * 100_000, "(" * 50_000, "{'a':" * 50_000):
        with pytest.raises(ConfigError):
            parse_argv([f"x={text}"])


MEGABYTE = 1_000_000
HOSTILE: list[tuple[str, Any]] = [
    ("1e999999", math.inf),  # overflows to inf, as Python's float() does
    ("[1e999999]", [math.inf]),
    ("9**9**9", "9**9**9"),  # an expression is a bare word, never computed
    ("[9**9**9]", ConfigError),
    ("-" * 100_000 + "1", "-" * 100_000 + "1"),
    ("[" + "-" * 100_000 + "1]", ConfigError),
    ("a" * MEGABYTE, "a" * MEGABYTE),
    ("'" + "a" * MEGABYTE + "'", "a" * MEGABYTE),
    ("'" + "a" * MEGABYTE, ConfigError),  # a 1 MB string that is never closed
    ("0x" + "f" * 10_000, int("f" * 10_000, 16)),  # hex ints have no digit limit in Python
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE, ids=[repr(text)[:24] for text, _ in HOSTILE])
def test_hostile_values(text: str, expected: Any) -> None:
    """Huge numbers, expressions, long sign chains and 1 MB tokens give a value or a ConfigError."""
    if expected is ConfigError:
        with pytest.raises(ConfigError) as info:
            parse_argv([f"x={text}"])
        assert len(info.value.problems) == 1
    else:
        assert _same(_value(text), expected)


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["--lr", "0.01"], "'lr=0.01'"),
        (["--lr=0.01"], "'lr=0.01'"),
        (["-lr=0.01"], "'lr=0.01'"),
        (["--optim.lr", "3e-4"], "'optim.lr=3e-4'"),
        (["--verbose"], "'verbose=True'"),
        (["--verbose", "x=1"], "'verbose=True'"),
        (["--hepl"], "'--help'"),
        (["--complete", "bash"], "'--completion bash' or '--completion zsh'"),
    ],
)
def test_option_style_suggests_key_value(argv: list[str], suggestion: str) -> None:
    """--key value and --key=value are errors that suggest key=value; the value is not reported twice."""
    with pytest.raises(ConfigError) as info:
        parse_argv(argv)
    (problem,) = info.value.problems
    assert problem.suggestion == suggestion
    assert problem.source == f"CLI token {argv[0]!r}"
    assert f"did you mean {suggestion}?" in str(info.value)


def test_option_followed_by_a_view_name_keeps_it() -> None:
    """A following word that is a valid view name is still read (and so not reported)."""
    with pytest.raises(ConfigError) as info:
        parse_argv(["--model", "resnet", "2bad"])
    assert [p.source for p in info.value.problems] == ["CLI token '--model'", "CLI token '2bad'"]
    assert info.value.suggestion == "'model=resnet'"


def test_all_problems_reported_at_once() -> None:
    """Several bad tokens give one ConfigError listing every one of them, in argv order."""
    argv = ["good", "a..b=1", "x=[1,", "2]", "--lr", "0.1", "a/b", "y=(1 2)", "print", "manual", "z=[1"]
    with pytest.raises(ConfigError) as info:
        parse_argv(argv)
    sources = [p.source for p in info.value.problems]
    assert sources == [
        "CLI token 'a..b=1'", "CLI token '--lr'", "CLI token 'a/b'",
        "CLI token 'y=(1 2)'", "CLI token 'manual'", "CLI token 'z=[1'",
    ]
    message = str(info.value)
    assert message.startswith("6 configuration problems:")
    assert "y: malformed value" in message
    assert "'manual' conflicts with 'print'" in message


@pytest.mark.parametrize(("first", "second"), [
    ("print", "explain"), ("explain", "-h"), ("manual", "print"), ("manual", "--completion=bash"),
])
def test_two_modes_conflict(first: str, second: str) -> None:
    """Two different mode words are an error naming the second."""
    with pytest.raises(ConfigError, match="conflicts with") as info:
        parse_argv([first, second])
    assert info.value.source == f"CLI token {second!r}"


@pytest.mark.parametrize(("argv", "got"), [
    (["--completion"], None),
    (["--completion", "fish"], "fish"),
    (["--completion=bsh"], "bsh"),
    (["--completion", "x=1"], None),  # an assignment is no shell name, and stays a token of its own
])
def test_completion_needs_a_shell(argv: list[str], got: str | None) -> None:
    """--completion takes bash or zsh; anything else names the shells, with a did-you-mean."""
    with pytest.raises(ConfigError, match="expected a shell: bash or zsh") as info:
        parse_argv(argv)
    (problem,) = info.value.problems
    assert problem.key == "--completion"
    assert (problem.got if problem.has_got else None) == got
    assert problem.suggestion == ("'bash' or 'zsh'" if got == "bsh" else None)


def test_explain_key_must_be_a_key() -> None:
    """After explain, a word that is no dotted key is reported as such."""
    with pytest.raises(ConfigError, match="a key to explain") as info:
        parse_argv(["explain", "a/b"])
    assert info.value.got == "a/b"


@pytest.mark.parametrize("argv", ["a=1", b"a=1", ["a", 1], [None]])
def test_wrong_argument_types(argv: Any) -> None:
    """A single string, bytes or non-str items are a ConfigError, not a TypeError."""
    with pytest.raises(ConfigError):
        parse_argv(argv)


def test_parse_value_error_has_no_key() -> None:
    """parse_value alone leaves the key unset and names the token when given one."""
    with pytest.raises(ConfigError) as info:
        parse_value("[1", token="k=[1")
    assert info.value.key is None
    assert info.value.source == "CLI token 'k=[1'"
    with pytest.raises(ConfigError) as info:
        parse_value("[1")
    assert info.value.source is None


# ------------------------------------------------------------------ format_value
FORMATTED: list[tuple[Any, str]] = [
    (None, "None"), (True, "True"), (3, "3"), (-2.5, "-2.5"), (math.inf, "inf"), (-math.inf, "-inf"),
    (math.nan, "nan"), ("it's", '"it\'s"'), ([1, "a"], "[1, 'a']"), ((1,), "(1,)"), ((), "()"),
    ({"a": (1, 2)}, "{'a': (1, 2)}"), (set(), "set()"), ({1}, "{1}"), (frozenset({2}), "{2}"),
]


@pytest.mark.parametrize(("value", "text"), FORMATTED)
def test_format_value(value: Any, text: str) -> None:
    """format_value writes Python's literal spelling, which parse_value reads back."""
    assert format_value(value) == text
    assert _same(parse_value(text), value) or value == parse_value(text)


def test_format_value_huge_int_and_subclasses() -> None:
    """Ints too long for decimal conversion are written in hex; enum-like subclasses as plain literals."""
    import enum

    class Color(enum.IntEnum):
        RED = 1

    class Name(enum.StrEnum):
        A = "a"

    huge = 1 << 20_000
    assert parse_value(format_value(huge)) == huge
    assert format_value(Color.RED) == "1"
    assert format_value(Name.A) == "'a'"
    assert format_value(Path("x")) == repr(Path("x"))  # shown, not expected to read back
