"""Load and check an agreement file: shape (pydantic), then meaning (domain checks)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from gainshare.adapters.agreement_file.convert import to_agreement
from gainshare.adapters.agreement_file.models import AgreementFile
from gainshare.adapters.structured_text import parse_document, read_document
from gainshare.domain.agreement import Agreement
from gainshare.domain.checks import check_agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source


def load_agreement(path: Path) -> Agreement:
    """The agreement in a YAML or JSON file, or InvalidInputError listing every problem."""
    return agreement_from_data(read_document(path), str(path))


def parse_agreement(text: str, name: str = "agreement") -> Agreement:
    return agreement_from_data(parse_document(text, name), name)


def agreement_from_data(data: Any, name: str) -> Agreement:
    model = validate_model(data, name)
    agreement = to_agreement(model)
    issues = [issue.at(file=name) for issue in check_agreement(agreement)]
    if issues:
        raise InvalidInputError(issues)
    return agreement


def validate_model(data: Any, name: str) -> AgreementFile:
    if not isinstance(data, dict):
        raise InvalidInputError(
            [
                Issue(
                    "file.shape",
                    "an agreement file must be a mapping of keys (YAML or JSON object) at the top level",
                    Source(file=name),
                )
            ]
        )
    try:
        return AgreementFile.model_validate(data)
    except ValidationError as error:
        raise InvalidInputError([_issue(detail, name) for detail in error.errors()]) from None


def key_path(location: tuple[int | str, ...]) -> str:
    """('sharing', 'gains', 'bands', 1, 'provider_share') -> 'sharing.gains.bands[1].provider_share'."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in {"str", "ComplementModel", "function-before[_rate_text(), str]"}:
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _issue(detail: ErrorDetails, name: str) -> Issue:
    location = tuple(part for part in detail["loc"] if not _is_union_tag(part))
    path = key_path(location)
    kind = detail["type"]
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = _unknown_key(location)
    else:
        message = detail["msg"].removeprefix("Value error, ")
        if "input" in detail and kind not in {"model_type", "dict_type"}:
            message = f"{message} (found {detail['input']!r})"
    return Issue(f"agreement.{kind}", message, Source(file=name, clause=path))


def _is_union_tag(part: int | str) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or part in {"str", "ComplementModel"})


def _unknown_key(location: tuple[int | str, ...]) -> str:
    key = str(location[-1])
    known = _known_keys(location[:-1])
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else (f"; known keys here: {', '.join(known)}" if known else "")
    return f"{key!r} is not a known key{hint}"


def _known_keys(location: tuple[int | str, ...]) -> list[str]:
    model: Any = AgreementFile
    for part in location:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _inner_model(field.annotation)
    fields = getattr(model, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def _inner_model(annotation: Any) -> Any:
    for candidate in getattr(annotation, "__args__", ()) or (annotation,):
        inner = _inner_model(candidate) if getattr(candidate, "__args__", None) else candidate
        if hasattr(inner, "model_fields"):
            return inner
    return annotation
