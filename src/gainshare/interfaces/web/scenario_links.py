"""A link that carries a Negotiate form's values, so that the other side of the table opens the same scenarios.

The values (assumptions, term sets, seed, number of scenarios) are JSON, compressed and base64url-encoded into one
query parameter. Opening the link re-reads them through the same checks as the form and, since the simulation is
seeded, gives the same numbers. Nothing is stored, and the link is useless without access to the agreement.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

PARAMETER = "scenarios"
MAX_TOKEN = 16_384  # characters: a link stays well inside what browsers and servers accept
MAX_JSON = 262_144  # bytes once inflated: a damaged or hostile token cannot balloon
_NOT_SHARED = frozenset({"csrf_token"})


class DamagedLink(ValueError):
    """The token is not one this page made (cut short when copied, or edited)."""


def encode(fields: dict[str, str]) -> str:
    shared = {key: value for key, value in sorted(fields.items()) if key not in _NOT_SHARED}
    packed = zlib.compress(json.dumps(shared, separators=(",", ":")).encode("utf-8"), level=9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(token: str) -> dict[str, str]:
    if len(token) > MAX_TOKEN:
        raise DamagedLink("the link is longer than any this page makes")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_JSON)
        if inflater.unconsumed_tail or not inflater.eof:
            raise DamagedLink("the link is cut short or too large")
        values = json.loads(text.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedLink("the link is damaged (perhaps cut short when it was copied)") from error
    if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise DamagedLink("the link does not hold a form's values")
    return {key: value for key, value in values.items() if key not in _NOT_SHARED}
