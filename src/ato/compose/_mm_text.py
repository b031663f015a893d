"""The textual side of OpenMMLab configs: substitutions, base paths, YAML and JSON.

Each function reproduces one step of mmengine 0.10's ``Config._file2dict`` (see
``ato.compose._mm`` for the whole order) and raises :class:`ConfigError` where mmengine
would raise something else or silently produce a value nobody wrote.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ato.errors import ConfigError, suggest
from ato.formats import parse_error

__all__ = ["base_path", "parse_data", "substitute"]

_PREDEFINED = ("fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname")
_ENV = re.compile(r"\{\{['\"]?\s*\$(\w+)\s*\:\s*(\S*?)\s*['\"]?\}\}")
_BASE_VAR = re.compile(r"\{\{\s*_base_\.([\w\.]+)\s*\}\}")
_PACKAGE_ENTRY = re.compile(r"\w*::\w*/\w*")

# mmengine's table of the packages a `pkg::path` base may name: the scope (the module
# name) and the distribution that installs it.
MODULE_TO_PACKAGE = {
    "mmcls": "mmcls", "mmdet": "mmdet", "mmdet3d": "mmdet3d", "mmseg": "mmsegmentation",
    "mmaction": "mmaction2", "mmtrack": "mmtrack", "mmpose": "mmpose", "mmedit": "mmedit",
    "mmocr": "mmocr", "mmgen": "mmgen", "mmfewshot": "mmfewshot", "mmrazor": "mmrazor",
    "mmflow": "mmflow", "mmhuman3d": "mmhuman3d", "mmrotate": "mmrotate",
    "mmselfsup": "mmselfsup", "mmyolo": "mmyolo", "mmpretrain": "mmpretrain",
    "mmagic": "mmagic",
}


def substitute(text: str, file: str) -> tuple[str, dict[str, str]]:
    """Apply the textual substitutions, in mmengine's order, to the text of ``file``.

    Returns:
        The new text and the ``{{ _base_.x }}`` placeholders it now holds, each mapped to
        its dotted key (``"x"``); each placeholder is a quoted string in the text.
    """
    name = os.path.basename(file)
    values = (os.path.dirname(file), name, os.path.splitext(name)[0], os.path.splitext(file)[1])
    for key, value in zip(_PREDEFINED, values, strict=True):
        # Backslashes made slashes, as mmengine does: then the re.sub template holds no
        # escape and stands for itself.
        text = re.sub(r"\{\{\s*" + key + r"\s*\}\}", value.replace("\\", "/"), text)
    text = _environment(text, file)
    token = os.urandom(3).hex()
    placeholders: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        held = f"_{match.group(1)}_{token}"
        placeholders[held] = match.group(1)
        return f'"{held}"'

    return _BASE_VAR.sub(placeholder, text), placeholders


def _environment(text: str, file: str) -> str:
    """``{{$NAME:default}}``: the variable's value, else the default, as mmengine does.

    mmengine builds one pattern per occurrence with the default spliced in unescaped, and
    uses the value as a ``re.sub`` template; the same is done here so that odd defaults
    behave alike.
    """
    for name, default in _ENV.findall(text):
        pattern = r"\{\{['\"]?\s*\$" + name + r"\s*\:\s*" + default + r"\s*['\"]?\}\}"
        value = os.environ.get(name, default)
        if not value:
            raise ConfigError(
                key=f"${name}", expected="an environment variable or a default after ':'",
                got=value, source=file,
            )
        try:
            text = re.sub(pattern, value, text)
        except re.error as exc:
            raise ConfigError(key=f"${name}", detail=f"unusable value or default: {exc}",
                              source=file) from None
    return text


def parse_data(text: str, ext: str, file: str) -> dict[Any, Any]:
    """A ``.json`` or ``.yaml``/``.yml`` config's top-level mapping, read as mmengine does.

    YAML is read as PyYAML reads YAML 1.1 (``1e-3`` is a string, dates are dates), with
    the safe constructors, where mmengine uses the unsafe ones: a ``!!python`` tag is an
    error here.
    """
    tree: Any
    if ext == ".json":
        import json

        try:
            tree = json.loads(text)
        except json.JSONDecodeError as exc:
            raise parse_error(exc, file) from None
    else:
        import yaml

        loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            tree = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise parse_error(exc, file) from None
    if not isinstance(tree, dict):
        raise ConfigError(expected="a mapping at the top level", got=type(tree).__name__,
                          source=file)
    return tree


def base_path(entry: Any, file: str) -> tuple[str, str | None]:
    """Where a ``_base_`` entry of ``file`` points, and its package scope (``pkg::``)."""
    if not isinstance(entry, str):
        raise ConfigError(key="_base_", expected="a path (str) or a list of them", got=entry,
                          source=file)
    if "::" not in entry:
        joined = os.path.join(os.path.dirname(file), entry)
        return os.path.abspath(os.path.expanduser(joined)), None
    if _PACKAGE_ENTRY.match(entry) is None or entry.count("::") > 1:
        raise ConfigError(
            key="_base_", expected="'package::dir/config' such as "
            "'mmdet::_base_/models/faster-rcnn_r50_fpn.py'", got=entry, source=file,
        )
    scope, _, relative = entry.partition("::")
    package = MODULE_TO_PACKAGE.get(scope)
    if package is None:
        raise ConfigError(
            key="_base_", expected="a package scope mmengine knows: " + ", ".join(MODULE_TO_PACKAGE),
            got=scope, source=file, suggestion=suggest(scope, MODULE_TO_PACKAGE),
        )
    root = _installed_path(package, entry, file)
    # mmengine first looks the name up in the package's model-index metafiles, with the
    # extension cut off while the metafiles keep theirs, so that lookup finds nothing for
    # the packages checked (mmdet 3.3) and it falls back to this path.
    return os.path.abspath(os.path.join(root, ".mim", "configs", relative)), scope


def _installed_path(package: str, entry: str, file: str) -> str:
    """The installed package's directory, found without importing it (as mmengine finds it)."""
    from importlib import metadata, util

    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        try:
            spec = util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.origin is None:
            raise ConfigError(key="_base_", detail=f"{entry!r} needs {package}, which is not "
                              f"installed (pip install {package})", source=file) from None
        return os.path.dirname(spec.origin)
    location = str(dist.locate_file(""))
    candidate = os.path.join(location, package)
    if os.path.exists(candidate):
        return candidate
    top_level = (dist.read_text("top_level.txt") or "").split("\n")[0].strip()
    if not top_level:
        raise ConfigError(key="_base_", detail=f"cannot tell which module {package} installs",
                          source=file)
    return os.path.join(location, top_level)
