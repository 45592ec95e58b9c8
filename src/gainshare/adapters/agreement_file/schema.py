"""The JSON Schema of the agreement file, generated from the models."""

from __future__ import annotations

from typing import Any

from gainshare.adapters.agreement_file.models import AgreementFile

SCHEMA_ID = "https://gainshare.invalid/schema/agreement-1.json"


def agreement_schema() -> dict[str, Any]:
    schema = AgreementFile.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
