"""Rules the in-memory and SQL incentive records share, so that both keep the same contract.

- A payment's idempotency key names its scheme, stage and eligible practice (engines.incentives.payment_key); the
  stores keep one payment per scheme, stage and practice, so they read the stage and practice back from the key.
- The register is append-only: a declaration with the same person, organisation, nature and start date as an
  earlier one is an update (for example the interest's end date set) and supersedes it; the history keeps both.
"""

from __future__ import annotations

from collections.abc import Iterable

from gainshare.domain.conflicts import Declaration
from gainshare.engines.incentives import payment_key


def split_payment_key(scheme_id: str, key: str) -> tuple[str, str]:
    """(stage id, practice code) of an incentive payment key of the scheme; ValueError for any other key."""
    prefix = f"incentive/{scheme_id}/"
    parts = key[len(prefix) :].split("/") if key.startswith(prefix) else []
    if len(parts) != 2 or payment_key(scheme_id, parts[0], parts[1]) != key or not all(parts):
        raise ValueError(
            f"{key!r} is not a payment key of incentive scheme {scheme_id!r} (incentive/scheme/stage/code)"
        )
    return parts[0], parts[1]


def declaration_key(declaration: Declaration) -> tuple[str, str, str, str]:
    return (
        declaration.person,
        declaration.organisation_code.upper(),
        declaration.nature.value,
        declaration.valid_from.isoformat(),
    )


def current_declarations(history: Iterable[Declaration]) -> list[Declaration]:
    """The register as it stands: the latest of each declaration, in the order they were (last) recorded."""
    latest: dict[tuple[str, str, str, str], tuple[int, Declaration]] = {}
    for position, declaration in enumerate(history):
        latest[declaration_key(declaration)] = (position, declaration)
    return [declaration for _, declaration in sorted(latest.values(), key=lambda item: item[0])]
