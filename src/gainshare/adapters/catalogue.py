"""The service catalogue from YAML: the one shipped in the package (gainshare/data/service_catalogue.yaml) or a
user's own copy. Every problem is reported as an Issue naming the file and the key path; nothing is half-read.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from gainshare.domain.catalogue import (
    AgePoint,
    CatalogueEntry,
    Evidence,
    HospitalCurrency,
    ServiceCatalogue,
)
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, to_decimal

PACKAGED = "service_catalogue.yaml"
T = TypeVar("T")


class YamlCatalogueReader:
    """Implements the ServiceCatalogueReader port."""

    def load(self, location: str | None = None) -> ServiceCatalogue:
        return load_catalogue(Path(location) if location else None)


def load_catalogue(path: Path | None = None) -> ServiceCatalogue:
    """The catalogue at `path`, or the packaged default; InvalidInputError naming every problem."""
    if path is None:
        name = f"gainshare/data/{PACKAGED}"
        text = resources.files("gainshare.data").joinpath(PACKAGED).read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InvalidInputError([Issue("catalogue.unreadable", str(error), Source(file=name))]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInputError([Issue("catalogue.yaml", f"not valid YAML: {error}", Source(file=name))]) from None
    return _Parser(name).catalogue(data)


class _Parser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.issues: list[Issue] = []

    def problem(self, clause: str, message: str) -> None:
        self.issues.append(Issue("catalogue.value", message, Source(file=self.name, clause=clause)))

    def catalogue(self, data: Any) -> ServiceCatalogue:
        if not isinstance(data, dict) or not isinstance(data.get("service_lines"), list):
            self.problem("service_lines", "the catalogue needs a list under 'service_lines'")
            raise InvalidInputError(self.issues)
        entries = [self.entry(item, f"service_lines[{index}]") for index, item in enumerate(data["service_lines"])]
        if self.issues:
            raise InvalidInputError(self.issues)
        try:
            return ServiceCatalogue(tuple(e for e in entries if e), self.name, str(data.get("prices_as_at", "")))
        except ValueError as error:
            raise InvalidInputError([Issue("catalogue.value", str(error), Source(file=self.name))]) from None

    def entry(self, item: Any, at: str) -> CatalogueEntry | None:
        if not isinstance(item, dict):
            self.problem(at, "each service line must be a mapping")
            return None
        evidence: dict[str, Evidence] = {}
        values = {
            name: self.default(item, name, f"{at}.{name}", parse, evidence)
            for name, parse in (
                ("hospital_price", _money),
                ("out_of_hospital_cost", _money),
                ("movable_share", _decimal),
                ("ramp_up_months", _whole),
                ("setup_cost", _money),
                ("annual_running_cost", _money),
            )
        }
        profile = self.profile(item.get("age_profile"), f"{at}.age_profile", evidence)
        currencies = self.currencies(item.get("currencies"), f"{at}.currencies")
        if self.issues or profile is None:
            return None
        try:
            return CatalogueEntry(
                id=str(item["id"]),
                name=str(item.get("name", item["id"])),
                currencies=currencies,
                age_profile=profile[0],
                female_factor=profile[1],
                evidence=evidence,
                unit=str(item.get("unit", "attendance")),
                **values,
            )
        except (KeyError, ValueError, TypeError) as error:
            self.problem(at, f"not a valid service line: {error}")
            return None

    def default(
        self, item: dict[str, Any], name: str, at: str, parse: Callable[[Any], T], evidence: dict[str, Evidence]
    ) -> Any:
        block = item.get(name)
        if not isinstance(block, dict) or "value" not in block:
            self.problem(at, "needs 'value' and a 'note' (and a 'source' where there is one)")
            return None
        try:
            value = parse(block["value"])
        except (ValueError, TypeError) as error:
            self.problem(at, f"{block['value']!r} is not valid: {error}")
            return None
        evidence[name] = self.evidence(block, at)
        return value

    def evidence(self, block: dict[str, Any], at: str) -> Evidence:
        note = block.get("note")
        if not isinstance(note, str) or not note.strip():
            self.problem(at, "needs a 'note' saying where the value comes from (or why it is assumed)")
            note = ""
        source = block.get("source")
        return Evidence(" ".join(note.split()), " ".join(str(source).split()) if source else None)

    def profile(
        self, block: Any, at: str, evidence: dict[str, Evidence]
    ) -> tuple[tuple[AgePoint, ...], Decimal] | None:
        if not isinstance(block, dict) or not isinstance(block.get("points"), list) or not block["points"]:
            self.problem(at, "needs 'points': a list of [age, relative rate] pairs, and a 'female_factor'")
            return None
        try:
            points = tuple(AgePoint(_whole(age), _decimal(rate)) for age, rate in block["points"])
            female = _decimal(block.get("female_factor", "1"))
        except (ValueError, TypeError) as error:
            self.problem(at, f"not a valid age profile: {error}")
            return None
        if [point.age for point in points] != sorted({point.age for point in points}):
            self.problem(at, "ages must rise from one point to the next")
            return None
        evidence["age_profile"] = self.evidence(block, at)
        return points, female

    def currencies(self, block: Any, at: str) -> tuple[HospitalCurrency, ...]:
        if not isinstance(block, list) or not block:
            self.problem(at, "needs at least one hospital currency (kind, code, pod)")
            return ()
        found: list[HospitalCurrency] = []
        for index, item in enumerate(block):
            if not isinstance(item, dict) or not all(key in item for key in ("kind", "code", "pod")):
                self.problem(f"{at}[{index}]", "a currency needs 'kind' (HRG, TFC or DAPS), 'code' and 'pod'")
                continue
            found.append(
                HospitalCurrency(
                    str(item["kind"]), str(item["code"]), str(item["pod"]), str(item.get("description", ""))
                )
            )
        return tuple(found)


def _money(value: Any) -> Money:
    if not isinstance(value, str):
        raise TypeError('write money as a quoted string of pounds, like "34.00"')
    return Money.parse(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError('write decimals as quoted strings, like "0.55", so they stay exact')
    return to_decimal(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value
