"""From the file's models to domain values: money to pence, rates to Decimal, clauses to key paths."""

from __future__ import annotations

from decimal import Decimal

from gainshare.adapters.agreement_file.models import (
    AgreementFile,
    BandModel,
    GainsModel,
    LimitModel,
    LossesModel,
    SchemeModel,
    SharingModel,
    ThresholdModel,
)
from gainshare.domain.agreement import Agreement, BaselineAdjustments, Reinvestment, Scheme, SetupFunding
from gainshare.domain.money import Money, parse_rate
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.terms import (
    Band,
    BandBasis,
    ComplementRate,
    GainTerms,
    Instalment,
    Limit,
    LossTerms,
    PaymentsOnAccount,
    PopulationRateRow,
    QualityMode,
    QualityTerms,
    RoundingMode,
    ShareSchedule,
    SharingRules,
    Split,
    Threshold,
    ThresholdSharing,
)

_MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}


def clause(path: str, label: str | None) -> str:
    """A clause id: the contract's own label with the file's key path, or just the key path."""
    return f"{label} ({path})" if label else path


def to_agreement(model: AgreementFile) -> Agreement:
    baseline = model.baseline
    return Agreement(
        id=model.id,
        version=model.version,
        title=model.title,
        parties=tuple(Party(p.id, p.name, PartyRole(p.role), p.ods_code, p.member_of) for p in model.parties),
        term_start=model.term.start,
        term_end=model.term.end,
        months_per_period=_MONTHS[model.term.settlement_period],
        baseline=BaselineAdjustments(
            parse_rate(baseline.list_growth),
            parse_rate(baseline.price_uplift),
            parse_rate(baseline.efficiency),
            clause("baseline", baseline.clause),
        ),
        schemes=tuple(_scheme(index, scheme) for index, scheme in enumerate(model.schemes)),
        sharing=_sharing(model.sharing),
        payments_on_account=_payments(model),
        reinvestment=tuple(
            Reinvestment(r.project, parse_rate(r.share_of_provider_gain), r.description) for r in model.reinvestment
        ),
    )


def _scheme(index: int, model: SchemeModel) -> Scheme:
    setup = None
    if model.setup_funding is not None:
        setup = SetupFunding(Money.parse(model.setup_funding.amount), model.setup_funding.period)
    return Scheme(
        model.id,
        model.name,
        Money.parse(model.hospital_price),
        Money.parse(model.provision_price),
        setup,
        clause(f"schemes[{index}]", model.clause),
        tuple((period, Money.parse(amount)) for period, amount in (model.planned_saving or {}).items()),
    )


def _sharing(model: SharingModel) -> SharingRules:
    quality = None
    if model.quality is not None:
        full = model.quality.full_share_from
        quality = QualityTerms(
            QualityMode(model.quality.mode),
            parse_rate(model.quality.minimum),
            clause("sharing.quality", model.quality.clause),
            parse_rate(full) if full is not None else None,
        )
    return SharingRules(
        gains=_gains(model.gains),
        losses=_losses(model.losses) if model.losses is not None else None,
        quality=quality,
        provider_split=_split(model.provider_split, "sharing.provider_split"),
        commissioner_split=_split(model.commissioner_split, "sharing.commissioner_split"),
        rounding=RoundingMode(model.rounding),
    )


def _gains(model: GainsModel) -> GainTerms:
    path = clause("sharing.gains", model.clause)
    basis = BandBasis(model.band_basis)
    schedule = ShareSchedule(
        clause=f"{path}.bands" if model.bands else path,
        flat=parse_rate(model.provider_share) if model.provider_share is not None else None,
        bands=tuple(_band(band, basis) for band in model.bands or ()),
        band_basis=basis,
    )
    return GainTerms(
        share=schedule,
        threshold=_threshold(model.threshold, "sharing.gains.threshold"),
        cap=_limit(model.cap, "sharing.gains.cap"),
        clause=path,
    )


def _band(model: BandModel, basis: BandBasis) -> Band:
    return Band(
        lower=band_limit(model.from_, basis),
        upper=band_limit(model.to, basis) if model.to is not None else None,
        provider_share=parse_rate(model.provider_share),
    )


def band_limit(text: str, basis: BandBasis) -> Decimal:
    """A band limit as a fraction of the baseline, or as pence."""
    if basis is BandBasis.PERCENT_OF_BASELINE:
        return parse_rate(text)
    return Decimal(Money.parse(text).pence)


def _losses(model: LossesModel) -> LossTerms:
    share = model.provider_share
    rate: Decimal | ComplementRate
    if isinstance(share, str):
        rate = parse_rate(share)
    else:
        below = share.below_quality_minimum
        rate = ComplementRate(
            parse_rate(share.floor), parse_rate(share.ceiling), parse_rate(below) if below is not None else None
        )
    return LossTerms(
        provider_share=rate,
        threshold=_threshold(model.threshold, "sharing.losses.threshold"),
        cap=_limit(model.cap, "sharing.losses.cap"),
        clause=clause("sharing.losses", model.clause),
    )


def _threshold(model: ThresholdModel | None, path: str) -> Threshold | None:
    if model is None:
        return None
    limit = _limit(model, path)
    assert limit is not None  # a model was given
    return Threshold(limit, ThresholdSharing(model.sharing))


def _limit(model: LimitModel | None, path: str) -> Limit | None:
    if model is None:
        return None
    rows = tuple(
        PopulationRateRow(
            row.population_from,
            row.population_to,
            parse_rate(row.rate_from),
            parse_rate(row.rate_to if row.rate_to is not None else row.rate_from),
        )
        for row in model.population_table
    )
    return Limit(
        clause=clause(path, model.clause),
        amount=Money.parse(model.amount) if model.amount is not None else None,
        percent_of_baseline=parse_rate(model.percent_of_baseline) if model.percent_of_baseline else None,
        percent_of_revenue=parse_rate(model.percent_of_revenue) if model.percent_of_revenue else None,
        population_table=rows,
    )


def _split(weights: dict[str, str] | None, path: str) -> Split | None:
    if weights is None:
        return None
    return Split(tuple((party, parse_rate(weight)) for party, weight in weights.items()), path)


def _payments(model: AgreementFile) -> PaymentsOnAccount | None:
    poa = model.payments_on_account
    if poa is None:
        return None
    return PaymentsOnAccount(
        tuple(Instalment(i.due.isoformat(), parse_rate(i.percent)) for i in poa.instalments),
        clause("payments_on_account", poa.clause),
    )
