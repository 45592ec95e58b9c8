"""Incentive scheme files and conflict-of-interest registers (YAML or JSON), and weighted list files (CSV).

A scheme file (rates and shares are quoted so they stay exact; dates are ISO dates):

    gainshare_incentive_scheme: 1
    id: elr-federation
    name: East Leicestershire and Rutland federation development
    commissioner: {ods_code: 03W, name: NHS East Leicestershire and Rutland CCG}
    federation: {ods_code: Y12345, name: ELR GP Federation}     # optional when paying practices
    rate_per_patient: "2.50"                                     # pounds, over the whole scheme
    basis: registered                                            # or weighted
    list_snapshot: 2015-04-01
    pay_to: practices                                            # or federation
    stages:
      - {id: up-front, label: Up-front payment, share: "20%", due: 2015-07-01}
      - id: year-1
        label: Year one
        share: "40%"
        due: 2016-03-31
        conditions:
          - {id: plan, text: "A plan showing the geography, leadership, vision, objectives and governance"}
    eligibility: {statuses: [active], commissioner_codes: [03W], members_only: true}
    members: [C82001, C82002]
    closed_practices: no_payment_after_closure                  # or pro_rata
    opened_after_snapshot: not_eligible                         # or first_list_after_opening
    mergers: [{from: [C82002], into: C82001, date: 2016-01-01}]    # not 'on:': YAML reads it as true
    closures: [{practice: C82009, date: 2015-12-31}]            # last day open; beside ODS close dates

A register file:

    gainshare_conflicts_register: 1
    organisation: NHS East Leicestershire and Rutland CCG
    declarations:
      - person: a.gp@nhs.net
        name: Dr A GP
        role: Governing body GP member
        organisation: {ods_code: C82001, name: The Surgery}
        nature: financial    # financial | non-financial professional | non-financial personal | indirect
        description: Partner in the practice
        from: 2014-04-01
        to: null                             # still current
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from gainshare.adapters.agreement_file.loader import key_path
from gainshare.adapters.structured_text import parse_document, read_document
from gainshare.domain.conflicts import Declaration, InterestNature, Register
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.incentives import (
    ClosedPracticeRule,
    Closure,
    Condition,
    Eligibility,
    IncentiveScheme,
    Merger,
    OpenedPracticeRule,
    PatientBasis,
    PatientCount,
    PayTo,
    Stage,
    check_scheme,
)
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import parse_rate, to_decimal
from gainshare.domain.practices import PracticeStatus

M = TypeVar("M", bound=BaseModel)
_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
_FLOAT = "write it as a quoted string such as {example} (a bare decimal number is read as a float)"


def _exact(example: str) -> Any:
    def validate(value: object) -> str:
        if isinstance(value, float):
            raise ValueError(_FLOAT.format(example=example))
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"expected a number such as {example}")
        return str(value).strip()

    return BeforeValidator(validate)


def _ods(value: object) -> str:
    text = str(value).strip().upper() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _CODE.match(text):
        raise ValueError(f"{value!r} is not an ODS code (3 to 6 letters and digits, like 03W or C82001)")
    return text


def _pounds(text: str) -> Decimal:
    """'2.50', '£2.50' -> Decimal('2.50'): pounds per patient, exact (fractions of a penny are allowed)."""
    try:
        return to_decimal(text.replace("£", "").replace(",", ""))
    except ValueError:
        raise ValueError(f"{text!r} is not an amount in pounds such as '2.50'") from None


Rate = Annotated[str, _exact("'20%' or '0.2'")]
Pounds = Annotated[str, _exact("'2.50'")]
OdsCode = Annotated[str, BeforeValidator(_ods)]


StatusName = Literal["active", "dormant", "closed", "proposed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationModel(_Strict):
    ods_code: OdsCode
    name: str = ""


class ConditionModel(_Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1, description="What the evidence must show.")


class StageModel(_Strict):
    id: str = Field(min_length=1)
    label: str = ""
    share: Rate = Field(description="Share of each practice's entitlement: '20%' or '0.2'.")
    due: date
    conditions: list[ConditionModel] = Field(default_factory=list, description="None: paid without evidence.")


class EligibilityModel(_Strict):
    statuses: list[StatusName] = Field(default_factory=lambda: list[StatusName](["active"]))
    commissioner_codes: list[OdsCode] = Field(default_factory=list)
    members_only: bool = True


class MergerModel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    predecessors: list[OdsCode] = Field(alias="from", min_length=1)
    successor: OdsCode = Field(alias="into")
    on: date = Field(alias="date")


class ClosureModel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    practice: OdsCode
    on: date = Field(alias="date", description="The last day the practice was open.")


class SchemeFile(_Strict):
    gainshare_incentive_scheme: Literal[1]
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1)
    commissioner: OrganisationModel
    federation: OrganisationModel | None = None
    rate_per_patient: Pounds
    basis: Literal["registered", "weighted"] = "registered"
    list_snapshot: date
    start: date | None = None
    pay_to: Literal["practices", "federation"] = "practices"
    stages: list[StageModel] = Field(min_length=1)
    eligibility: EligibilityModel = EligibilityModel()
    members: list[OdsCode] = Field(default_factory=list)
    closed_practices: Literal["no_payment_after_closure", "pro_rata"] = "no_payment_after_closure"
    opened_after_snapshot: Literal["not_eligible", "first_list_after_opening"] = "not_eligible"
    mergers: list[MergerModel] = Field(default_factory=list)
    closures: list[ClosureModel] = Field(default_factory=list)
    notes: str = ""


class DeclarationModel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    person: str = Field(min_length=3, description="The person's email address: the key the checks match on.")
    name: str = Field(min_length=1)
    role: str = ""
    organisation: OrganisationModel
    nature: Literal["financial", "non-financial professional", "non-financial personal", "indirect"]
    description: str = Field(min_length=1)
    valid_from: date = Field(alias="from")
    valid_to: date | None = Field(None, alias="to")
    declared_on: date | None = None
    action_taken: str = ""


class RegisterFile(_Strict):
    gainshare_conflicts_register: Literal[1]
    organisation: str = ""
    declarations: list[DeclarationModel] = Field(default_factory=list)


# --- schemes ------------------------------------------------------------------------------------------------------


def load_scheme(path: Path) -> IncentiveScheme:
    """The scheme in a YAML or JSON file, or InvalidInputError naming every problem by key path."""
    return scheme_from_data(_read(path), str(path))


def scheme_from_data(data: Any, name: str) -> IncentiveScheme:
    model = _validate(SchemeFile, data, name, "incentive scheme")
    issues: list[Issue] = []
    scheme = _to_scheme(model, name, issues)
    issues.extend(check_scheme(scheme, name))
    if issues:
        raise InvalidInputError(issues)
    return scheme


def _to_scheme(model: SchemeFile, name: str, issues: list[Issue]) -> IncentiveScheme:
    rate = _decimal(model.rate_per_patient, name, "rate_per_patient", issues, _pounds)
    stages = tuple(
        Stage(
            id=item.id,
            label=item.label or item.id,
            share=_decimal(item.share, name, f"stages[{index}].share", issues, parse_rate),
            due=item.due,
            conditions=tuple(Condition(condition.id, condition.text) for condition in item.conditions),
        )
        for index, item in enumerate(model.stages)
    )
    federation = model.federation or OrganisationModel(ods_code="XXX", name="")
    return IncentiveScheme(
        id=model.id,
        name=model.name,
        commissioner_code=model.commissioner.ods_code,
        rate_per_patient=rate,
        snapshot_date=model.list_snapshot,
        stages=stages,
        basis=PatientBasis(model.basis),
        start=model.start,
        federation_code=federation.ods_code if model.federation else "",
        federation_name=federation.name,
        pay_to=PayTo(model.pay_to),
        eligibility=Eligibility(
            statuses=frozenset(PracticeStatus[status.upper()] for status in model.eligibility.statuses),
            commissioner_codes=frozenset(model.eligibility.commissioner_codes),
            members_only=model.eligibility.members_only,
        ),
        members=frozenset(model.members),
        closed_rule=ClosedPracticeRule(model.closed_practices),
        opened_rule=OpenedPracticeRule(model.opened_after_snapshot),
        mergers=tuple(Merger(tuple(item.predecessors), item.successor, item.on) for item in model.mergers),
        closures=tuple(Closure(item.practice, item.on) for item in model.closures),
        notes=model.notes,
    )


def _decimal(text: str, name: str, clause: str, issues: list[Issue], parse: Any) -> Decimal:
    try:
        value: Decimal = parse(text)
    except (ValueError, InvalidOperation) as error:
        issues.append(Issue("incentive.number", str(error), Source(file=name, clause=clause)))
        return Decimal(0)
    return value


# --- registers ----------------------------------------------------------------------------------------------------


def load_register(path: Path) -> Register:
    """The conflicts-of-interest register in a YAML or JSON file, or InvalidInputError naming every problem."""
    return register_from_data(_read(path), str(path))


def register_from_data(data: Any, name: str) -> Register:
    model = _validate(RegisterFile, data, name, "conflicts register")
    issues: list[Issue] = []
    for index, item in enumerate(model.declarations):
        if "@" not in item.person:
            message = f"{item.person!r} is not an email address: the register is keyed by email"
            issues.append(Issue("register.person", message, Source(file=name, clause=f"declarations[{index}].person")))
        if item.valid_to is not None and item.valid_to < item.valid_from:
            message = "the interest ends before it starts"
            issues.append(Issue("register.dates", message, Source(file=name, clause=f"declarations[{index}].to")))
    if issues:
        raise InvalidInputError(issues)
    declarations = tuple(
        Declaration(
            person=item.person.strip().lower(),
            person_name=item.name,
            role=item.role,
            organisation_code=item.organisation.ods_code,
            organisation_name=item.organisation.name,
            nature=InterestNature(item.nature),
            description=item.description,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
            declared_on=item.declared_on,
            action_taken=item.action_taken,
        )
        for item in model.declarations
    )
    return Register(declarations, source=model.organisation or name)


# --- weighted lists -----------------------------------------------------------------------------------------------


def load_weighted_list(path: Path, counted_on: date) -> tuple[PatientCount, ...]:
    """A CSV with practice_code and weighted_patients columns (decimal text): weighted list sizes on a date."""
    name = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=name))]) from None
    issues: list[Issue] = []
    counts: list[PatientCount] = []
    for number, row in enumerate(rows, start=2):
        code = (row.get("practice_code") or "").strip().upper()
        text = (row.get("weighted_patients") or "").strip()
        try:
            patients = to_decimal(text)
        except ValueError:
            patients = Decimal(-1)
        if not _CODE.match(code) or patients < 0:
            message = "expected a practice code and a weighted_patients number of 0 or more"
            issues.append(Issue("weighted.row", message, Source(file=name, row=number)))
            continue
        counts.append(PatientCount(code, counted_on, patients))
    if not rows:
        issues.append(Issue("weighted.empty", "no rows: expected practice_code,weighted_patients", Source(file=name)))
    if issues:
        raise InvalidInputError(issues)
    return tuple(counts)


# --- shared -------------------------------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    return _parsed(lambda: read_document(path), str(path))


def _parsed(parse: Callable[[], Any], name: str) -> Any:
    """The parsed document; an impossible date (which the YAML reader raises as ValueError) becomes an Issue."""
    try:
        return parse()
    except ValueError as error:
        message = f"{error}: write dates as real dates like 2015-07-01"
        raise InvalidInputError([Issue("file.syntax", message, Source(file=name))]) from None


def _validate(kind: type[M], data: Any, name: str, what: str) -> M:
    if not isinstance(data, dict):
        message = f"a {what} file must be a mapping of keys (YAML or JSON object) at the top level"
        raise InvalidInputError([Issue("file.shape", message, Source(file=name))])
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        raise InvalidInputError([_issue(detail, name) for detail in error.errors()]) from None


def _issue(detail: ErrorDetails, name: str) -> Issue:
    location = tuple(part for part in detail["loc"] if not (isinstance(part, str) and "[" in part))
    kind = detail["type"]
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = f"{location[-1]!r} is not a known key" if location else "unknown key"
    else:
        message = detail["msg"].removeprefix("Value error, ")
        if "input" in detail and kind not in {"model_type", "dict_type"} and not isinstance(detail["input"], dict):
            message = f"{message} (found {detail['input']!r})"
    return Issue(f"file.{kind}", message, Source(file=name, clause=key_path(location)))


class YamlSchemeParser:
    """Implements the SchemeParser port."""

    def parse(self, text: str, name: str) -> IncentiveScheme:
        return scheme_from_data(_parsed(lambda: parse_document(text, name), name), name)
