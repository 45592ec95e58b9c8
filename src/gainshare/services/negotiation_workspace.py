"""Negotiate in the shared workspace: uncertain assumptions for an agreement (defaults from its monthly figures),
then the simulation, the term sets side by side and the negotiation frontier, bounded for a web request.

Inputs are three-point estimates (low, most likely, high: a triangular distribution; fixed when all three are
equal), written as exact Decimals (rates as fractions, money in pounds) and turned into the engine's float
distributions (money in pence) in one place here. Each estimate says where it came from. The federation's own
costs default to the service catalogue's set-up and running costs of the schemes' service lines (matched by scheme
id) when the service is given a catalogue; a default with no source in the catalogue is stated as an assumption.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gainshare.domain.agreement import Agreement
from gainshare.domain.assumptions import (
    MONTHS_PER_YEAR,
    Assumptions,
    Distribution,
    Fixed,
    ProviderCosts,
    SchemeAssumptions,
    Triangular,
    history_defaults,
)
from gainshare.domain.catalogue import CatalogueEntry, ServiceCatalogue
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import SchemeFigures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, format_rate, parse_rate, to_decimal
from gainshare.domain.terms import SharingRules, ThresholdSharing
from gainshare.engines.simulation.frontier import Grid, terms_at
from gainshare.services.figures_uploads import FiguresDecoder, FiguresService, UploadContents
from gainshare.services.negotiation import (
    Comparison,
    FrontierReport,
    SimulationReport,
    TermSet,
    compare_terms,
    default_constraints,
    negotiation_frontier,
    simulate_agreement,
)
from gainshare.services.ports import AgreementParser, AgreementVersion, UploadStatus, VersionStatus
from gainshare.services.workspace import Actor, WorkspaceService

MAX_SCENARIOS = 20_000  # a page waits for the answer: about a second for all three analyses on one core
MIN_SCENARIOS = 1_000
DEFAULT_SEED = 1
MAX_SEED = 2**32 - 1
MAX_ALTERNATIVES = 2
TRIANGLE_SD = math.sqrt(6)  # a symmetric triangle of half-width w has sd w / sqrt(6)
WEB_GRID = Grid(
    shares=tuple(Decimal(percent) / 100 for percent in range(30, 75, 5)),
    thresholds=(Decimal(0), Decimal("0.01"), Decimal("0.02")),
    caps=(None, Decimal("0.10"), Decimal("0.15")),
)
DEFAULT_RAMP = (Decimal("0.6"), Decimal("0.8"), Decimal(1))
DEFAULT_ALTERNATIVE = ("Alternative A", Decimal("0.6"), Decimal("0.02"), Decimal("0.15"))
COST_SPREAD = (Decimal("0.8"), Decimal("1.3"))  # the federation's own costs: -20% to +30% around the most likely

COUNT, RATE, MONEY = "count", "rate", "money"


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # the assumptions' variable name within a scheme, or a top-level name
    label: str
    unit: str  # COUNT, RATE or MONEY (pounds)
    hint: str


SCHEME_FIELDS = (
    Variable("baseline_activity", "Baseline activity a year", COUNT, "Units in the baseline year, before growth."),
    Variable("activity_growth", "Yearly growth of demand", RATE, "For example 1.5%."),
    Variable("shift_share", "Share of demand moved out of hospital", RATE, "Once the scheme runs fully."),
    Variable("ramp_up", "Share of the full shift reached in year 1", RATE, "After t years: 1 - (1 - r)^t."),
    Variable("hospital_price", "Hospital price per unit", MONEY, "Pounds, in the baseline year."),
    Variable("out_of_hospital_cost", "Out-of-hospital cost per unit", MONEY, "Pounds the commissioner pays."),
)
GENERAL_FIELDS = (
    Variable("quality_score", "Quality score", RATE, "Used by quality gates and multipliers in the terms."),
    Variable("provider.setup", "Federation's own set-up costs", MONEY, "Pounds, once, in the first year."),
    Variable("provider.running_per_year", "Federation's own running costs a year", MONEY, "Pounds a year."),
)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point estimate: exact values (rates as fractions, money in pounds) and where they came from."""

    low: Decimal
    likely: Decimal
    high: Decimal
    source: str

    def distribution(self, scale: int = 1) -> Distribution:
        """Fixed when the three agree, else triangular; money scaled from pounds to pence by the caller's scale."""
        low, likely, high = (float(value * scale) for value in (self.low, self.likely, self.high))
        return Fixed(likely) if low == likely == high else Triangular(low, likely, high)


