"""One entry of a Hydra defaults list, and where it lands: Hydra's path and package rules.

Written after the behaviour of Hydra's config and group entries (one class for both here)
for Hydra 1.3 with ``version_base`` >= 1.2, except that a ``# @package _group_``
header keeps Hydra 1.1's meaning (the group's own package) instead of naming a key
``_group_``: trees that still carry that Hydra 1.0 header mean the former.
"""

from __future__ import annotations

from ato.compose._repo import RawDefault
from ato.errors import ConfigError

__all__ = ["GLOBAL", "SELF", "Default"]

SELF = "_self_"
GLOBAL = "_global_"


class Default:
    """One defaults-list entry: a group option (``group`` set) or a config path (``path``)."""

    __slots__ = ("declared_in", "deleted", "external_append", "group", "optional", "override",
                 "package", "package_header", "parent_base_dir", "parent_package", "path",
                 "primary", "value")

    def __init__(self, *, group: str | None = None, path: str | None = None,
                 value: str | list[str] | None = None, package: str | None = None,
                 optional: bool = False, override: bool = False, primary: bool = False,
                 external_append: bool = False, declared_in: str = "") -> None:
        self.group, self.path, self.value = group, path, value
        self.package = "" if package == "_here_" else package
        self.optional, self.override, self.primary = optional, override, primary
        self.external_append, self.declared_in = external_append, declared_in
        self.parent_base_dir: str | None = None
        self.parent_package: str | None = None
        self.package_header: str | None = None
        self.deleted = False

    @classmethod
    def from_raw(cls, raw: RawDefault, declared_in: str) -> Default:
        return cls(group=raw.group, path=raw.path, value=raw.value, package=raw.package,
                   optional=raw.optional, override=raw.override, declared_in=declared_in)

    def is_self(self) -> bool:
        return (self.value if self.group is not None else self.path) == SELF

    def is_options(self) -> bool:
        return self.group is not None and isinstance(self.value, list)

    def name(self) -> str | None:
        if self.group is None:
            assert self.path is not None
            return self.path.rpartition("/")[2]
        return self.value if isinstance(self.value, str) else None

    def is_missing(self) -> bool:
        return self.name() == "???"

    def is_interpolation(self) -> bool:
        text = self.name() if self.group is not None else self.path
        return isinstance(text, str) and "${" in text

    def update_parent(self, base_dir: str, parent_package: str) -> None:
        self.parent_base_dir, self.parent_package = base_dir, parent_package
        if self.package is not None and "_group_" in self.package:
            self.package = f"{GLOBAL}." + self.package.replace("_group_", self.default_package())

    def _split(self) -> tuple[str, bool]:
        text = self.group if self.group is not None else self.path
        assert text is not None
        return (text[1:], True) if text.startswith("/") else (text, False)

    def relative_group_path(self) -> str:
        text, _ = self._split()
        return text if self.group is not None else text.rpartition("/")[0]

    def group_path(self) -> str:
        base = self.parent_base_dir or ""
        text, absolute = self._split()
        group = text if self.group is not None else text.rpartition("/")[0]
        if absolute or not base:
            return group
        return f"{base}/{group}" if group else base

    def config_path(self) -> str:
        if self.group is not None:
            return f"{self.group_path()}/{self.name()}"
        text, absolute = self._split()
        base = self.parent_base_dir or ""
        return text if absolute or not base else f"{base}/{text}"

    def default_package(self) -> str:
        return self.group_path().replace("/", ".")

    def set_header(self, header: str | None, file: str) -> None:
        if header is None or header == "_group_":
            # `_group_` is Hydra 1.0's spelling of "the group's package", which is where an
            # option goes without a header (Hydra with version_base="1.1" reads it so).
            return
        if "_name_" in header:
            raise ConfigError(
                detail="'# @package' with _name_ (Hydra 1.0) is not supported; write the package",
                got=header, source=file,
            )
        if header != GLOBAL and not header.startswith(f"{GLOBAL}."):
            header = f"{GLOBAL}.{header}"  # a header is always absolute
        self.package_header = header.replace("_group_", self.default_package())

    def final_package(self, default_to_header: bool = True) -> str:
        package = self.package
        if package is None and default_to_header:
            package = self.package_header
        if package is None:
            package = self.relative_group_path().replace("/", ".")
        parent = self.parent_package or ""
        full = package if not parent else (parent if not package else f"{parent}.{package}")
        cut = full.rfind(GLOBAL)
        return full if cut < 0 else full[cut + len(GLOBAL) + 1:]

    def override_key(self) -> str:
        key = self.group_path()
        final = self.final_package(default_to_header=False)
        if final != self.default_package():
            key = f"{key}@{final or GLOBAL}"
        return key

    def describe(self) -> str:
        if self.group is None:
            return repr(self.path)
        return f"'{self.group}: {self.value}'"
