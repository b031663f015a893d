"""ADict's file and composition methods: a façade over ``ato.formats`` and ``ato.compose``.

Both layers sit below ``adict`` in the import order and pull in codecs, so they are only
imported inside these methods: ``import ato.adict`` stays standard-library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self, cast

from ato.adict._auto import base_class

if TYPE_CHECKING:
    from os import PathLike

    from ato.adict._adict import ADict

__all__ = ["FilesMixin"]


def _writable(node: object, what: str) -> ADict:
    adict = cast("ADict", node)
    adict._check_writable(what)
    return adict


class FilesMixin:
    """Reading, writing and composing config files (ADict is the only class that mixes this in)."""

    __slots__ = ()

    def json(self, **kwargs: Any) -> str:
        """The tree as a JSON string, rich values written as files hold them (a Path as
        its text, a secret masked; see ``ato.formats``)."""
        import json

        from ato.formats import to_plain

        # What has no plain form goes on as it is, so json.dumps's own `default=` decides.
        return json.dumps(to_plain(cast("ADict", self), fallback=lambda value: value), **kwargs)

    def to_xyz(self, format_dict: Mapping[str, str] | None = None) -> str:
        """The tree in the indented ``.xyz`` text format."""
        from ato.formats import xyz_dumps

        return xyz_dumps(cast("ADict", self), format_dict)

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> Self:
        """Read a .json, .yaml/.yml, .toml, .xyz or .py config file.

        Raises:
            FileNotFoundError: the file does not exist.
            ConfigError: the extension is unknown, or the file is malformed (file and line).
        """
        from ato.formats import load_file

        return cls(load_file(path))  # type: ignore[call-arg]  # cls is an ADict class

    def load(self, path: str | PathLike[str]) -> Self:
        """Deep-merge a config file into this ADict; returns self."""
        from ato.formats import load_file

        _writable(self, "<load>").update(load_file(path), recurrent=True)
        return self

    def dump(self, path: str | PathLike[str], **options: Any) -> None:
        """Write the tree to ``path`` (format by extension), atomically.

        Raises:
            ConfigError: the extension is unknown or the format cannot hold a value
                (e.g. None in TOML); nothing is written then.
        """
        from ato.formats import dump_file

        dump_file(cast("ADict", self), path, **options)

    @classmethod
    def compose_hierarchy(
        cls,
        root: str | PathLike[str],
        config_filename: str = "config",
        select: Mapping[str, str | Iterable[str]] | None = None,
        overrides: Mapping[str, Any] | None = None,
        required: Iterable[str] | None = None,
        on_missing: str = "error",
        schema: type | None = None,
    ) -> Self:
        """Compose a Hydra-style config tree (see ``ato.compose.compose_hierarchy``)."""
        from ato.compose import compose_hierarchy

        return cast(Self, compose_hierarchy(
            root, config_filename, select=select, overrides=overrides, required=required,
            on_missing=on_missing, schema=schema, cls=base_class(cast("type[ADict]", cls)),
        ))

    @classmethod
    def from_mm_config(cls, path: str | PathLike[str]) -> Self:
        """Load an OpenMMLab config (``_base_`` chains, ``_delete_``) as mmengine does."""
        from ato.compose import load_mm_config

        return cast(Self, load_mm_config(path, cls=base_class(cast("type[ADict]", cls))))

    def load_mm_config(self, path: str | PathLike[str]) -> Self:
        """Merge an OpenMMLab config into this ADict (its top-level keys replace ours)."""
        target = _writable(self, "<load_mm_config>")  # before the file runs
        target.update(cast("ADict", self.from_mm_config(path)))
        return self

    def resolve(self) -> Self:
        """Replace ``${a.b}`` interpolations in place by the values they point at; returns self.

        Raises:
            ConfigError: a reference to a missing key, a cycle, or a ``???`` left unset.
        """
        from ato.compose import resolve

        resolve(_writable(self, "<resolve>"))
        return self
