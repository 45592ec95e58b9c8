"""Discover: find the practices whose hospital activity differs from their peers' beyond chance, and the services
worth moving out of hospital, in activity and pounds.

Inputs are plain domain values (registered patients by age/sex band, aggregated activity rows) and the service
catalogue through the ServiceCatalogueReader port. Hospital activity is every point of delivery except the
provision pods (out-of-hospital delivery, e.g. the federation's hubs). Every default the results use is listed in
their assumptions.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from gainshare.domain.catalogue import Assumption, CatalogueEntry, Evidence, ServiceCatalogue
from gainshare.domain.errors import InvalidInputError, NotFoundError
from gainshare.domain.issues import Issue, Severity, Source
from gainshare.domain.money import Money
from gainshare.domain.opportunity import GREEN_BOOK_DISCOUNT_RATE, OpportunityAppraisal, OpportunityCase
from gainshare.domain.population import AgeSexBand, RegisteredPatients, Sex
from gainshare.domain.terms import RoundingMode
from gainshare.domain.variation import (
    ActivityRow,
    BandKey,
    ExternalRates,
    LimitMethod,
    PracticeObservation,
    PracticeVariation,
    ReferenceRates,
    VariationResult,
)
from gainshare.engines.opportunity import appraise
from gainshare.engines.rounding import EXACT, round_pence
from gainshare.engines.variation import analyse_variation, band_midpoint, federation_reference, national_reference
from gainshare.services.ports import ServiceCatalogueReader

DEFAULT_PROVISION_PODS: tuple[str, ...] = ("HUB", "OOH")


@dataclass(frozen=True, slots=True)
class DiscoverInputs:
    patients: RegisteredPatients
    activity: tuple[ActivityRow, ...]
    practices: frozenset[str] | None = None  # the federation's practices; None: every practice with bands
    provision_pods: tuple[str, ...] = DEFAULT_PROVISION_PODS
    first_month: date | None = None  # None: 12 months up to the last month with data
    last_month: date | None = None
    extract_date: date | None = None  # None: the latest list extract on or before the period's last month
    references: Mapping[str, ExternalRates] = field(default_factory=dict)  # service line -> national rates


@dataclass(frozen=True, slots=True)
class Period:
    months: tuple[date, ...]

    @property
    def length(self) -> int:
        return len(self.months)

    @property
    def label(self) -> str:
        return f"{self.months[0]:%Y-%m} to {self.months[-1]:%Y-%m} ({self.length} months)"


@dataclass(frozen=True, slots=True)
class VariationReport:
    result: VariationResult
    period: Period
    extract_date: date
    warnings: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class OpportunityReport:
    appraisal: OpportunityAppraisal
    period: Period
    warnings: tuple[Issue, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PracticeMonth:
    month: date
    observed: int
    expected: Decimal  # the practice's expected count for the period, spread as the federation's activity falls


@dataclass(frozen=True, slots=True)
class PracticeTrend:
    """One practice's monthly hospital activity of a service line against what its age/sex mix would predict."""

    service_line: str
    practice: PracticeVariation
    months: tuple[PracticeMonth, ...]
    period: Period


@dataclass(frozen=True, slots=True)
class OpportunityPack:
    """What the opportunity pack (PDF and workbook) shows: the ranked appraisal, and the funnel of each service."""

    title: str
    source: str  # where the activity and list sizes came from, in words
    opportunity: OpportunityReport
    variations: tuple[VariationReport, ...]  # one per appraised service line, in rank order


