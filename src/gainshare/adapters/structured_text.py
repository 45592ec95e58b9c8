"""Reading YAML or JSON documents into plain Python values, with problems as Issues (line and column)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_document(path: Path) -> Any:
    """The parsed document, or InvalidInputError naming the file, line and what is wrong."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=name))]) from None
    except UnicodeDecodeError:
        raise InvalidInputError([Issue("file.encoding", "the file is not UTF-8 text", Source(file=name))]) from None
    except OSError as error:
        raise InvalidInputError([Issue("file.unreadable", error.strerror or str(error), Source(file=name))]) from None
    return parse_document(text, name, json_only=path.suffix.lower() == ".json")


def parse_document(text: str, name: str, json_only: bool = False) -> Any:
    if json_only:
        try:
            return json.loads(text, parse_float=_refuse_float_text)
        except json.JSONDecodeError as error:
            raise InvalidInputError([Issue("file.syntax", error.msg, Source(file=name, row=error.lineno))]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        row = mark.line + 1 if mark is not None else None
        problem = error.problem or "the YAML cannot be read"
        raise InvalidInputError([Issue("file.syntax", problem, Source(file=name, row=row))]) from None
    except yaml.YAMLError as error:
        raise InvalidInputError([Issue("file.syntax", str(error), Source(file=name))]) from None


def _refuse_float_text(text: str) -> float:
    """JSON numbers with a fraction become floats, which the models then refuse with a clear message."""
    return float(text)
