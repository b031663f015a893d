"""The one error type of ato.

Every problem ato finds in a user's configuration is a :class:`Problem`: the dotted key
it concerns, what was expected, what was got, where it came from and, when a near-miss
name exists, a suggestion. A :class:`ConfigError` carries one or more problems so that a
single pass can report everything it found; its message is rendered by one formatter,
never at the raise site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["ConfigError", "ConfigKeyError", "Problem", "suggest"]

class _Unset:
    """Marks a Problem without a recorded value; pickles back to the same singleton."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"

    def __reduce__(self) -> str:
        return "_MISSING"


_MISSING: object = _Unset()


# A NamedTuple rather than a dataclass: `dataclasses` imports `inspect`, which would
# add milliseconds to the start-up of every program that imports ato.
class Problem(NamedTuple):
    """One thing wrong with a configuration.

    Attributes:
        key: Dotted path of the key concerned, or None for a whole file or token.
        expected: What was expected there (a type, a format, a set of names).
        got: The offending value itself; rendered with ``repr``. Absent when not applicable.
        source: Where the value came from: a file (with line), a CLI token, a view.
        suggestion: A near-miss name or a fix the user can apply.
        detail: Free text for problems that are not "expected X, got Y" (a parse error).
    """

    key: str | None = None
    expected: str | None = None
    got: object = _MISSING
    source: str | None = None
    suggestion: str | None = None
    detail: str | None = None

    @property
    def has_got(self) -> bool:
        """Whether a value was recorded (``None`` is a legitimate value to report)."""
        return self.got is not _MISSING

    def render(self) -> str:
        """Render as ``key: expected X, got Y (from S)`` plus a did-you-mean line."""
        parts: list[str] = []
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        elif self.detail is not None:
            parts.append(self.detail)
        if self.has_got:
            parts.append(f"got {_show(self.got)}")
        if self.expected is not None and self.detail is not None:
            parts.append(self.detail)
        text = ", ".join(parts) if parts else "invalid"
        if self.key is not None:
            text = f"{self.key}: {text}"
        if self.source is not None:
            text += f" (from {self.source})"
        if self.suggestion is not None:
            text += f"\n    did you mean {self.suggestion}?"
        return text


def _show(value: object) -> str:
    text = repr(value)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{text} ({type(value).__name__})" if not isinstance(value, str) else text


class ConfigError(ValueError):
    """A configuration is wrong; the message names key, expected, got, source, suggestion.

    Build it from keyword fields for a single problem, or from a sequence of
    :class:`Problem` to report several at once::

        ConfigError(key="lr", expected="float", got="fast", source="CLI token 'lr=fast'")
        ConfigError(problems=[p1, p2])
    """

    problems: tuple[Problem, ...]

    def __init__(
        self,
        detail: str | None = None,
        *,
        key: str | None = None,
        expected: str | None = None,
        got: object = _MISSING,
        source: str | None = None,
        suggestion: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        collected = tuple(problems)
        if not collected or any(
            v is not None for v in (detail, key, expected, source, suggestion)
        ) or got is not _MISSING:
            single = Problem(key, expected, got, source, suggestion, detail)
            collected = (single, *collected)
        self.problems = collected
        super().__init__(self.render())

    def render(self) -> str:
        """The full message: one problem per line, numbered when there are several."""
        if len(self.problems) == 1:
            return self.problems[0].render()
        lines = [f"{len(self.problems)} configuration problems:"]
        lines += [f"  {i}. {p.render()}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only construction would otherwise be lost by pickling (multiprocessing).
        return (_rebuild, (type(self), self.problems))

    @property
    def key(self) -> str | None:
        """The key of the first problem."""
        return self.problems[0].key

    @property
    def expected(self) -> str | None:
        """What the first problem expected."""
        return self.problems[0].expected

    @property
    def got(self) -> object:
        """The value the first problem got (``None`` if none was recorded)."""
        got = self.problems[0].got
        return None if got is _MISSING else got

    @property
    def source(self) -> str | None:
        """Where the first problem's value came from."""
        return self.problems[0].source

    @property
    def suggestion(self) -> str | None:
        """The first problem's suggestion."""
        return self.problems[0].suggestion


class ConfigKeyError(ConfigError, AttributeError):
    """A missing key read as an attribute; also an AttributeError so ``hasattr`` works."""


def _rebuild(cls: type[ConfigError], problems: tuple[Problem, ...]) -> ConfigError:
    return cls(problems=problems)


def suggest(name: str, candidates: Iterable[object]) -> str | None:
    """Return ``'x'`` or ``'x' or 'y'`` for the closest candidates to ``name``, if any."""
    names = [c for c in candidates if isinstance(c, str)]
    import difflib  # only on the error path

    close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
    if not close:
        return None
    return " or ".join(repr(c) for c in close)
