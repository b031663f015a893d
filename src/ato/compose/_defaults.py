"""Hydra 1.3's defaults list: which configs are merged, in which order, at which package.

It follows the rules Hydra applies when it builds its defaults list (written anew here)
for file trees, so that a tree composes here as ``hydra.compose`` composes it:

* every config may have a ``defaults`` list; ``_self_`` (the config's own content) goes
  where it is listed, else last when the list is not empty (Hydra >= 1.1);
* entries are processed depth first, siblings in reverse order, which is what lets an
  ``override`` written in a later sibling (an experiment config) change an earlier one;
  the first registration of an override key wins, and ``select`` registers first;
* packages: an explicit ``group@pkg``, else the option's ``# @package`` header (always
  absolute), else the group path relative to the declaring config, under the declaring
  config's package; ``_global_`` restarts at the top, ``_here_`` is the parent's package;
* ``optional`` entries may be missing; ``null`` options are skipped; ``???`` must be
  selected; ``${...}`` options are resolved from the choices made, after their siblings.

Entries for Hydra's own runtime groups (``hydra/...``) are dropped: they configure the
``hydra`` node, which ``hydra.compose`` leaves out of the result as well.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ato.compose._entries import SELF, Default
from ato.compose._repo import ConfigFileNotFoundError, Loaded, Repo
from ato.errors import ConfigError

__all__ = ["Missing", "Result", "build"]


class _Node:
    __slots__ = ("children", "default", "parent")

    def __init__(self, default: Default, parent: _Node | None = None) -> None:
        self.default = default
        self.parent = parent
        self.children: list[Default | _Node] | None = None


class Result(NamedTuple):
    """One config to merge, in order: its path, package and whether it is the primary."""

    config_path: str
    package: str
    primary: bool
    override_key: str | None


class Missing(NamedTuple):
    """A config that does not exist, noted instead of raised (``on_missing='warn'``)."""

    message: str
    tried: tuple[str, ...]


class _Meta:
    __slots__ = ("declared_in", "external", "used")

    def __init__(self, external: bool, declared_in: str = "") -> None:
        self.external, self.declared_in, self.used = external, declared_in, False


class _Choices:
    """Hydra's ``Overrides``: chosen options by override key, and what was seen."""

    def __init__(self, chosen: dict[str, Any], deletions: set[str], appends: list[Default]) -> None:
        self.chosen: dict[str, Any] = dict(chosen)
        self.meta = {key: _Meta(external=True) for key in chosen}
        self.deletions = dict.fromkeys(deletions, False)
        self.appends = appends
        self.known: dict[str, str | None] = {}

    def register(self, declared_in: str, d: Default) -> None:
        key = d.override_key()
        if key not in self.chosen:  # the first registration wins, select's first of all
            self.chosen[key] = d.value
            self.meta[key] = _Meta(external=False, declared_in=declared_in)

    def apply(self, d: Default) -> None:
        if d.group is not None and (key := d.override_key()) in self.chosen:
            d.value = self.chosen[key]
            if not d.external_append:  # a select appended to the list matches itself only
                self.meta[key].used = True

    def see(self, d: Default) -> None:
        if d.group is None:
            return
        key, name = d.override_key(), d.name()
        previous = self.known.setdefault(key, name)
        if previous != name:
            raise ConfigError(
                key=key, got=name, source=d.declared_in,
                detail=f"a second option for the group (first {previous!r}); "
                f"to replace it write 'override {key}: {name}' in a defaults list",
            )

    def is_deleted(self, d: Default) -> bool:
        if d.group is None or (key := d.override_key()) not in self.deletions:
            return False
        self.deletions[key] = True
        return True