@dataclass(frozen=True, slots=True)
class SchemeEstimates:
    scheme: str
    name: str
    values: Mapping[str, Estimate]  # by Variable.key of SCHEME_FIELDS


@dataclass(frozen=True, slots=True)
class Alternative:
    """Alternative terms: the base terms with a flat provider share, a gain threshold and a cap (of baseline)."""

    name: str
    share: Decimal
    threshold: Decimal
    cap: Decimal | None


@dataclass(frozen=True, slots=True)
class NegotiationInputs:
    schemes: tuple[SchemeEstimates, ...]
    general: Mapping[str, Estimate]  # by Variable.key of GENERAL_FIELDS
    alternatives: tuple[Alternative, ...]
    seed: int
    scenarios: int


@dataclass(frozen=True, slots=True)
class VersionTerms:
    number: int
    status: VersionStatus
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class History:
    """Monthly hospital activity of the baseline year, per scheme, from the latest accepted figures."""

    upload_filename: str
    months: tuple[str, ...]  # YYYY-MM of the baseline year
    activity: Mapping[str, tuple[Decimal, ...]]  # scheme -> activity per month
    first_year_shift: Mapping[str, Decimal]  # scheme -> hub / (hospital + hub) activity in the term's first year


@dataclass(frozen=True, slots=True)
class NegotiationSetup:
    agreement_id: int
    base: VersionTerms  # the newest signed version, else the latest
    versions: tuple[VersionTerms, ...]
    history: History | None
    defaults: NegotiationInputs


@dataclass(frozen=True, slots=True)
class NegotiationResults:
    setup: NegotiationSetup
    inputs: NegotiationInputs
    assumptions: Assumptions
    simulation: SimulationReport
    comparison: Comparison
    frontier: FrontierReport

    @property
    def agreement(self) -> Agreement:
        return self.setup.base.agreement


@dataclass(frozen=True)
class NegotiationWorkspace:
    workspace: WorkspaceService
    decoder: FiguresDecoder
    contents: UploadContents
    parser: AgreementParser
    catalogue: ServiceCatalogue | None = None  # the federation's default costs; none: set-up funding and £0

    @classmethod
    def from_figures(cls, figures: FiguresService, catalogue: ServiceCatalogue | None = None) -> NegotiationWorkspace:
        """Over the same ports as the figures service (the composition root wires those and the catalogue)."""
        return cls(figures.workspace, figures.decoder, figures.contents, figures.parser, catalogue)

    def setup(self, actor: Actor, agreement_id: int) -> NegotiationSetup:
        """The agreement's versions as terms, its monthly history and the default inputs derived from them."""
        versions = tuple(self._terms(version) for version in self.workspace.list_versions(actor, agreement_id))
        signed = [version for version in versions if version.status is VersionStatus.SIGNED]
        base = (signed or list(versions))[-1]
        history = self._history(actor, agreement_id, base.agreement)
        defaults = default_inputs(base, history, self.catalogue)
        return NegotiationSetup(agreement_id, base, versions, history, defaults)

    def run(self, actor: Actor, agreement_id: int, inputs: NegotiationInputs) -> NegotiationResults:
        """Simulation, comparison (each version, then the alternatives) and frontier on the same seed."""
        setup = self.setup(actor, agreement_id)
        return analyse(setup, inputs)

    def _terms(self, version: AgreementVersion) -> VersionTerms:
        name = f"agreement {version.agreement_id} version {version.number}"
        return VersionTerms(version.number, version.status, self.parser.parse(version.content, name))

    def _history(self, actor: Actor, agreement_id: int, agreement: Agreement) -> History | None:
        uploads = [u for u in self.workspace.list_uploads(actor, agreement_id) if u.status is UploadStatus.ACCEPTED]
        if not uploads:
            return None
        upload = uploads[-1]
        figures = self.decoder.decode(self.contents.get(upload.sha256), upload.filename)
        return history_of(upload.filename, agreement, figures.rows)


