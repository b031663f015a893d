"""Shell completion for a program's command line: ``train.py --completion bash|zsh``.

Contract: the program prints a script that the user sources (``source <(python train.py
--completion bash)``, or a saved copy from ``.bashrc``/``.zshrc``; for zsh also a file
``_train.py`` in ``$fpath``). It completes

- view names (``long_run``, and ``scope.view`` with several scopes) and the command words;
- field paths with their ``=`` (``optim.lr=``), every schema leaf, or, for a scope without
  a schema, the keys of its ``@scope.manual`` texts and initial config;
- after ``key=``, the values the field allows (``Literal``/``Enum`` members, True/False);
- after ``explain``, bare keys; after ``--completion``, the shells.

The candidates are embedded in the script when it is written, not asked of the program at
each Tab: a Tab then costs no Python start-up and runs no user code, and the script needs
nothing but the shell. The price is that the script describes the program as it was: write
it again after adding a view or a field (the script's header says so).

bash: registered for the program's name (``train.py``, which also covers ``./train.py``)
and, when nothing else completes them yet, for ``python``/``python3``, where it answers
only when the script is this program. ``-o default`` falls back to file names wherever
it has nothing to offer (``data.path=./da<Tab>``). Readline splits words at ``=``, so
candidates are trimmed to the part after the last ``COMP_WORDBREAKS`` character.
zsh: registered with ``compdef`` for the program's name; zsh's own ``_python`` hands
``python train.py ...`` to it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ato.adict import ADict

if TYPE_CHECKING:
    from ato.scope._scope import Scope

__all__ = ["Candidates", "candidates", "script"]

_WORDS = ("manual", "explain", "print", "--help", "--completion")
# Only what a shell may insert unquoted is offered (a choice such as 'a b' is left out).
_PLAIN = re.compile(r"[A-Za-z0-9_.+@%/-]+")


class Candidates(NamedTuple):
    """What the completion offers: words (views, command words), keys, ``key=value`` choices."""

    words: list[str]
    keys: list[str]
    choices: list[str]


def candidates(scopes: Sequence[Scope[Any]]) -> Candidates:
    """The candidates of every scope; with several scopes, keys carry the scope's name."""
    multi = len(scopes) > 1
    views: dict[str, None] = {}
    keys: dict[str, None] = {}
    choices: dict[str, None] = {}
    for scope in scopes:
        prefix = f"{scope.name}." if multi else ""
        for name in scope.views:
            views[name] = None
            if multi:
                views[prefix + name] = None
        if scope.schema is not None:
            from ato.schema import schema_help

            for row in schema_help(scope.schema).rows:
                if row.group:
                    continue
                keys[prefix + row.path] = None
                for value in row.choices:
                    if _PLAIN.fullmatch(value):
                        choices[f"{prefix}{row.path}={value}"] = None
        else:
            for key in (*_paths(scope.manuals), *_paths(scope.initial)):
                keys[prefix + key] = None
    return Candidates([*views, *_WORDS], list(keys), list(choices))


def _paths(tree: Any, prefix: str = "") -> Iterable[str]:
    """Dotted paths of the leaves of a nested mapping."""
    if not isinstance(tree, dict | ADict):
        return
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict | ADict) and value:
            yield from _paths(value, f"{path}.")
        else:
            yield path


def script(shell: str, program: str, scopes: Sequence[Scope[Any]]) -> str:
    """The completion script of ``shell`` (``bash`` or ``zsh``) for ``program``."""
    found = candidates(scopes)
    name = "_ato_complete_" + re.sub(r"\W", "_", program)
    fill = {
        "NAME": name,
        "PROGRAM": shlex.quote(program),
        "PROG": program,
        "WORDS": _array(found.words),
        "KEYS": _array(found.keys),
        "CHOICES": _array(found.choices),
    }
    text = _BASH if shell == "bash" else _ZSH
    for key, value in fill.items():
        text = text.replace(f"@{key}@", value)
    return text.rstrip("\n")


def _array(items: Iterable[str]) -> str:
    """Items as the words of a shell array literal, quoted where they need it."""
    return " ".join(shlex.quote(item) for item in items)


_BASH = r"""# bash completion for @PROG@, written by `@PROG@ --completion bash` (ato).
# Load it with `source <(python @PROG@ --completion bash)`, or save it and source the file.
# It knows the views and keys @PROG@ had when it was written: write it again after
# adding a view or a field.
@NAME@() {
    local -a words=(@WORDS@)
    local -a keys=(@KEYS@)
    local -a choices=(@CHOICES@)
    local line=${COMP_LINE:0:COMP_POINT}
    local cur=${line##*[[:space:]]}
    local -a before
    read -r -a before <<< "${line:0:${#line}-${#cur}}"
    COMPREPLY=()
    case ${before[0]##*/} in
        python|python3|python3.*)  # `python @PROG@ ...`: only when the script is this program
            [[ ${#before[@]} -ge 2 && ${before[1]##*/} == @PROGRAM@ ]] || return 0
            before=("${before[@]:1}") ;;
    esac
    local -a found=()
    local c last=${before[${#before[@]}-1]}
    if [[ $last == --completion ]]; then
        for c in bash zsh; do [[ $c == "$cur"* ]] && found+=("$c"); done
    elif [[ $cur == *=* ]]; then
        for c in "${choices[@]}"; do [[ $c == "$cur"* ]] && found+=("$c"); done
    elif [[ " ${before[*]} " == *" explain "* ]]; then
        for c in "${keys[@]}"; do [[ $c == "$cur"* ]] && found+=("$c"); done
    else
        for c in "${words[@]}" "${keys[@]/%/=}"; do [[ $c == "$cur"* ]] && found+=("$c"); done
    fi
    # Readline replaces only the text after the last COMP_WORDBREAKS character ('=', ':').
    local pre=$cur
    while [[ -n $pre && $COMP_WORDBREAKS != *"${pre: -1}"* ]]; do pre=${pre%?}; done
    COMPREPLY=("${found[@]#"$pre"}")
    if [[ ${#found[@]} -eq 1 && ${found[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}
complete -o default -F @NAME@ @PROGRAM@
for _ato_command in python python3; do
    complete -p "$_ato_command" >/dev/null 2>&1 || complete -o default -F @NAME@ "$_ato_command"
done
unset _ato_command
"""

_ZSH = r"""#compdef @PROG@
# zsh completion for @PROG@, written by `@PROG@ --completion zsh` (ato).
# Load it with `source <(python @PROG@ --completion zsh)`, or save it as _@PROG@ in a
# directory of $fpath. It knows the views and keys @PROG@ had when it was written:
# write it again after adding a view or a field.
@NAME@() {
    local -a views=(@WORDS@)
    local -a keys=(@KEYS@)
    local -a choices=(@CHOICES@)
    if [[ ${words[CURRENT-1]} == --completion ]]; then
        compadd -- bash zsh
    elif [[ $PREFIX == *=* ]]; then
        local key=${PREFIX%%=*}
        local -a found=(${${(M)choices:#${key}=*}#${key}=})
        IPREFIX="$IPREFIX$key="
        PREFIX=${PREFIX#*=}
        compadd -- $found
    elif (( ${words[(I)explain]} )); then
        compadd -- $keys
    else
        compadd -- $views
        compadd -S = -- $keys
    fi
}
# Autoloaded from $fpath, this file is the completion function itself: complete. Sourced
# (or eval'ed), it registers the function for the program.
if [[ ${zsh_eval_context[-1]} == (loadautofunc|shfunc) ]]; then
    @NAME@ "$@"
else
    (( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
    compdef @NAME@ @PROGRAM@
fi
"""
