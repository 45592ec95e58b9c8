"""The Inputs sheet of the statement workbook: the agreement's terms and the period's figures, as typed values.

Every input cell is shaded; the Calculation sheet refers to them by absolute reference, so an auditor can
change an input and see the statement recompute. InputRefs records where each input went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gainshare.domain.agreement import Agreement
from gainshare.domain.money import Money
from gainshare.domain.parties import PartyRole
from gainshare.domain.terms import Limit, Split, Threshold
from gainshare.reports.context import StatementContext
from gainshare.reports.excel import Sheet, number

Value = Decimal | Money | str | int | None


@dataclass(frozen=True)
class LimitRefs:
    clause: str
    amount: str
    percent_of_baseline: str
    percent_of_revenue: str
    population_rows: tuple[tuple[str, str, str, str], ...]  # from, to, rate from, rate to


@dataclass(frozen=True)
class ThresholdRefs:
    limit: LimitRefs
    sharing: str


@dataclass(frozen=True)
class BandRefs:
    lower: str
    upper: str
    share: str


@dataclass(frozen=True)
class PartyRefs:
    party_id: str
    name: str
    role: PartyRole
    weight: str
    clause: str


@dataclass(frozen=True)
class FigureRowRefs:
    scheme: str
    year: str
    baseline_activity: str
    actual_activity: str
    provision_activity: str
    baseline_cost: str
    actual_cost: str
    provision_cost: str


@dataclass
class InputRefs:
    """Where each input is; '' for inputs an agreement does not have."""

    rounding: str = ""
    list_growth: str = ""
    price_uplift: str = ""
    efficiency: str = ""
    gain_rate: str = ""
    band_basis: str = ""
    bands: list[BandRefs] = field(default_factory=list)
    gain_threshold: ThresholdRefs | None = None
    gain_cap: LimitRefs | None = None
    quality_mode: str = ""
    quality_minimum: str = ""
    quality_full_from: str = ""
    loss_rate: str = ""
    loss_floor: str = ""
    loss_ceiling: str = ""
    loss_below_minimum: str = ""
    loss_threshold: ThresholdRefs | None = None
    loss_cap: LimitRefs | None = None
    quality_score: str = ""
    population: str = ""
    revenue: str = ""
    paid: dict[str, str] = field(default_factory=dict)
    scheme_ids: str = ""  # the range of scheme ids
    hospital_prices: str = ""
    provision_prices: str = ""
    setup: dict[str, str] = field(default_factory=dict)  # scheme id -> set-up funding charged in the period
    scheme_cells: dict[str, str] = field(default_factory=dict)  # scheme id -> the cell holding the id
    rows: list[FigureRowRefs] = field(default_factory=list)
    parties: list[PartyRefs] = field(default_factory=list)


class InputsSheet:
    def __init__(self, sheet: Sheet, context: StatementContext) -> None:
        self.s = sheet
        self.ctx = context
        self.refs = InputRefs()

    def write(self) -> InputRefs:
        a = self.ctx.agreement
        self.s.title(f"Inputs: {a.title}")
        self.s.note(
            "Shaded cells are inputs, copied from the agreement (version below) and the period's figures. "
            "The Calculation sheet recomputes the statement from them with formulas; change one to test it."
        )
        self._agreement(a)
        self._rules(a)
        self._facts()
        self._schemes(a)
        self._figures()
        self._parties(a)
        return self.refs

    def value(self, label: str, value: Value, clause: str = "", kind: str = "text") -> str:
        s, row = self.s, self.s.row
        s.ws.write_string(row, 0, label, s.f.text)
        self._put(row, 1, value, kind)
        if clause:
            s.ws.write_string(row, 2, clause, s.f.clause)
        s.row += 1
        return s.ref(row, 1)

    def _put(self, row: int, col: int, value: Value, kind: str) -> None:
        ws, f = self.s.ws, self.s.f
        style: Any = {"money": f.input_money, "rate": f.input_rate, "count": f.input_count}.get(kind, f.input_text)
        if value is None:
            ws.write_blank(row, col, None, style)
        elif isinstance(value, Money):
            ws.write_number(row, col, number(value.as_decimal_pounds()), style)
        elif isinstance(value, str):
            ws.write_string(row, col, value, style)
        else:
            ws.write_number(row, col, number(value), style)

    def _agreement(self, a: Agreement) -> None:
        self.s.heading("Agreement")
        self.value("Agreement id", a.id)
        self.value("Version", a.version, kind="count")
        self.value("Title", a.title)
        self.value("Settlement period", self.ctx.period.id, "term")
        self.value("Period starts", self.ctx.period.start.isoformat(), "term")
        self.value("Period ends", self.ctx.period.end.isoformat(), "term")
        base = a.baseline
        self.s.heading("Baseline adjustments (per year of the term)")
        self.refs.list_growth = self.value("List growth (on activity)", base.list_growth, base.clause, "rate")
        self.refs.price_uplift = self.value("Price uplift (on hospital prices)", base.price_uplift, base.clause, "rate")
        self.refs.efficiency = self.value("Efficiency (less, on hospital prices)", base.efficiency, base.clause, "rate")

    def _rules(self, a: Agreement) -> None:
        rules = a.sharing
        self.s.heading("Sharing rules")
        self.refs.rounding = self.value(
            "Rounding mode (half-up, half-even, down or up)", rules.rounding.value, "sharing.rounding"
        )
        gains = rules.gains
        schedule = gains.share
        if schedule.flat is not None:
            self.refs.gain_rate = self.value(
                "Provider side's share of the gain", schedule.flat, schedule.clause, "rate"
            )
        else:
            self._bands(schedule.clause, schedule.band_basis.value, schedule.bands)
        if gains.threshold is not None:
            self.refs.gain_threshold = self._threshold("Gain threshold", gains.threshold)
        if gains.cap is not None:
            self.refs.gain_cap = self._limit("Cap on the provider side's gain", gains.cap)
        self._quality(a)
        self._losses(a)

    def _bands(self, clause: str, basis: str, bands: tuple[Any, ...]) -> None:
        self.refs.band_basis = self.value("Bands measured as (percent-of-baseline or amount)", basis, clause)
        self.s.headers("Band", "From", "To (blank: no top)", "Provider share")
        for index, band in enumerate(bands, start=1):
            row = self.s.row
            self.s.ws.write_string(row, 0, f"Band {index} ({clause}[{index}])", self.s.f.text)
            kind = "rate" if basis == "percent-of-baseline" else "money"
            self._put(row, 1, _band_edge(band.lower, kind), kind)
            self._put(row, 2, None if band.upper is None else _band_edge(band.upper, kind), kind)
            self._put(row, 3, band.provider_share, "rate")
            self.refs.bands.append(BandRefs(self.s.ref(row, 1), self.s.ref(row, 2), self.s.ref(row, 3)))
            self.s.row += 1

    def _threshold(self, label: str, threshold: Threshold) -> ThresholdRefs:
        limit = self._limit(label, threshold.limit)
        sharing = self.value(f"{label}: once met, share (first-pound or excess-only)", threshold.sharing.value)
        return ThresholdRefs(limit, sharing)

    def _limit(self, label: str, limit: Limit) -> LimitRefs:
        amount = self.value(f"{label}: amount (blank: none)", limit.amount, limit.clause, "money")
        baseline = self.value(f"{label}: % of baseline (blank: none)", limit.percent_of_baseline, limit.clause, "rate")
        revenue = self.value(f"{label}: % of revenue (blank: none)", limit.percent_of_revenue, limit.clause, "rate")
        rows = []
        if limit.population_table:
            self.s.headers(f"{label}: rate by population", "Population from", "to (blank: no top)", "Rate from", "to")
            for index, item in enumerate(limit.population_table, start=1):
                row = self.s.row
                self.s.ws.write_string(row, 0, f"Row {index} (the lesser of the limits applies)", self.s.f.text)
                self._put(row, 1, item.population_from, "count")
                self._put(row, 2, item.population_to, "count")
                self._put(row, 3, item.rate_from, "rate")
                self._put(row, 4, item.rate_to, "rate")
                rows.append(tuple(self.s.ref(row, col) for col in range(1, 5)))
                self.s.row += 1
        return LimitRefs(limit.clause, amount, baseline, revenue, tuple(rows))  # type: ignore[arg-type]

    def _quality(self, a: Agreement) -> None:
        quality = a.sharing.quality
        if quality is None:
            return
        self.refs.quality_mode = self.value(
            "Quality mode (gate, multiplier or gate-and-multiplier)", quality.mode.value, quality.clause
        )
        self.refs.quality_minimum = self.value("Quality minimum score", quality.minimum, quality.clause, "count")
        self.refs.quality_full_from = self.value(
            "Full share from score (blank: always scale)", quality.full_share_from, quality.clause, "count"
        )

    def _losses(self, a: Agreement) -> None:
        losses = a.sharing.losses
        if losses is None:
            self.value("Losses", "one-sided: the commissioner bears every loss", "sharing.losses")
            return
        rate = losses.provider_share
        if isinstance(rate, Decimal):
            self.refs.loss_rate = self.value("Provider side's share of a loss", rate, losses.clause, "rate")
        else:
            self.refs.loss_floor = self.value(
                "Loss rate floor (rate = 1 - gain share x quality)", rate.floor, losses.clause, "rate"
            )
            self.refs.loss_ceiling = self.value("Loss rate ceiling", rate.ceiling, losses.clause, "rate")
            self.refs.loss_below_minimum = self.value(
                "Loss rate below the quality minimum (blank: none)", rate.below_quality_minimum, losses.clause, "rate"
            )
        if losses.threshold is not None:
            self.refs.loss_threshold = self._threshold("Loss threshold", losses.threshold)
        if losses.cap is not None:
            self.refs.loss_cap = self._limit("Cap on the provider side's loss", losses.cap)

    def _facts(self) -> None:
        facts = self.ctx.facts
        clause = f"figures: periods.{self.ctx.period.id}"
        self.s.heading("Period facts")
        self.refs.quality_score = self.value("Quality score", facts.quality_score, clause, "count")
        self.refs.population = self.value("Population", facts.population, clause, "count")
        self.refs.revenue = self.value("Revenue", facts.revenue, clause, "money")
        for party_id, paid in facts.paid_on_account:
            self.refs.paid[party_id] = self.value(f"Paid on account to {party_id}", paid, clause, "money")

    def _schemes(self, a: Agreement) -> None:
        self.s.heading("Schemes")
        self.s.headers(
            "Scheme", "Hospital price (baseline year)", "Provision price", "Set-up funding this period", "Name"
        )
        first = self.s.row
        for scheme in a.schemes:
            row = self.s.row
            setup = scheme.setup_funding
            charged = setup.amount if setup is not None and setup.period == self.ctx.period.id else None
            self.s.ws.write_string(row, 0, scheme.id, self.s.f.input_text)
            self._put(row, 1, scheme.hospital_price, "money")
            self._put(row, 2, scheme.provision_price, "money")
            self._put(row, 3, charged, "money")
            self.s.ws.write_string(row, 4, f"{scheme.name} ({scheme.clause})", self.s.f.text)
            self.refs.setup[scheme.id] = self.s.ref(row, 3)
            self.refs.scheme_cells[scheme.id] = self.s.ref(row, 0)
            self.s.row += 1
        last = self.s.row - 1
        self.refs.scheme_ids = f"{self.s.ref(first, 0)}:{self.s.ref(last, 0).split('!')[1]}"
        self.refs.hospital_prices = f"{self.s.ref(first, 1)}:{self.s.ref(last, 1).split('!')[1]}"
        self.refs.provision_prices = f"{self.s.ref(first, 2)}:{self.s.ref(last, 2).split('!')[1]}"

    def _figures(self) -> None:
        self.s.heading("Figures (one row per scheme and span; a cost given directly replaces activity x price)")
        self.s.headers(
            "Scheme",
            "Span",
            "Year of the term",
            "Baseline activity (historic)",
            "Actual activity",
            "Provision activity",
            "Baseline cost given",
            "Actual cost given",
            "Provision cost given",
        )
        agreement = self.ctx.agreement
        for figure in self.ctx.rows:
            row = self.s.row
            values: tuple[tuple[Value, str], ...] = (
                (figure.scheme, "text"),
                (figure.span.id, "text"),
                (agreement.term_year(figure.span.start), "count"),
                (figure.baseline_activity, "count"),
                (figure.actual_activity, "count"),
                (figure.provision_activity, "count"),
                (figure.baseline_cost, "money"),
                (figure.actual_cost, "money"),
                (figure.provision_cost, "money"),
            )
            for col, (value, kind) in enumerate(values):
                self._put(row, col, value, kind)
            refs = [self.s.ref(row, col) for col in range(9)]
            self.refs.rows.append(FigureRowRefs(refs[0], *refs[2:]))
            self.s.row += 1

    def _parties(self, a: Agreement) -> None:
        self.s.heading("Parties and how each side's total is split between them (weights)")
        self.s.headers("Party", "Weight", "Role", "Clause", "Name")
        rules = a.sharing
        for role, split in (
            (PartyRole.PROVIDER, rules.provider_split),
            (PartyRole.COMMISSIONER, rules.commissioner_split),
        ):
            for party_id, weight, clause in _side(a, role, split):
                row = self.s.row
                party = a.party(party_id)
                self.s.ws.write_string(row, 0, party_id, self.s.f.text)
                self._put(row, 1, weight, "count")
                self.s.ws.write_string(row, 2, role.value, self.s.f.text)
                self.s.ws.write_string(row, 3, clause, self.s.f.clause)
                self.s.ws.write_string(row, 4, party.name, self.s.f.text)
                self.refs.parties.append(PartyRefs(party_id, party.name, role, self.s.ref(row, 1), clause))
                self.s.row += 1


def _side(a: Agreement, role: PartyRole, split: Split | None) -> list[tuple[str, Decimal, str]]:
    if split is not None:
        return [(party, weight, split.clause) for party, weight in split.weights]
    first = a.parties_with_role(role)[:1]
    return [(party.id, Decimal(1), "parties (the only party on its side)") for party in first]


def _band_edge(edge: Decimal, kind: str) -> Decimal:
    """A band edge as written: a rate of the baseline, or pounds (bands in amounts are held in pence)."""
    return edge.scaleb(-2) if kind == "money" else edge