def analyse(setup: NegotiationSetup, inputs: NegotiationInputs) -> NegotiationResults:
    agreement = setup.base.agreement
    assumptions = to_assumptions(inputs, agreement)
    term_sets = [TermSet(f"Version {v.number} ({v.status.value})", v.agreement.sharing) for v in setup.versions]
    term_sets += [TermSet(item.name, alternative_rules(agreement, item)) for item in inputs.alternatives]
    simulation = simulate_agreement(agreement, assumptions, inputs.scenarios, inputs.seed)
    comparison = compare_terms(agreement, assumptions, term_sets, inputs.scenarios, inputs.seed)
    constraints = default_constraints(assumptions)
    frontier = negotiation_frontier(agreement, assumptions, WEB_GRID, constraints, inputs.scenarios, inputs.seed)
    return NegotiationResults(setup, inputs, assumptions, simulation, comparison, frontier)


def alternative_rules(agreement: Agreement, item: Alternative) -> SharingRules:
    return terms_at(agreement.sharing, item.share, item.threshold, item.cap, ThresholdSharing.FIRST_POUND)


def to_assumptions(inputs: NegotiationInputs, agreement: Agreement) -> Assumptions:
    """The engine's distributions: money from pounds to pence, the rest as they are."""

    def scale(variable: Variable) -> int:
        return 100 if variable.unit == MONEY else 1

    schemes = tuple(
        SchemeAssumptions(
            item.scheme,
            *(item.values[variable.key].distribution(scale(variable)) for variable in SCHEME_FIELDS),
        )
        for item in inputs.schemes
    )
    general = inputs.general
    return Assumptions(
        schemes=schemes,
        quality_score=general["quality_score"].distribution(),
        provider_costs=ProviderCosts(
            general["provider.setup"].distribution(100), general["provider.running_per_year"].distribution(100)
        ),
        source=f"assumptions for {agreement.title}",
    )


# --- defaults from the figures ----------------------------------------------------------------------------------


def history_of(filename: str, agreement: Agreement, rows: Sequence[SchemeFigures]) -> History | None:
    """The baseline year's monthly activity (the baseline activity of the term's first twelve months)."""
    by_scheme: dict[str, dict[str, SchemeFigures]] = defaultdict(dict)
    for row in rows:
        if row.span.start.year == row.span.end.year and row.span.start.month == row.span.end.month:
            by_scheme[row.scheme][f"{row.span.start.year:04d}-{row.span.start.month:02d}"] = row
    first_months = sorted({month for months in by_scheme.values() for month in months})[:MONTHS_PER_YEAR]
    if not first_months:
        return None
    activity: dict[str, tuple[Decimal, ...]] = {}
    shift: dict[str, Decimal] = {}
    for scheme in agreement.schemes:
        months = by_scheme.get(scheme.id, {})
        found = [months[month] for month in first_months if month in months]
        history = tuple(row.baseline_activity for row in found if row.baseline_activity is not None)
        if len(history) >= 2:
            activity[scheme.id] = history
        hub = sum((row.provision_activity or Decimal(0) for row in found), Decimal(0))
        hospital = sum((row.actual_activity or Decimal(0) for row in found), Decimal(0))
        if hub + hospital > 0:
            shift[scheme.id] = hub / (hub + hospital)
    return History(filename, tuple(first_months), activity, shift)


def default_inputs(
    base: VersionTerms, history: History | None, catalogue: ServiceCatalogue | None = None
) -> NegotiationInputs:
    """Defaults from the version, its monthly history and (for the federation's own costs) the catalogue."""
    agreement = base.agreement
    schemes = tuple(
        SchemeEstimates(scheme.id, scheme.name, _scheme_defaults(agreement, base.number, scheme.id, history))
        for scheme in agreement.schemes
    )
    quality = (
        Estimate(Decimal("0.85"), Decimal("0.95"), Decimal(1), "Default three-point estimate")
        if agreement.sharing.quality is not None
        else _fixed(Decimal(1), "The terms have no quality gate or multiplier")
    )
    general = {"quality_score": quality, **provider_defaults(agreement, base.number, catalogue)}
    name, share, threshold, cap = DEFAULT_ALTERNATIVE
    return NegotiationInputs(schemes, general, (Alternative(name, share, threshold, cap),), DEFAULT_SEED, MAX_SCENARIOS)