class DiscoverService:
    def __init__(self, catalogues: ServiceCatalogueReader) -> None:
        self._catalogues = catalogues

    def catalogue(self, location: str | None = None) -> ServiceCatalogue:
        return self._catalogues.load(location)

    def variation(
        self,
        inputs: DiscoverInputs,
        service_line: str,
        *,
        percentile: Decimal = Decimal("0.5"),
        method: LimitMethod = LimitMethod.PHE,
        reference: ReferenceRates | None = None,
        catalogue_location: str | None = None,
        external: ExternalRates | None = None,
    ) -> VariationReport:
        """Standardised rates, funnel limits, outliers and the opportunity for one service line.

        Against `external` rates (a national reference, per 1,000 a year) when given; without a reference, the
        practices are standardised against the federation, with the age/sex profile of the catalogue entry (an
        assumption, stated in the result).
        """
        entry = _entry(self.catalogue(catalogue_location), service_line)
        period = period_of(inputs)
        extract = extract_date_for(inputs.patients, period, inputs.extract_date)
        rows = _hospital_rows(inputs, period, service_line)
        observations = observations_for(inputs, rows, extract)
        assumptions: list[Assumption] = []
        external = external or inputs.references.get(service_line)
        if reference is None and external is not None:
            reference = external_reference(external, observations, period.length)
        if reference is None:
            reference = federation_reference(observations, age_sex_weights(entry, inputs.patients.bands))
            assumptions.append(entry.assumption("age_profile", _profile_text(entry)))
        price, price_assumption = unit_price(entry, rows)
        assumptions.append(price_assumption)
        result = analyse_variation(
            service_line, observations, reference, period.length, price,
            quantile=percentile, method=method, assumptions=assumptions,
        )  # fmt: skip
        return VariationReport(result, period, extract)

    def opportunity(
        self,
        inputs: DiscoverInputs,
        *,
        term_years: int = 3,
        discount_rate: Decimal = GREEN_BOOK_DISCOUNT_RATE,
        service_lines: Collection[str] | None = None,
        catalogue_location: str | None = None,
    ) -> OpportunityReport:
        """Each catalogued service line in the activity data, appraised over the term and ranked by NPV."""
        catalogue = self.catalogue(catalogue_location)
        period = period_of(inputs)
        wanted = set(service_lines) if service_lines else {row.service_line for row in inputs.activity}
        warnings: list[Issue] = []
        cases: list[OpportunityCase] = []
        for line in sorted(wanted):
            entry = catalogue.get(line)
            if entry is None:
                warnings.append(_warning("discover.uncatalogued", f"{line!r} is not in the catalogue; left out"))
                continue
            rows = _hospital_rows(inputs, period, line)
            if not rows:
                warnings.append(_warning("discover.no_activity", f"no hospital activity for {line!r} in the period"))
                continue
            cases.append(opportunity_case(entry, rows, period.length))
        return OpportunityReport(appraise(cases, term_years, discount_rate), period, tuple(warnings))

    def pack(
        self,
        inputs: DiscoverInputs,
        *,
        title: str,
        source: str,
        term_years: int = 3,
        discount_rate: Decimal = GREEN_BOOK_DISCOUNT_RATE,
        catalogue_location: str | None = None,
    ) -> OpportunityPack:
        """The appraisal of every catalogued service line in the activity, and each one's variation between
        practices (the funnel data), for the opportunity pack."""
        report = self.opportunity(
            inputs, term_years=term_years, discount_rate=discount_rate, catalogue_location=catalogue_location
        )
        variations = tuple(
            self.variation(inputs, item.case.service_line, catalogue_location=catalogue_location)
            for item in report.appraisal.services
        )
        return OpportunityPack(title, source, report, variations)

    def trend(
        self, inputs: DiscoverInputs, service_line: str, practice_code: str, *, catalogue_location: str | None = None
    ) -> PracticeTrend:
        """A practice's activity month by month over the period analysed, with its expected count spread over the
        months in proportion to the federation's activity in each (so seasonality is not mistaken for a signal)."""
        report = self.variation(inputs, service_line, catalogue_location=catalogue_location)
        practice = report.result.practice(practice_code)
        if practice is None:
            raise NotFoundError(f"practice {practice_code} has no list sizes in the data for {service_line}")
        rows = _hospital_rows(inputs, report.period, service_line)
        federation: dict[date, int] = defaultdict(int)
        own: dict[date, int] = defaultdict(int)
        for row in rows:
            federation[row.month] += row.activity
            if row.practice_code == practice_code:
                own[row.month] += row.activity
        total = sum(federation.values())
        months = []
        with decimal.localcontext(EXACT):
            for month in report.period.months:
                share = Decimal(federation[month]) / total if total else Decimal(1) / report.period.length
                months.append(PracticeMonth(month, own[month], practice.expected * share))
        return PracticeTrend(service_line, practice, tuple(months), report.period)


# --- Steps (public for tests and other interfaces) ------------------------------------------------------------


def period_of(inputs: DiscoverInputs) -> Period:
    """The months analysed: those with data between first and last month; by default the last 12 with data."""
    months = sorted({row.month for row in inputs.activity})
    if not months:
        raise InvalidInputError([Issue("discover.no_activity", "the activity has no rows")])
    last = inputs.last_month or months[-1]
    chosen = [
        month for month in months if month <= last and (inputs.first_month is None or month >= inputs.first_month)
    ]
    if inputs.first_month is None:
        chosen = chosen[-12:]
    if not chosen:
        raise InvalidInputError([Issue("discover.period", "the activity has no months in the chosen period")])
    return Period(tuple(chosen))


def extract_date_for(patients: RegisteredPatients, period: Period, wanted: date | None) -> date:
    dates = sorted({band.extract_date for band in patients.bands})
    if not dates:
        raise InvalidInputError(
            [Issue("discover.no_bands", "the list sizes have no age/sex bands", Source(patients.source))]
        )
    if wanted is not None:
        if wanted not in dates:
            known = ", ".join(str(item) for item in dates)
            raise InvalidInputError([Issue("discover.extract", f"no list extract on {wanted}; there are: {known}")])
        return wanted
    on_or_before = [item for item in dates if item <= period.months[-1].replace(day=28)]
    return on_or_before[-1] if on_or_before else dates[0]


def _hospital_rows(inputs: DiscoverInputs, period: Period, service_line: str) -> list[ActivityRow]:
    months = set(period.months)
    provision = {pod.upper() for pod in inputs.provision_pods}
    return [
        row
        for row in inputs.activity
        if row.service_line == service_line and row.month in months and row.pod.upper() not in provision
        and (inputs.practices is None or row.practice_code in inputs.practices)
    ]  # fmt: skip


