"""The agreement editor's form: the fields people change most, named by the agreement file's key paths.

Reading: each field's value is taken from the version's text at its key path. Writing: the posted values are put
back at their key paths and the document is written out again as YAML; the workspace service validates it like
any other text, and its issues (which carry key paths) are placed next to the fields they name.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from gainshare.domain.issues import Issue

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_LIMIT_KEYS = ("amount", "percent_of_baseline", "percent_of_revenue", "population_table")


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # the agreement file's key path, e.g. "schemes[0].hospital_price"
    label: str
    hint: str = ""
    kind: str = "text"  # text, date, select
    width: int = 10  # nhsuk-input--width-N
    options: tuple[str, ...] = ()
    optional: bool = False

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", self.path).strip("-")


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    fields: tuple[Field, ...]
    inline: bool = False  # fields side by side (a scheme's name and prices)


def split_path(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _PART.findall(path)]


def parse_text(content: str) -> dict[str, Any]:
    """The version's text as a mapping (empty when it is not one: the YAML editor shows the real problem)."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def sections(data: Mapping[str, Any]) -> list[Section]:
    """The form for this document: general terms, one section per scheme, sharing of gains."""
    found = data.get("schemes")
    schemes: list[Any] = found if isinstance(found, list) else []
    result = [
        Section(
            "Agreement",
            (
                Field("title", "Title", width=30),
                Field("term.start", "Term starts", "For example, 2025-04-01", "date"),
                Field("term.end", "Term ends (inclusive)", "For example, 2028-03-31", "date"),
                Field("term.settlement_period", "Settlement period", kind="select", options=_PERIODS),
            ),
        ),
        Section(
            "Baseline adjustments (per year)",
            (
                Field("baseline.list_growth", "List growth", "A percentage, for example 1.2%", width=5),
                Field("baseline.price_uplift", "Price uplift", "A percentage, for example 2.5%", width=5),
                Field("baseline.efficiency", "Efficiency", "A percentage, for example 1.1%", width=5),
            ),
        ),
    ]
    for index, scheme in enumerate(schemes):
        name = scheme.get("name") if isinstance(scheme, dict) else None
        key = f"schemes[{index}]"
        result.append(
            Section(
                f"Scheme: {name or index + 1}",
                (
                    Field(f"{key}.name", "Scheme name", width=30),
                    Field(f"{key}.hospital_price", "Hospital price per unit (£)", "For example, 34.00", width=10),
                    Field(f"{key}.provision_price", "Out-of-hospital price per unit (£)", "For example, 21.50"),
                ),
                inline=True,
            )
        )
    result.append(
        Section(
            "Sharing of gains",
            (
                Field("sharing.gains.provider_share", "Provider's share of savings", "For example, 50%", width=5),
                Field(
                    "sharing.gains.threshold.percent_of_baseline",
                    "Minimum saving before sharing (percent of baseline)",
                    "For example, 1%. Leave empty for no threshold.",
                    width=5,
                    optional=True,
                ),
                Field(
                    "sharing.gains.cap.percent_of_baseline",
                    "Cap on the provider's gain (percent of baseline)",
                    "For example, 15%. Leave empty for no cap.",
                    width=5,
                    optional=True,
                ),
            ),
        )
    )
    return result


_PERIODS = ("annual", "quarterly", "monthly")


def fields(form: Iterable[Section]) -> list[Field]:
    return [field for section in form for field in section.fields]


def value_at(data: Any, path: str) -> str:
    node = data
    for part in split_path(path):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return ""
    return node.isoformat() if isinstance(node, date) else str(node)


def apply(data: dict[str, Any], form_fields: Iterable[Field], posted: Mapping[str, str]) -> str:
    """The document with the posted values at their key paths, as YAML text."""
    for field in form_fields:
        value = posted.get(field.path, "").strip()
        if value:
            _set(data, split_path(field.path), _typed(field, value))
        elif field.optional:
            _remove(data, split_path(field.path))
        else:
            _set(data, split_path(field.path), "")
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    return text


def _typed(field: Field, value: str) -> Any:
    if field.kind == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # the service names the problem next to the field
    return value


def _set(data: dict[str, Any], parts: list[str | int], value: Any) -> None:
    node: Any = data
    for part, following in itertools.pairwise(parts):
        child = node[part] if isinstance(part, int) else node.get(part)
        if child is None:
            child = [] if isinstance(following, int) else {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _remove(data: dict[str, Any], parts: list[str | int]) -> None:
    """Drop the value; a limit (threshold or cap) left stating nothing is dropped too."""
    parents: list[tuple[Any, str | int]] = []
    node: Any = data
    for part in parts[:-1]:
        child = node[part] if isinstance(part, int) else node.get(part)
        if not isinstance(child, (dict, list)):
            return
        parents.append((node, part))
        node = child
    if isinstance(node, dict):
        node.pop(parts[-1], None)
        if parents and not any(key in node for key in _LIMIT_KEYS):
            owner, key = parents[-1]
            owner.pop(key, None)


@dataclass(frozen=True, slots=True)
class PlacedIssues:
    """Problems by form field id (shown inline), and every problem for the error summary with its link target."""

    by_field: dict[str, list[str]]
    summary: list[tuple[str, str]]  # (message, href)


def place(issues: Iterable[Issue], form_fields: Iterable[Field], fallback: str = "#form-start") -> PlacedIssues:
    """Put each problem next to the field its key path names (or a field under it); others link to `fallback`."""
    by_path = {field.path: field for field in form_fields}
    by_field: dict[str, list[str]] = {}
    summary: list[tuple[str, str]] = []
    for issue in issues:
        clause = issue.source.clause or ""
        field = by_path.get(clause) or next((f for p, f in by_path.items() if p.startswith(clause + ".")), None)
        text = issue.message if field else issue.render()
        if field is not None:
            message = f"{field.label}: {issue.message}"
            by_field.setdefault(field.id, []).append(message)
            summary.append((message, f"#{field.id}"))
        else:
            summary.append((text, fallback))
    return PlacedIssues(by_field, summary)