def provider_defaults(agreement: Agreement, number: int, catalogue: ServiceCatalogue | None) -> dict[str, Estimate]:
    """The federation's own costs: set-up around the set-up funding (with none, the catalogue's set-up costs) and
    running costs around the catalogue's, of the schemes that are catalogued service lines; £0 when none is."""
    funding = sum((s.setup_funding.amount for s in agreement.schemes if s.setup_funding), Money(0))
    if catalogue is None or not _lines(agreement, catalogue):
        running = _fixed(Decimal(0), "Not known: enter the federation's own running costs")
        return {"provider.setup": _funded(funding, number), "provider.running_per_year": running}
    return {
        "provider.setup": _funded(funding, number) if funding else _catalogued(agreement, catalogue, "setup_cost"),
        "provider.running_per_year": _catalogued(agreement, catalogue, "annual_running_cost"),
    }


CATALOGUE_COSTS: dict[str, tuple[str, Callable[[CatalogueEntry], Money]]] = {
    "setup_cost": ("set-up costs", lambda entry: entry.setup_cost),
    "annual_running_cost": ("annual running costs", lambda entry: entry.annual_running_cost),
}


def _funded(funding: Money, number: int) -> Estimate:
    pounds = funding.as_decimal_pounds()
    return _spread(pounds, f"Set-up funding in version {number} (£{pounds:,.2f}); -20% to +30%")


def _lines(agreement: Agreement, catalogue: ServiceCatalogue) -> list[CatalogueEntry]:
    """The catalogue's service lines that are the agreement's schemes (same id)."""
    return [entry for scheme in agreement.schemes if (entry := catalogue.get(scheme.id)) is not None]


def _catalogued(agreement: Agreement, catalogue: ServiceCatalogue, cost: str) -> Estimate:
    """The sum of the schemes' catalogued `cost` (a CATALOGUE_COSTS key), -20% to +30%, saying where it came from
    and whether the catalogue has a source for it or it is an assumption."""
    lines = _lines(agreement, catalogue)
    label, amount = CATALOGUE_COSTS[cost]
    pounds = sum((amount(entry) for entry in lines), Money(0)).as_decimal_pounds()
    found = {entry.id for entry in lines}
    missing = [scheme.id for scheme in agreement.schemes if scheme.id not in found]
    covered = ", ".join(entry.id for entry in lines) + f" (not catalogued, so not counted: {', '.join(missing)})"
    prices = f", {catalogue.prices_as_at} prices" if catalogue.prices_as_at else ""
    where = f"Service catalogue ({catalogue.source or 'not named'}{prices})"
    of = f"every scheme's service line ({len(lines)})" if not missing else covered
    return _spread(pounds, f"{where}: {label} of {of}, £{pounds:,.2f}; -20% to +30%; {_evidence(lines, cost)}")


def _evidence(lines: Sequence[CatalogueEntry], cost: str) -> str:
    unsourced = [entry.id for entry in lines if entry.evidence[cost].is_assumption]
    if not unsourced:
        return "each from a source the catalogue cites"
    if len(unsourced) == len(lines):
        return "an ASSUMPTION: the catalogue cites no source for it"
    return f"an ASSUMPTION for {', '.join(unsourced)}: the catalogue cites no source for those"


def _spread(likely: Decimal, source: str) -> Estimate:
    low, high = COST_SPREAD
    return Estimate(_round(likely * low, 2), likely, _round(likely * high, 2), source)


def _scheme_defaults(agreement: Agreement, number: int, scheme_id: str, history: History | None) -> dict[str, Estimate]:
    scheme = agreement.scheme(scheme_id)
    growth = agreement.baseline.list_growth
    months = history.activity.get(scheme_id) if history is not None else None
    values = {
        "baseline_activity": _fixed(Decimal(0), "No monthly figures yet: enter the baseline year's activity"),
        "activity_growth": _fixed(growth, f"List growth in version {number}"),
        "hospital_price": _fixed(scheme.hospital_price.as_decimal_pounds(), f"Hospital price in version {number}"),
        "out_of_hospital_cost": _fixed(
            scheme.provision_price.as_decimal_pounds(), f"Provision price in version {number}"
        ),
    }
    if history is not None and months:
        values.update(_from_history(history, months, growth, number))
    values.update(_shift_defaults(history, scheme_id))
    return values


