"""The "Start a new agreement" form: its fields (named by the agreement file's key paths, like the editor's) and
the text of version 1 built from them, from the example agreement, or from an uploaded file.

The posted values are put at their key paths with the editor's mapping (forms.apply) into a document whose parties
are the two chosen organisations; the workspace service validates the text, and its issues (key paths) are placed
next to the fields with the editor's placement (forms.place).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from gainshare.domain.issues import Issue, Source
from gainshare.interfaces.web import forms
from gainshare.services.ports import Organisation, OrganisationKind

MIN_SCHEMES = 1
MAX_SCHEMES = 12
MAX_UPLOAD_BYTES = 1_000_000
START_FROM = (("form", "Fill in the form below"), ("template", "The example agreement"), ("upload", "A YAML file"))
PERIODS = ("annual", "quarterly", "monthly")
COUNTERPARTY = forms.Field("counterparty_id", "Counterparty", kind="select")
OWN = forms.Field("own_id", "Your organisation", kind="select")
FILE = forms.Field("file", "Agreement file (YAML)", "The agreement file format, as exported from the YAML editor.")
LOSSES = forms.Field("losses", "Does the provider share losses too?", kind="radios")
LOSS_SHARE = forms.Field(
    "sharing.losses.provider_share", "Provider's share of losses", "For example, 30%", width=5, optional=True
)


@dataclass(frozen=True, slots=True)
class Parties:
    commissioner: Organisation
    provider: Organisation


def scheme_count(posted: Mapping[str, str]) -> int:
    """How many scheme fieldsets the form shows: those posted (up to MAX_SCHEMES), one more after "Add"."""
    try:
        count = int(posted.get("schemes", "") or MIN_SCHEMES)
    except ValueError:
        count = MIN_SCHEMES
    if posted.get("action") == "add-scheme":
        count += 1
    return max(MIN_SCHEMES, min(count, MAX_SCHEMES))


def general_fields() -> tuple[forms.Field, ...]:
    return (
        forms.Field("title", "Title", "Shown in agreement lists, for example 'Northvale MSK gain share'", width=30),
        forms.Field("term.start", "Term starts", "For example, 2025-04-01", "date"),
        forms.Field("term.end", "Term ends (inclusive)", "For example, 2028-03-31", "date"),
        forms.Field("term.settlement_period", "Settlement period", kind="select", options=PERIODS),
    )


def scheme_fields(index: int) -> tuple[forms.Field, ...]:
    key = f"schemes[{index}]"
    return (
        forms.Field(f"{key}.name", "Service moved out of hospital", width=30),
        forms.Field(f"{key}.hospital_price", "Hospital price per unit (£)", "For example, 34.00"),
        forms.Field(f"{key}.provision_price", "Out-of-hospital price per unit (£)", "For example, 21.50"),
    )


def sharing_fields() -> tuple[forms.Field, ...]:
    return (
        forms.Field("sharing.gains.provider_share", "Provider's share of savings", "For example, 50%", width=5),
        forms.Field(
            "sharing.gains.threshold.percent_of_baseline",
            "Minimum saving before sharing (percent of baseline)",
            "For example, 1%. Leave empty for no threshold.",
            width=5,
            optional=True,
        ),
        forms.Field(
            "sharing.gains.cap.percent_of_baseline",
            "Cap on the provider's gain (percent of baseline)",
            "For example, 15%. Leave empty for no cap.",
            width=5,
            optional=True,
        ),
    )


def document_fields(schemes: int) -> list[forms.Field]:
    """Every field written into the document (the losses share only when losses are shared)."""
    found = [*general_fields(), *sharing_fields()]
    for index in range(schemes):
        found.extend(scheme_fields(index))
    return found


def every_field(schemes: int) -> list[forms.Field]:
    return [OWN, COUNTERPARTY, FILE, *document_fields(schemes), LOSSES, LOSS_SHARE]


def parties(own: Organisation, counterparty: Organisation) -> Parties:
    if own.kind is OrganisationKind.COMMISSIONER:
        return Parties(own, counterparty)
    return Parties(counterparty, own)


def from_form(chosen: Parties, posted: Mapping[str, str], schemes: int) -> str:
    """Version 1's text from the form's fields, at their key paths (the editor's mapping); blank scheme
    fieldsets after the last one filled in are left out."""
    kept = 1 + max((index for index in range(schemes) if _filled(posted, scheme_fields(index))), default=0)
    data: dict[str, Any] = _skeleton(chosen, posted.get("title", ""))
    data["schemes"] = [{"id": _scheme_id(posted.get(f"schemes[{index}].name", ""), index)} for index in range(kept)]
    data["sharing"] = {"gains": {}, "rounding": "half-up"}
    fields = document_fields(kept)
    if posted.get("losses") == "yes":
        fields.append(LOSS_SHARE)
        data["sharing"]["losses"] = {}
    return forms.apply(data, fields, posted)


def from_template(chosen: Parties, title: str) -> str:
    """The example agreement with the chosen organisations as its parties (and the title, if given)."""
    data = forms.parse_text(files("gainshare.data").joinpath("agreement_template.yaml").read_text(encoding="utf-8"))
    skeleton = _skeleton(chosen, title or str(data.get("title", "")))
    data.update({key: skeleton[key] for key in ("id", "title", "parties")})
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    return text


def upload_issues(content: bytes | None) -> list[Issue]:
    if not content:
        return [_issue("file", "choose an agreement file (YAML) to upload")]
    if len(content) > MAX_UPLOAD_BYTES:
        return [_issue("file", f"the file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")]
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return [_issue("file", "the file is not UTF-8 text: save it as a YAML text file")]
    return []


def uploaded_title(text: str) -> str:
    title = forms.parse_text(text).get("title")
    return title.strip() if isinstance(title, str) else ""


def form_issue(path: str, message: str) -> Issue:
    return _issue(path, message)


def _issue(path: str, message: str) -> Issue:
    return Issue("form.invalid", message, Source(clause=path))


def _skeleton(chosen: Parties, title: str) -> dict[str, Any]:
    commissioner, provider = chosen.commissioner, chosen.provider
    return {
        "gainshare": 1,
        "id": _slug(title) or "agreement",
        "version": 1,
        "title": title.strip(),
        "parties": [
            {"id": "ICB", "role": "commissioner", "name": commissioner.name, "ods_code": commissioner.ods_code},
            {"id": "FED", "role": "provider", "name": provider.name, "ods_code": provider.ods_code},
        ],
    }


def _filled(posted: Mapping[str, str], fields: tuple[forms.Field, ...]) -> bool:
    return any(posted.get(field.path, "").strip() for field in fields)


def _scheme_id(name: str, index: int) -> str:
    return _slug(name) or f"scheme-{index + 1}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
