"""Safe parsing of command-line values: a Python-literal subset read by hand, never compiled.

Contract of :func:`parse_value` (the VALUE of ``key=VALUE``):

* ``%text%`` (at least two characters) is the string ``text``, whatever it spells.
* A value whose first non-blank character is ``[``, ``(``, ``{``, ``'`` or ``"`` must be
  exactly one literal, else :class:`~ato.errors.ConfigError` ("malformed value ...").
* Any other value is a literal when it spells one completely (``None`` or ``null``,
  ``True``, ``False``, an int, a float including ``inf``/``nan``, ``set()``); otherwise
  it is a bare word and comes back as the unchanged str (``resnet50``, ``1.2.3``,
  ``hello world``).
* Inside a container, a word that is no literal but looks like a name or a path is that
  string (``[a, b]`` is ``['a', 'b']``); other unquoted text there is malformed.
  The empty text is the empty string.
* Only :class:`ConfigError` is raised, for any text; nesting deeper than
  :data:`MAX_DEPTH` is reported rather than exhausting the stack.

The literal subset: None/True/False; ints (decimal with optional sign and Python's
underscores, ``0x``/``0o``/``0b``); floats (``1.``, ``.5``, ``1e-3``, ``inf``, ``nan``,
``infinity``, any case); strings in single, double or triple quotes with every escape
Python knows; lists, tuples, dicts, sets, ``set()``; blanks anywhere inside containers
and trailing commas. Nothing here hands command-line text to Python's compiler: the
parser below is a small recursive descent over the characters.

:func:`format_value` is the inverse used for display and round trips.

Why this parser is written by hand (issue 11, point 6; measured on CPython 3.11, 2 cores).
A reader built on the standard library's ``ast`` parser (``mode="eval"``, then a whitelist
of node types) was written to this same grammar. It was smaller (230 lines against 377),
passed every value test here, and gave a value or a ConfigError for each of 20 hostile
inputs (100,000 ``[``, ``1e999999``, ``9**9**9``, 100,000 ``-`` signs, 1 MB tokens). It
still lost, for these measured reasons:

* Memory. Reading a 1 MB list of ints peaked at 465 MB, against 5 MB here; a 128 KiB list
  (the longest single argument Linux passes) still took 61 MB.
* MemoryError. CPython's parser reports a long chain of signs as MemoryError, so the
  reader had to catch MemoryError. It then called a valid 10 MB list "malformed" when
  memory was capped at 1 GiB; this parser read that list in 41 MB.
* The interpreter's lexer shows through. Keeping ``'\\d'`` quiet needs
  ``warnings.catch_warnings``, which changes process-wide state and is not thread-safe.
  Zero-padded ints inside containers are refused, and a CR inside a triple-quoted string
  becomes LF. In all, 5 of 81 hand-picked edge cases read differently (none of 20,000
  fuzzed texts did). These rules also move with the Python version (3.12 turned that
  escape warning into a SyntaxWarning).
* ``tests/test_safety.py`` allows the ``ast`` parser only in the ``.py`` config loader.

Speed decided nothing: on 20 realistic tokens the median was 4 us per token here and
10 us with ``ast``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any, NoReturn

from ato.errors import ConfigError

__all__ = ["MAX_DEPTH", "format_value", "parse_value"]

MAX_DEPTH = 100
"""Containers nested deeper than this are an error (the parser recurses once per level)."""

_BLANKS = " \t\n\r\f\v"
_OPENERS = ("[", "(", "{", "'", '"')
# Inside a literal a word (number or keyword) runs until one of these.
_WORD_ENDS = frozenset(_BLANKS + "[](){},:'\"")
# `null` too: YAML and JSON users write it, and the string 'null' is never what they mean
# (`%null%` still gives that string).
_KEYWORDS: dict[str, Any] = {"None": None, "null": None, "True": True, "False": False}
# A word inside a container that spells no literal is a string when it looks like a name
# or a path (`[conv, relu]`, `[./a.txt, ~/b]`), as in Hydra's grammar; anything else there
# (`[9**9**9]`, `[--1]`) is still malformed rather than guessed at.
_CONTAINER_WORD = r"[A-Za-z_./~][\w./~:@+-]*"

# Number grammar of the Python reference, with one deliberate difference: decimal ints may
# have leading zeros ("007" is 7). Users type zero-padded numbers; Python rejects them only
# to avoid confusion with Python 2 octals, which is no concern on a command line.
_DIGITS = r"[0-9](?:_?[0-9])*"
_EXPONENT = rf"[eE][+-]?{_DIGITS}"
_DECIMAL = rf"[+-]?{_DIGITS}"
_PREFIXED = r"[+-]?0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)"
_FLOAT = (
    rf"[+-]?(?:(?:{_DIGITS})?\.{_DIGITS}(?:{_EXPONENT})?"
    rf"|{_DIGITS}\.(?:{_EXPONENT})?|{_DIGITS}{_EXPONENT})"
)
# repr(float("inf")) is "inf": these words must read back as floats for round trips.
_SPECIAL_FLOAT = r"(?i)[+-]?(?:inf|infinity|nan)"
_BASES = {"x": 16, "o": 8, "b": 2}

_SIMPLE_ESCAPES = {
    "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
    "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\n": "",  # backslash-newline continues a line
}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


class _Malformed(Exception):
    """Internal: the text is not one literal (reason and character offset)."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