def observations_for(inputs: DiscoverInputs, rows: Sequence[ActivityRow], extract: date) -> list[PracticeObservation]:
    """One observation per practice with bands on the extract date (zero activity if it has none)."""
    bands: dict[str, list[AgeSexBand]] = defaultdict(list)
    for band in inputs.patients.bands:
        if band.extract_date == extract and (inputs.practices is None or band.practice_code in inputs.practices):
            bands[band.practice_code].append(band)
    observed: dict[str, int] = defaultdict(int)
    for row in rows:
        observed[row.practice_code] += row.activity
    missing = sorted(set(observed) - set(bands))
    if missing:
        raise InvalidInputError(
            [
                Issue("discover.no_population", f"practice {code} has activity but no age/sex bands on {extract}")
                for code in missing
            ]
        )
    return [
        PracticeObservation(code, observed.get(code, 0), tuple((b.sex, b.band, b.patients) for b in bands[code]))
        for code in sorted(bands)
    ]


def age_sex_weights(entry: CatalogueEntry, bands: Sequence[AgeSexBand]) -> dict[BandKey, Decimal]:
    """The catalogue's relative rate for each sex and band present (women x female_factor)."""
    weights: dict[BandKey, Decimal] = {}
    for band in bands:
        key = (band.sex, band.band)
        if key not in weights:
            rate = entry.relative_rate(band_midpoint(band.band))
            weights[key] = rate * entry.female_factor if band.sex is Sex.FEMALE else rate
    return weights


def unit_price(entry: CatalogueEntry, rows: Sequence[ActivityRow]) -> tuple[Money, Assumption]:
    """The average cost per unit in the activity when it has costs, else the catalogue's hospital price."""
    activity = sum(row.activity for row in rows)
    cost = sum(row.cost_pence for row in rows)
    if activity > 0 and cost > 0:
        with decimal.localcontext(EXACT):
            price = Money(round_pence(Decimal(cost) / activity, RoundingMode.HALF_UP))
        evidence = Evidence(f"average cost per unit in the activity data ({activity:,} units)", "activity file")
        return price, Assumption(f"{entry.id}.hospital_price", price.plain(), evidence)
    return entry.hospital_price, entry.assumption("hospital_price", entry.hospital_price.plain())


def opportunity_case(entry: CatalogueEntry, rows: Sequence[ActivityRow], period_months: int) -> OpportunityCase:
    with decimal.localcontext(EXACT):
        annual = Decimal(sum(row.activity for row in rows)) * 12 / period_months
    price, price_assumption = unit_price(entry, rows)
    assumptions = (
        price_assumption,
        entry.assumption("out_of_hospital_cost", entry.out_of_hospital_cost.plain()),
        entry.assumption("movable_share", str(entry.movable_share)),
        entry.assumption("ramp_up_months", str(entry.ramp_up_months)),
        entry.assumption("setup_cost", entry.setup_cost.plain()),
        entry.assumption("annual_running_cost", entry.annual_running_cost.plain()),
    )
    return OpportunityCase(
        service_line=entry.id,
        name=entry.name,
        annual_hospital_activity=annual,
        movable_share=entry.movable_share,
        hospital_price=price,
        out_of_hospital_cost=entry.out_of_hospital_cost,
        setup_cost=entry.setup_cost,
        annual_running_cost=entry.annual_running_cost,
        ramp_up_months=entry.ramp_up_months,
        assumptions=assumptions,
    )


def _entry(catalogue: ServiceCatalogue, service_line: str) -> CatalogueEntry:
    entry = catalogue.get(service_line)
    if entry is None:
        known = ", ".join(item.id for item in catalogue)
        raise InvalidInputError(
            [Issue("discover.service_line", f"{service_line!r} is not in the catalogue; it has: {known}")]
        )
    return entry


def _profile_text(entry: CatalogueEntry) -> str:
    points = ", ".join(f"{point.age}:{point.relative_rate}" for point in entry.age_profile)
    return f"relative rates by age {points}; women x{entry.female_factor}"


def _warning(code: str, message: str) -> Issue:
    return Issue(code, message, severity=Severity.WARNING)


def external_reference(
    external: ExternalRates, observations: Sequence[PracticeObservation], period_months: int
) -> ReferenceRates:
    """The external rates over the period; every sex and age band the practices have must have a rate."""
    needed = sorted({(sex, band) for item in observations for sex, band, count in item.bands if count > 0},
                    key=lambda key: (key[0].value, key[1]))  # fmt: skip
    missing = [f"{sex.value} {band.label}" for sex, band in needed if (sex, band) not in external.per_1000_per_year]
    if missing:
        listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        message = f"the reference has no rate for {listed}, which the practices' list sizes have"
        raise InvalidInputError([Issue("reference.bands", message, Source(file=external.name))])
    return national_reference(external.per_1000_per_year, external.crude_per_1000_per_year, period_months,
                              external.name)  # fmt: skip