def _from_history(history: History, months: tuple[Decimal, ...], growth: Decimal, number: int) -> dict[str, Estimate]:
    found = history_defaults([float(value) for value in months])
    period = f"{history.months[0]} to {history.months[len(months) - 1]}"
    yearly = _round(Decimal(repr(found.baseline_activity)), 0)
    # the yearly total's sd if months vary independently, as a triangle of the same sd
    spread = _round(yearly * Decimal(repr(found.monthly_cv / math.sqrt(MONTHS_PER_YEAR) * TRIANGLE_SD)), 0)
    growth_spread = _round(Decimal(repr(found.growth_sd * TRIANGLE_SD)), 4)
    cv = format_rate(_round(Decimal(repr(found.monthly_cv)), 3))
    source = f"{len(months)} months of history in {history.upload_filename} ({period}; monthly CV {cv})"
    return {
        "baseline_activity": Estimate(max(yearly - spread, Decimal(0)), yearly, yearly + spread, source),
        "activity_growth": Estimate(
            growth - growth_spread,
            growth,
            growth + growth_spread,
            f"List growth in version {number}; spread from the same history's variability",
        ),
    }


def _shift_defaults(history: History | None, scheme_id: str) -> dict[str, Estimate]:
    low, likely, high = DEFAULT_RAMP
    ramp = Estimate(low, likely, high, "Default three-point estimate")
    observed = history.first_year_shift.get(scheme_id) if history is not None else None
    if observed is None:
        return {"ramp_up": ramp, "shift_share": Estimate(Decimal("0.2"), Decimal("0.35"), Decimal("0.5"), "Default")}
    full = min(observed / likely, Decimal(1))
    source = (
        f"Hub share of activity in the first year of figures ({format_rate(_round(observed, 3))}) "
        f"divided by the likely ramp-up ({format_rate(likely)}); -25% to +25%"
    )
    shift = Estimate(
        _round(full * Decimal("0.75"), 3), _round(full, 3), min(_round(full * Decimal("1.25"), 3), Decimal(1)), source
    )
    return {"ramp_up": ramp, "shift_share": shift}


def _fixed(value: Decimal, source: str) -> Estimate:
    return Estimate(value, value, value, source)


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places))


# --- reading the form -------------------------------------------------------------------------------------------


def field_name(prefix: str, variable: Variable, point: str) -> str:
    return f"{prefix}.{variable.key}.{point}"


POINTS = ("low", "likely", "high")


def display(value: Decimal, unit: str) -> str:
    """How a value is written in the form (and read back by read_inputs)."""
    if unit == RATE:
        return format_rate(value)
    if unit == MONEY:
        return f"{_round(value, 2):f}"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def form_values(inputs: NegotiationInputs) -> dict[str, str]:
    """The inputs as the form's fields (names as read_inputs reads them)."""
    values: dict[str, str] = {"seed": str(inputs.seed), "scenarios": str(inputs.scenarios)}
    for scheme in inputs.schemes:
        for variable in SCHEME_FIELDS:
            estimate = scheme.values[variable.key]
            for point in POINTS:
                values[field_name(scheme.scheme, variable, point)] = display(getattr(estimate, point), variable.unit)
    for variable in GENERAL_FIELDS:
        estimate = inputs.general[variable.key]
        for point in POINTS:
            values[field_name("general", variable, point)] = display(getattr(estimate, point), variable.unit)
    for index in range(MAX_ALTERNATIVES):
        item = inputs.alternatives[index] if index < len(inputs.alternatives) else None
        values[f"alt{index}.name"] = item.name if item else ""
        values[f"alt{index}.share"] = format_rate(item.share) if item else ""
        values[f"alt{index}.threshold"] = format_rate(item.threshold) if item else ""
        values[f"alt{index}.cap"] = format_rate(item.cap) if item and item.cap is not None else ""
    return values


