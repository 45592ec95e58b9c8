"""Settlements as JSON-ready dicts: money as integer pence plus a decimal string, never floats."""

from __future__ import annotations

from typing import Any

from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.domain.settlement import Settlement, SettlementLine


def money(amount: Money) -> dict[str, Any]:
    return {"pence": amount.pence, "pounds": amount.plain()}


def line_dict(line: SettlementLine) -> dict[str, Any]:
    result: dict[str, Any] = {
        "kind": line.kind.value,
        "code": line.code,
        "clause": line.clause,
        "description": line.description,
        "amount_pence": line.amount.pence,
        "amount": line.amount.plain(),
    }
    if line.exact is not None:
        result["exact_pence"] = str(line.exact.normalize() if line.exact else line.exact)
    for key in ("party", "scheme"):
        if getattr(line, key) is not None:
            result[key] = getattr(line, key)
    if line.inputs:
        result["inputs"] = dict(line.inputs)
    return result


def settlement_dict(settlement: Settlement) -> dict[str, Any]:
    return {
        "agreement": settlement.agreement_id,
        "version": settlement.agreement_version,
        "period": settlement.period,
        "baseline_cost": money(settlement.baseline_cost),
        "net_saving": money(settlement.net_saving),
        "shares": {party: money(amount) for party, amount in settlement.shares},
        "true_ups": {party: money(amount) for party, amount in settlement.true_ups},
        "lines": [line_dict(line) for line in settlement.lines],
    }


def transaction_dict(transaction: Transaction) -> dict[str, Any]:
    return {
        "key": transaction.key,
        "description": transaction.description,
        "postings": [{"account": p.account, **money(p.amount)} for p in transaction.postings],
    }