class _TooLong(_Malformed):
    """Internal: a well-formed number Python refuses to convert; an error even for a bare word."""


class _NotScalar(Exception):
    """Internal: a word that spells no keyword or number."""


def parse_value(text: str, *, token: str | None = None) -> Any:
    """Parse the value text of one assignment (see the module docstring for the grammar).

    Args:
        text: The text after ``=``.
        token: The whole command-line token, named as the error's source when given.

    Raises:
        ConfigError: ``text`` starts like a literal but is not one. Its key is None: the
            caller knows the key and fills it in.
    """
    if len(text) >= 2 and text[0] == "%" == text[-1]:
        return text[1:-1]
    stripped = text.strip(_BLANKS)
    must_parse = stripped.startswith(_OPENERS)
    try:
        return _Parser(stripped).whole()
    except _Malformed as exc:
        if must_parse or isinstance(exc, _TooLong):
            raise ConfigError(
                detail=f"malformed value {_clip(stripped)}: {exc.reason} (at character {exc.pos + 1}); "
                "write %text% for a plain string",
                source=None if token is None else f"CLI token {token!r}",
            ) from None
        return text  # a bare word: the text itself, blanks and all


def format_value(value: object) -> str:
    """Text that :func:`parse_value` reads back as an equal value (Python's ``repr`` style).

    Exact for None, bool, int, float (``inf``/``-inf``/``nan`` included), str, and lists,
    tuples, dicts (any mapping) and sets (``set()`` when empty) of those. Any other object
    is shown with ``repr`` and is not expected to read back.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    # The base-class reprs keep int/str/float subclasses (enums) in literal form.
    if isinstance(value, int):
        try:
            return int.__repr__(value)
        except ValueError:  # more decimal digits than sys.get_int_max_str_digits() allows
            return hex(value)
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{format_value(k)}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({format_value(value[0])},)"
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    if isinstance(value, AbstractSet):
        if not value:
            return "set()"
        return "{" + ", ".join(format_value(v) for v in value) + "}"
    return repr(value)


def _clip(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _scalar(word: str) -> Any:
    """The keyword or number ``word`` spells completely, else :class:`_NotScalar`."""
    if word in _KEYWORDS:
        return _KEYWORDS[word]
    if re.fullmatch(_DECIMAL, word):
        try:
            return int(word.replace("_", ""), 10)
        except ValueError:  # Python's guard against quadratic conversion of huge numbers
            raise _TooLong("the integer has more digits than Python converts", 0) from None
    if re.fullmatch(_PREFIXED, word):
        sign = -1 if word[0] == "-" else 1
        body = word.lstrip("+-")
        return sign * int(body[2:].replace("_", ""), _BASES[body[1].lower()])
    if re.fullmatch(_FLOAT, word) or re.fullmatch(_SPECIAL_FLOAT, word):
        return float(word.replace("_", ""))
    raise _NotScalar(word)


class _Parser:
    """Recursive descent over one literal; every method leaves ``pos`` after what it read."""

    __slots__ = ("depth", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def fail(self, reason: str, pos: int | None = None) -> NoReturn:
        raise _Malformed(reason, self.pos if pos is None else pos)

    def fail_inside(self, opened: int, reason: str) -> NoReturn:
        """Fail with ``reason`` inside the container opened at ``opened``, or say it is unclosed."""
        if self.pos >= len(self.text):
            self.fail(f"{self.text[opened]!r} is never closed", opened)
        self.fail(reason)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _BLANKS:
            self.pos += 1

    def accept(self, char: str) -> bool:
        """Consume ``char`` if it is next."""
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def whole(self) -> Any:
        value = self.value()
        self.skip_blanks()
        if self.pos < len(self.text):
            self.fail(f"unexpected {self.text[self.pos]!r} after the value")
        return value

    def value(self) -> Any:
        self.skip_blanks()
        if self.pos >= len(self.text):
            self.fail("the value ends where a value was expected")
        char = self.text[self.pos]
        if char in "'\"":
            return self.string()
        if char in "[({":
            if self.depth >= MAX_DEPTH:
                self.fail(f"containers nest deeper than {MAX_DEPTH} levels")
            self.depth += 1
            self.pos += 1
            result = self.list_() if char == "[" else self.tuple_() if char == "(" else self.brace()
            self.depth -= 1
            return result
        if char in _WORD_ENDS:
            self.fail(f"unexpected {char!r}")
        return self.word()

    def word(self) -> Any:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _WORD_ENDS:
            self.pos += 1
        word = self.text[start : self.pos]
        if word == "set":  # set() is the only way to write an empty set
            self.skip_blanks()
            if self.accept("("):
                self.skip_blanks()
                if self.accept(")"):
                    return set()
            self.fail("'set' may only appear as set()", start)
        try:
            return _scalar(word)
        except _NotScalar:
            if self.depth > 0 and re.fullmatch(_CONTAINER_WORD, word):
                return word
            self.fail(f"{_clip(word, 30)} is not a literal (quote strings inside containers)", start)
        except _TooLong as exc:
            raise _TooLong(exc.reason, start) from None

    def items(self, opened: int, close: str, item: Callable[[], Any]) -> tuple[list[Any], bool]:
        """Items up to ``close`` (consumed), and whether a comma was seen; ``opened``: the opener's offset."""
        out: list[Any] = []
        comma = False
        self.skip_blanks()
        while not self.accept(close):
            if self.pos >= len(self.text):
                self.fail_inside(opened, "")
            out.append(item())
            self.skip_blanks()
            if self.accept(","):
                comma = True
                self.skip_blanks()
            elif not self.text.startswith(close, self.pos):
                self.fail_inside(opened, f"expected ',' or {close!r}")
        return out, comma

    def list_(self) -> list[Any]:
        return self.items(self.pos - 1, "]", self.value)[0]

    def tuple_(self) -> Any:
        items, comma = self.items(self.pos - 1, ")", self.value)
        # (x) is x in parentheses, as in Python; (x,) and () are tuples.
        return items[0] if len(items) == 1 and not comma else tuple(items)

    def brace(self) -> dict[Any, Any] | set[Any]:
        opened = self.pos - 1
        self.skip_blanks()
        if self.accept("}"):
            return {}  # {} is a dict, as in Python
        first_pos = self.pos
        first = self.value()
        self.skip_blanks()
        if self.accept(":"):
            pairs = [(first_pos, first, self.value())]
            self.skip_blanks()
            if self.accept(","):
                pairs += self.items(opened, "}", self.pair)[0]
            elif not self.accept("}"):
                self.fail_inside(opened, "expected ',' or '}'")
            out: dict[Any, Any] = {}
            for pos, key, value in pairs:
                self.check_hashable(key, pos)
                out[key] = value
            return out
        members = [(first_pos, first)]
        if self.accept(","):
            members += self.items(opened, "}", self.member)[0]
        elif not self.accept("}"):
            self.fail_inside(opened, "expected ',', ':' or '}'")
        for pos, member in members:
            self.check_hashable(member, pos)
        return {member for _, member in members}

    def pair(self) -> tuple[int, Any, Any]:
        pos = self.pos
        key = self.value()
        self.skip_blanks()
        if not self.accept(":"):
            self.fail("expected ':' after a dict key")
        return pos, key, self.value()

    def member(self) -> tuple[int, Any]:
        self.skip_blanks()
        return self.pos, self.value()

    def check_hashable(self, value: Any, pos: int) -> None:
        try:
            hash(value)
        except TypeError:
            self.fail(f"a {type(value).__name__} cannot be a dict key or set member", pos)

    def string(self) -> str:
        start = self.pos
        quote = self.text[start]
        end = quote * 3 if self.text.startswith(quote * 3, start) else quote
        self.pos += len(end)
        parts: list[str] = []
        while True:
            if self.pos >= len(self.text):
                self.fail("the string is never closed", start)
            if self.text.startswith(end, self.pos):
                self.pos += len(end)
                return "".join(parts)
            char = self.text[self.pos]
            if char == "\\":
                parts.append(self.escape())
            elif char in "\r\n" and len(end) == 1:
                self.fail("a line break inside a quoted string (write \\n)")
            else:
                parts.append(char)
                self.pos += 1

    def escape(self) -> str:
        """Read one backslash escape; unknown escapes keep the backslash, as Python does."""
        start = self.pos
        self.pos += 1
        if self.pos >= len(self.text):
            self.fail("the string is never closed", start)
        char = self.text[self.pos]
        self.pos += 1
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char in _OCTAL:
            digits = char
            while len(digits) < 3 and self.pos < len(self.text) and self.text[self.pos] in _OCTAL:
                digits += self.text[self.pos]
                self.pos += 1
            return chr(int(digits, 8))
        if char in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[char]
            digits = self.text[self.pos : self.pos + size]
            if len(digits) < size or not _HEX.issuperset(digits):
                self.fail(f"\\{char} needs {size} hex digits", start)
            self.pos += size
            code = int(digits, 16)
            if code > 0x10FFFF:
                self.fail("the escape is beyond the last Unicode code point", start)
            return chr(code)
        if char == "N":
            close = self.text.find("}", self.pos)
            if not self.accept("{") or close < 0:
                self.fail("\\N needs a name in braces: \\N{NAME}", start)
            name = self.text[self.pos : close]
            self.pos = close + 1
            try:
                import unicodedata  # a C extension: loaded for \N{...} escapes only

                found = unicodedata.lookup(name)
            except (KeyError, ValueError):  # unknown name; names with unencodable characters
                self.fail(f"unknown Unicode character name {_clip(name, 40)}", start)
            if len(found) != 1:  # a named sequence, which Python's \N{} refuses too
                self.fail(f"{_clip(name, 40)} names a sequence, not a character", start)
            return found
        return "\\" + char
