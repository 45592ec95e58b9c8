"""The agreement file reference (docs/agreement-reference.md), generated from the JSON Schema.

Run `python -m gainshare.reports.schema_docs > docs/agreement-reference.md`; a test checks it is current.
"""

from __future__ import annotations

from typing import Any

from gainshare.adapters.agreement_file.schema import agreement_schema

INTRO = """# Agreement file reference

An agreement file is YAML (or JSON) describing one version of a gain share agreement. This page is generated
from the file's JSON Schema (`gainshare agreement schema`); a test fails when it falls out of date. Money is
written as text in pounds (`"1234.56"`, `"£1,234.56"`) or a whole number of pounds; rates as text (`"50%"` or
`"0.5"`). Bare decimal numbers are refused because YAML reads them as floats, which cannot hold money exactly.
See [gain share](gain-share.md) for what the rules mean and [rounding](rounding.md) for how pennies are settled.
"""


def reference_markdown() -> str:
    schema = agreement_schema()
    definitions: dict[str, Any] = schema.get("$defs", {})
    sections = [INTRO, _section("Top level: the agreement", schema, definitions)]
    for name in sorted(definitions):
        sections.append(_section(_title(name), definitions[name], definitions))
    return "\n".join(sections).rstrip() + "\n"


def _title(name: str) -> str:
    return f"`{name.removesuffix('Model')}`"


def _section(title: str, node: dict[str, Any], definitions: dict[str, Any]) -> str:
    lines = [f"## {title}", ""]
    if node.get("description"):
        lines += [" ".join(node["description"].split()), ""]
    required = set(node.get("required", []))
    lines += ["| key | type | required | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for key, prop in node.get("properties", {}).items():
        default = prop.get("default")
        shown = "" if default is None or isinstance(default, dict | list) else f"`{default}`"
        meaning = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
        lines.append(f"| `{key}` | {_type(prop)} | {'yes' if key in required else ''} | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"


_FORMATS = {"money": "money", "rate": "rate", "rate-or-money": "rate or money"}


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _title(prop["$ref"].rsplit("/", 1)[-1])
    if "anyOf" in prop:
        return " or ".join(_type(option) for option in prop["anyOf"] if option.get("type") != "null")
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{value}`" for value in prop["enum"])
    return _FORMATS.get(prop.get("format", ""), "") or _plain_type(prop)


def _plain_type(prop: dict[str, Any]) -> str:
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of id to {_type(prop['additionalProperties'])}"
    if isinstance(kind, list):
        return " or ".join(kind)
    return "date (YYYY-MM-DD)" if prop.get("format") == "date" else str(kind)


if __name__ == "__main__":
    print(reference_markdown(), end="")