class _Builder:
    def __init__(self, repo: Repo, choices: _Choices, strict: bool, on_missing: str) -> None:
        self.repo, self.choices, self.strict, self.on_missing = repo, choices, strict, on_missing
        self.missing: list[Missing] = []
        self.tolerated = False  # a probe pass skipped something a strict pass would not

    def load(self, d: Default) -> Loaded | None:
        return self.repo.load(d.config_path())

    def not_found(self, d: Default, declared_in: str) -> None:
        """A config that should exist does not: raise, or note it and go on."""
        path = d.config_path()
        tried = self.repo.tried(path)
        hints = []
        if d.primary:
            what = f"the primary config {path!r}"
        elif d.group is not None:
            what = f"option {d.name()!r} of group {d.group_path()!r} (from {declared_in})"
            options = self.repo.options(d.group_path())
            if options:
                hints.append(f"the group has {', '.join(options)}")
        else:
            what = f"config {path!r} (from {declared_in})"
            hints.append("ato reads files only: a Hydra structured config (ConfigStore) "
                         "cannot be composed")
        twin = self.repo.python_twin(path)
        if twin:
            hints.append(f"{twin} exists, but composition never reads Python options")
        text = f"{what} not found; tried {', '.join(tried)}" + "".join(f"; {h}" for h in hints)
        if not self.strict:
            self.tolerated = True
        elif self.on_missing == "warn":
            self.missing.append(Missing(text, tuple(tried)))
        else:
            raise ConfigFileNotFoundError(detail=text, filename=tried[0])

    def tree(self, root: _Node, is_root: bool, interpolated: bool) -> _Node:
        parent = root.default
        if is_root:
            parent.update_parent("", "")
        # The header first: it decides the package, hence the override key, of the entry.
        loaded = None
        if parent.name() is not None and not parent.is_missing():
            loaded = self.load(parent)
            if loaded is not None:
                parent.set_header(loaded.package, loaded.file)
        if self.choices.is_deleted(parent):
            parent.deleted = True
            return root
        self.choices.see(parent)
        if parent.name() is None:
            return root
        if parent.is_missing():
            return self._unselected(root)
        if loaded is None:
            parent.deleted = True
            if not parent.optional:
                self.not_found(parent, parent.declared_in)
            if not (is_root and self.choices.appends):
                return root
        file = loaded.file if loaded is not None else self.repo.tried(parent.config_path())[0]
        raws = loaded.defaults if loaded is not None else None
        defaults = [Default.from_raw(raw, file) for raw in raws or ()]
        if defaults or (is_root and self.choices.appends):
            _validate_self(defaults, file)
        if is_root:
            defaults.extend(self.choices.appends)
        defaults = self._register(defaults, parent, interpolated, file)
        children: list[Default | _Node] = []
        for d in reversed(defaults):
            if d.is_self():
                children.append(d)
                continue
            if d.override:
                continue
            self.choices.apply(d)
            if d.is_options():
                assert isinstance(d.value, list)
                assert d.group is not None
                for item in reversed(d.value):
                    if "${" in item:
                        raise ConfigError(detail="an interpolation inside a list of options is not "
                                          "supported (as in Hydra)", got=item, source=d.declared_in)
                    node = Default(path=f"{d.group}/{item}", package=d.package, optional=d.optional,
                                   declared_in=d.declared_in)
                    node.update_parent(parent.group_path(), parent.final_package())
                    self._add(children, _Node(node, root), interpolated)
            elif d.is_interpolation():
                children.append(d)
            else:
                self._add(children, _Node(d, root), interpolated)
        for index, child in enumerate(children):
            if isinstance(child, Default) and child.is_interpolation():
                self._resolve_name(child)
                sub = self.tree(_Node(child, root), is_root=False, interpolated=True)
                if sub.children is not None:
                    children[index] = sub
        if children:
            root.children = children[::-1]
        if loaded is None and root.children:  # a missing primary; select's options still compose
            root.children = [c for c in root.children if not (isinstance(c, Default) and c.is_self())]
        return root

    def _unselected(self, root: _Node) -> _Node:
        d = root.default
        if not self.strict:
            self.tolerated = True
            return root
        options = self.repo.options(d.group_path())
        raise ConfigError(
            key=d.override_key(), source=d.declared_in,
            detail="the defaults list leaves this group's option to be chosen ('???'); "
            f"choose one with select={{{d.override_key()!r}: ...}}"
            + (f" among {', '.join(options)}" if options else ""),
        )

    def _register(self, defaults: list[Default], parent: Default, interpolated: bool,
                  file: str) -> list[Default]:
        """Place entries under ``parent``, drop Hydra's own groups, note ``override`` ones."""
        kept: list[Default] = []
        last_override: Default | None = None
        for d in defaults:
            if not d.is_self():
                d.update_parent(parent.group_path(), parent.final_package())
                if _is_hydra_runtime(d, self.repo):
                    continue
                if last_override is not None and not (d.override or d.external_append):
                    raise ConfigError(
                        source=file,
                        detail=f"override {last_override.describe()} comes before "
                        f"{d.describe()}; overrides must be at the end of the defaults list",
                    )
                if d.group is not None and d.override:
                    last_override = d
                    if interpolated:
                        raise ConfigError(
                            source=file, detail=f"override {d.describe()} inside a config chosen "
                            "by an interpolation is not allowed (as in Hydra)",
                        )
                    self.choices.register(file, d)
            kept.append(d)
        return kept

    def _add(self, children: list[Default | _Node], node: _Node, interpolated: bool) -> None:
        sub = self.tree(node, is_root=False, interpolated=interpolated)
        children.append(node.default if sub.children is None else sub)

    def _resolve_name(self, d: Default) -> None:
        from ato.compose._interp import resolve

        text = d.name() if d.group is not None else d.path
        scratch: dict[str, Any] = {k: v for k, v in self.choices.known.items() if v is not None}
        scratch["\0"] = text
        try:
            resolve(scratch)
        except ConfigError as exc:
            raise ConfigError(
                got=text, source=d.declared_in,
                detail="cannot resolve the interpolation in the defaults list; known choices: "
                + (", ".join(sorted(self.choices.known)) or "none"),
            ) from exc
        if d.group is not None:
            d.value = str(scratch["\0"])
        else:
            d.path = str(scratch["\0"])


