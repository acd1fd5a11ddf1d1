"""The one way medialens reads YAML (corpus definitions, report parameter files, any other YAML).

:func:`load_yaml` is ``yaml.safe_load`` with the limits a hand-written settings file never meets
and a hostile or broken one does, each refused with one line naming the file (and line):

- size: a file over ``max_bytes`` is refused from its ``stat``, before it is read;
- encoding: the bytes are decoded strictly as UTF-8 (a BOM is allowed); a cp1252 or latin-1 byte
  is named with its line and column instead of ``'utf-8' codec can't decode byte 0xe9 in
  position 51``;
- aliases: an alias bomb ("billion laughs") is small on disk and expands to gigabytes downstream
  (the cache key and papermill serialise the values); the size of the document with every alias
  expanded is counted on the parsed node graph, without expanding anything, and refused over
  ``max_nodes``; a recursive alias is refused too;
- nesting deeper than the parser can follow, and a key repeated within one mapping (YAML keeps
  the last silently).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

__all__ = ["YamlError", "load_yaml", "MAX_BYTES", "MAX_NODES"]

#: Largest YAML file read: settings files are kilobytes, and the (pure-Python) parser takes
#: seconds per megabyte. Per-document metadata for a large corpus belongs in a labels file.
MAX_BYTES = 2_000_000
#: Most nodes the document may hold once every alias is expanded (a billion-laughs file: 10**9).
MAX_NODES = 2_000_000

#: The pure-Python loader: libyaml's composer recurses in C and crashes the process on deep nesting.
_Loader = yaml.SafeLoader


class YamlError(ValueError):
    """A YAML file that cannot be read safely; the message is one line naming the file."""


def _where(name: str, mark: Any) -> str:
    return f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name


def _decode(data: bytes, name: str) -> str:
    """Decode ``data`` strictly as UTF-8 (a BOM is dropped); name the first bad byte's line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise YamlError(
            f"{name}:{line}:{column} byte 0x{data[start]:02x} is not valid UTF-8 "
            "(is the file saved as cp1252 or latin-1? save it as UTF-8)"
        ) from None


def _check_nodes(root: yaml.Node, name: str, max_nodes: int) -> None:
    """Refuse an alias expansion over ``max_nodes``, a recursive alias, or a repeated mapping key.

    Each node's expanded size (itself plus its children's expanded sizes, an alias counting as
    the whole node it names) is computed once, children first, without recursion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            total = 1 + sum(size[id(c)] for c in children)
            if total > max_nodes:
                raise YamlError(
                    f"{_where(name, node.start_mark)}: the aliases (*name) here expand to more than "
                    f"{max_nodes:,} values; refused (an alias bomb?)"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlError(f"{_where(name, node.start_mark)}: a recursive alias (a value that contains itself); refused")
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            _no_repeated_keys(node, name)
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _no_repeated_keys(node: yaml.MappingNode, name: str) -> None:
    seen: dict[tuple[str, str], Any] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        ident = (key_node.tag, key_node.value)
        if ident in seen:
            first = seen[ident]
            raise YamlError(
                f"{_where(name, key_node.start_mark)}: key {key_node.value!r} repeats line {first.line + 1} "
                "of the same mapping (YAML would keep only the last)"
            )
        seen[ident] = key_node.start_mark


def _error_message(exc: yaml.YAMLError, name: str, text: str) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or exc.context or "syntax error"
        return f"{_where(name, exc.problem_mark or exc.context_mark)}: not valid YAML: {problem}"
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return f"{name}:{line}: not valid YAML: character #x{exc.character:04x} is not allowed in YAML"
    return f"{name}: not valid YAML: {' '.join(str(exc).split())}"


def load_yaml(
    path: str | os.PathLike,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Read one YAML document from ``path`` safely (see the module docstring).

    Parameters
    ----------
    path : path of the YAML file.
    name : how messages name the file (default: its file name).
    max_bytes, max_nodes : the size limits (bytes on disk; values with aliases expanded).

    Returns
    -------
    The document's value (``None`` for an empty file), as ``yaml.safe_load`` gives it.

    Raises
    ------
    YamlError
        One line naming the file, and the line where known. ``OSError`` from opening the file
        is left to the caller.
    """
    file = Path(path)
    name = name or file.name
    size = file.stat().st_size
    if size > max_bytes:
        raise YamlError(
            f"{name}: {size:,} bytes is more than a YAML settings file may hold ({max_bytes:,}); refused "
            "(per-document metadata for many documents belongs in a labels file: metadata: {path, key})"
        )
    text = _decode(file.read_bytes(), name)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, name, max_nodes)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlError(_error_message(exc, name, text)) from None
    except RecursionError:
        raise YamlError(f"{name}: values nested too deeply to read; refused") from None
    finally:
        if loader is not None:
            loader.dispose()
