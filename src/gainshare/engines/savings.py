"""Costs and net saving per scheme for one settlement period (DESIGN section 2)."""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from gainshare.domain.agreement import Agreement, Scheme
from gainshare.domain.figures import SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.periods import Period
from gainshare.domain.settlement import LineKind, SettlementLine
from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import EXACT, round_pence


@dataclass(frozen=True, slots=True)
class SchemeCosts:
    scheme: str
    baseline: Money
    actual: Money
    provision: Money
    setup: Money
    lines: tuple[SettlementLine, ...]

    @property
    def net_saving(self) -> Money:
        return self.baseline - self.actual - self.provision - self.setup


@dataclass
class _Exact:
    baseline: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    provision: Decimal = Decimal(0)
    baseline_activity: Decimal = Decimal(0)
    adjusted_activity: Decimal = Decimal(0)
    actual_activity: Decimal = Decimal(0)
    provision_activity: Decimal = Decimal(0)


def scheme_costs(
    agreement: Agreement, period: Period, rows: list[SchemeFigures], mode: RoundingMode
) -> list[SchemeCosts]:
    """One set of cost lines per scheme: exact sums over the period's rows, each rounded once."""
    by_scheme: dict[str, _Exact] = defaultdict(_Exact)
    with decimal.localcontext(EXACT):
        for row in rows:
            _accumulate(agreement, agreement.scheme(row.scheme), row, by_scheme[row.scheme])
    return [
        _costs(agreement, scheme, period, by_scheme[scheme.id], mode)
        for scheme in agreement.schemes
        if scheme.id in by_scheme or _setup_in(scheme, period)
    ]


def _accumulate(agreement: Agreement, scheme: Scheme, row: SchemeFigures, into: _Exact) -> None:
    year = agreement.term_year(row.span.start)
    price = scheme.hospital_price.pence * agreement.baseline.price_factor(year)
    if row.baseline_cost is not None:
        into.baseline += row.baseline_cost.pence
    elif row.baseline_activity is not None:
        adjusted = row.baseline_activity * agreement.baseline.activity_factor(year)
        into.baseline_activity += row.baseline_activity
        into.adjusted_activity += adjusted
        into.baseline += adjusted * price
    if row.actual_cost is not None:
        into.actual += row.actual_cost.pence
    elif row.actual_activity is not None:
        into.actual_activity += row.actual_activity
        into.actual += row.actual_activity * price
    if row.provision_cost is not None:
        into.provision += row.provision_cost.pence
    elif row.provision_activity is not None:
        into.provision_activity += row.provision_activity
        into.provision += row.provision_activity * scheme.provision_price.pence


def _setup_in(scheme: Scheme, period: Period) -> bool:
    return scheme.setup_funding is not None and scheme.setup_funding.period == period.id


def _costs(agreement: Agreement, scheme: Scheme, period: Period, exact: _Exact, mode: RoundingMode) -> SchemeCosts:
    clause = scheme.clause
    baseline = Money(round_pence(exact.baseline, mode))
    actual = Money(round_pence(exact.actual, mode))
    provision = Money(round_pence(exact.provision, mode))
    year = agreement.term_year(period.start)
    lines = [
        _line(
            "cost.baseline",
            f"{clause}.hospital_price",
            baseline,
            exact.baseline,
            scheme,
            f"Baseline cost: {_qty(exact.adjusted_activity)} units (historic {_qty(exact.baseline_activity)}, "
            f"adjusted for list growth) at the hospital price {scheme.hospital_price} "
            f"uplifted to year {year} of the term.",
            historic_activity=_qty(exact.baseline_activity),
            adjusted_activity=_qty(exact.adjusted_activity),
        ),
        _line(
            "cost.actual",
            f"{clause}.hospital_price",
            actual,
            exact.actual,
            scheme,
            f"Actual hospital cost: {_qty(exact.actual_activity)} units at the same price.",
            actual_activity=_qty(exact.actual_activity),
        ),
        _line(
            "cost.provision",
            f"{clause}.provision_price",
            provision,
            exact.provision,
            scheme,
            f"Provision cost: {_qty(exact.provision_activity)} out-of-hospital units at {scheme.provision_price} each.",
            provision_activity=_qty(exact.provision_activity),
        ),
    ]
    setup = Money(0)
    if scheme.setup_funding is not None and _setup_in(scheme, period):
        setup = scheme.setup_funding.amount
        lines.append(
            _line(
                "cost.setup",
                f"{clause}.setup_funding",
                setup,
                None,
                scheme,
                f"Agreed set-up funding for {scheme.name} in {period.id}.",
            )
        )
    net = baseline - actual - provision - setup
    lines.append(
        SettlementLine(
            LineKind.SAVING,
            "saving.scheme",
            f"Net saving on {scheme.name}: baseline less actual hospital cost, provision cost and set-up funding.",
            clause,
            net,
            scheme=scheme.id,
        )
    )
    return SchemeCosts(scheme.id, baseline, actual, provision, setup, tuple(lines))


def _line(
    code: str, clause: str, amount: Money, exact: Decimal | None, scheme: Scheme, text: str, **inputs: str
) -> SettlementLine:
    return SettlementLine(
        LineKind.COST, code, text, clause, amount, exact, scheme=scheme.id, inputs=tuple(inputs.items())
    )


def _qty(value: Decimal) -> str:
    """An activity count for a sentence: '10,174.7' or '9,800' (two decimal places at most, shown as needed)."""
    text = f"{value.quantize(Decimal('0.01')):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