def _validate_self(defaults: list[Default], file: str) -> None:
    """Put ``_self_`` last when a list does not place it (Hydra >= 1.1)."""
    selves = sum(1 for d in defaults if d.is_self())
    if selves > 1:
        raise ConfigError(detail="_self_ appears twice in the defaults list", source=file)
    if selves == 0 and (any(not d.override for d in defaults) or not defaults):
        defaults.append(Default(path=SELF))


def _is_hydra_runtime(d: Default, repo: Repo) -> bool:
    """Whether ``d`` configures Hydra itself (``hydra/...``), which composition leaves out.

    An option of such a group that the tree itself holds and that places its content
    outside the ``hydra`` node would change the result, so it is refused, not ignored.
    """
    if d.external_append:  # what select names is composed, or reported missing, as asked
        return False
    path = d.config_path() if d.group is None or isinstance(d.value, str) else d.group_path()
    if path != "hydra" and not path.startswith("hydra/"):
        return False
    loaded = repo.load(path) if isinstance(d.value, str) or d.group is None else None
    header = loaded.package if loaded is not None else None
    outside = [p for p in (d.package, header) if p is not None and p != "hydra"
               and not p.startswith(("hydra.", "_global_.hydra", "_group_"))]
    if outside:
        raise ConfigError(
            got=outside[0], source=loaded.file if loaded is not None else d.declared_in,
            detail=f"Hydra runtime group entry {d.describe()} places content outside the "
            "'hydra' node; Hydra's own config groups are not supported",
        )
    return True


def _walk(node: _Node, out: list[Result]) -> None:
    if not node.children:
        _visit(node.parent, node.default, out)
        return
    for child in node.children:
        if isinstance(child, Default):
            _visit(node, child, out)
        else:
            _walk(child, out)


def _visit(holder: _Node | None, d: Default, out: list[Result]) -> None:
    if d.deleted or d.is_missing() or d.name() is None:
        return
    if d.is_self():
        assert holder is not None
        owner = holder.default
        out.append(Result(owner.config_path(), owner.final_package(), owner.primary, None))
    else:
        key = d.override_key() if d.group is not None else None
        out.append(Result(d.config_path(), d.final_package(), d.primary, key))


def _run(repo: Repo, primary: str, chosen: dict[str, Any], deletions: set[str],
         appended: list[str], strict: bool, on_missing: str) -> tuple[_Builder, list[Result]]:
    appends = []
    for key in appended:
        group, _, package = key.partition("@")
        appends.append(Default(group=group, value=chosen[key], package=package or None,
                               external_append=True, declared_in=f"select[{key!r}]"))
    builder = _Builder(repo, _Choices(chosen, deletions, appends), strict, on_missing)
    root = builder.tree(_Node(Default(path=primary, primary=True, declared_in="config_filename")),
                        is_root=True, interpolated=False)
    results: list[Result] = []
    _walk(root, results)
    return builder, results


def build(repo: Repo, primary: str, select: dict[str, Any], on_missing: str
          ) -> tuple[list[Result], list[Missing]]:
    """The configs to merge for ``primary`` with ``select``, in merge order.

    ``select`` maps an override key (``"db"``, ``"db/engine"``, ``"db@backup"``) to an
    option name, a list of names (merged in order) or None (no option). A key that some
    defaults list in the composed tree names is chosen there, like Hydra's ``db=mysql``;
    any other is appended to the primary's list, like ``+db=mysql``. Which is which shows
    only by composing, so probe passes (which skip missing configs) repeat until the set of
    appended keys is stable: appending an experiment config may bring in the entry that
    another selected key then matches. A strict pass follows if a probe skipped anything.

    Raises:
        ConfigError: as Hydra raises ConfigCompositionException, with the file concerned.
        ConfigFileNotFoundError: a needed config does not exist and ``on_missing='error'``.
    """
    chosen = {k: v for k, v in select.items() if v is not None}
    deletions = {k for k, v in select.items() if v is None}
    appended: list[str] = []
    builder, results = _run(repo, primary, chosen, deletions, appended, not select, on_missing)
    for _ in range(len(chosen)):
        unmatched = [k for k in chosen if not builder.choices.meta[k].used]
        if unmatched == appended:
            break
        appended = unmatched
        builder, results = _run(repo, primary, chosen, deletions, appended, False, on_missing)
    if not builder.strict and builder.tolerated:
        builder, results = _run(repo, primary, chosen, deletions, appended, True, on_missing)
    _check(builder, results)
    return results, builder.missing


def _check(builder: _Builder, results: list[Result]) -> None:
    for key, meta in builder.choices.meta.items():
        if not meta.used and not meta.external:
            raise ConfigError(
                key=key, source=meta.declared_in,
                detail="'override' names a group that no defaults list chooses; "
                "drop 'override' to add it instead",
            )
    seen: set[str] = set()
    for result in results:
        if result.override_key is not None:
            if result.override_key in seen:
                raise ConfigError(
                    key=result.override_key,
                    detail="the group is chosen twice in the final defaults list",
                )
            seen.add(result.override_key)