class _Reader:
    """Reads fields, collecting one issue per bad field (clause = the field's name)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = fields
        self.issues: list[Issue] = []

    def problem(self, name: str, message: str) -> None:
        self.issues.append(Issue("negotiate.field", message, Source(clause=name)))

    def text(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    def value(self, name: str, unit: str, label: str) -> Decimal | None:
        text = self.text(name)
        if not text:
            self.problem(name, f"Enter {label}")
            return None
        parse: Callable[[str], Decimal] = {
            RATE: parse_rate,
            MONEY: lambda t: Money.parse(t).as_decimal_pounds(),
            COUNT: lambda t: to_decimal(t.replace(",", "")),
        }[unit]
        try:
            return parse(text)
        except (ValueError, InvalidOperation):
            example = {RATE: "'12.5%'", MONEY: "'1234.50'", COUNT: "'9800'"}[unit]
            self.problem(name, f"Enter {label} as a number like {example}")
            return None

    def integer(self, name: str, label: str, low: int, high: int) -> int:
        text = self.text(name).replace(",", "")
        if not text.isdigit() or not low <= int(text) <= high:
            self.problem(name, f"Enter {label} as a whole number from {low:,} to {high:,}")
            return low
        return int(text)


def read_inputs(setup: NegotiationSetup, fields: Mapping[str, str]) -> NegotiationInputs:
    """The form's inputs, or InvalidInputError with one issue per bad field (its clause names the field)."""
    reader = _Reader(fields)
    schemes = tuple(
        SchemeEstimates(
            item.scheme,
            item.name,
            {v.key: _estimate(reader, item.scheme, v, item.values[v.key]) for v in SCHEME_FIELDS},
        )
        for item in setup.defaults.schemes
    )
    general = {v.key: _estimate(reader, "general", v, setup.defaults.general[v.key]) for v in GENERAL_FIELDS}
    alternatives = tuple(
        found for index in range(MAX_ALTERNATIVES) if (found := _alternative(reader, index)) is not None
    )
    seed = reader.integer("seed", "the seed", 0, MAX_SEED)
    scenarios = reader.integer("scenarios", "the number of scenarios", MIN_SCENARIOS, MAX_SCENARIOS)
    if reader.issues:
        raise InvalidInputError(reader.issues)
    return NegotiationInputs(schemes, general, alternatives, seed, scenarios)


_BOUNDS: dict[str, tuple[Decimal | None, Decimal | None, str]] = {
    "baseline_activity": (Decimal(0), None, "must not be negative"),
    "activity_growth": (Decimal(-1), None, "must be above -100%"),
    "shift_share": (Decimal(0), Decimal(1), "must be from 0% to 100%"),
    "ramp_up": (Decimal(0), Decimal(1), "must be from 0% to 100%"),
    "hospital_price": (Decimal(0), None, "must not be negative"),
    "out_of_hospital_cost": (Decimal(0), None, "must not be negative"),
    "quality_score": (Decimal(0), Decimal(1), "must be from 0% to 100%"),
    "provider.setup": (Decimal(0), None, "must not be negative"),
    "provider.running_per_year": (Decimal(0), None, "must not be negative"),
}


def _estimate(reader: _Reader, prefix: str, variable: Variable, default: Estimate) -> Estimate:
    names = [field_name(prefix, variable, point) for point in POINTS]
    labels = [f"the {point if point != 'likely' else 'most likely'} {variable.label.lower()}" for point in POINTS]
    values = [reader.value(name, variable.unit, label) for name, label in zip(names, labels, strict=True)]
    low_bound, high_bound, rule = _BOUNDS[variable.key]
    for name, label, value in zip(names, labels, values, strict=True):
        if value is not None and (
            (low_bound is not None and value < low_bound) or (high_bound is not None and value > high_bound)
        ):
            reader.problem(name, f"{label[0].upper()}{label[1:]} {rule}")
    low, likely, high = values
    if low is None or likely is None or high is None:
        return default
    if not low <= likely <= high:
        reader.problem(names[1], "The most likely value must be between the low and the high values")
    same = (low, likely, high) == (default.low, default.likely, default.high)
    return Estimate(low, likely, high, default.source if same else "Entered on the Negotiate page")


def _alternative(reader: _Reader, index: int) -> Alternative | None:
    prefix = f"alt{index}"
    share_text = reader.text(f"{prefix}.share")
    if not share_text:
        return None
    name = reader.text(f"{prefix}.name") or f"Alternative {chr(ord('A') + index)}"
    share = _rate_in(reader, f"{prefix}.share", "the provider's share", Decimal(1))
    threshold = (
        _rate_in(reader, f"{prefix}.threshold", "the threshold", Decimal("0.5"))
        if reader.text(f"{prefix}.threshold")
        else Decimal(0)
    )
    cap = _rate_in(reader, f"{prefix}.cap", "the cap", Decimal(1)) if reader.text(f"{prefix}.cap") else None
    return Alternative(name[:60], share or Decimal(0), threshold or Decimal(0), cap)


def _rate_in(reader: _Reader, name: str, label: str, most: Decimal) -> Decimal | None:
    value = reader.value(name, RATE, label)
    if value is not None and not Decimal(0) <= value <= most:
        reader.problem(name, f"Enter {label} from 0% to {format_rate(most)}")
        return None
    return value
