"""The agreement file's shape, as pydantic models. The JSON Schema and the reference docs come from here."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gainshare.adapters.agreement_file.fields import BandLimitText, MoneyText, RateText

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ClauseLabel = str | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PartyModel(_Strict):
    """An organisation in the agreement."""

    id: str = Field(pattern=_ID, description="Short id used elsewhere in the file, e.g. 'ICB' or 'FED'.")
    name: str = Field(min_length=1, description="The organisation's name as it appears on statements.")
    role: Literal["commissioner", "provider", "practice"] = Field(
        description="commissioner (ICB or sub-ICB), provider (federation, PCN, trust) or member practice."
    )
    ods_code: str | None = Field(None, description="The ODS organisation code (practices: a letter and 5 digits).")
    member_of: str | None = Field(None, description="For a practice: the id of the provider it is a member of.")


class TermModel(_Strict):
    """When the agreement runs and how its settlement periods are cut."""

    start: date = Field(description="First day of the term (ISO date, e.g. 2025-04-01).")
    end: date = Field(description="Last day of the term, inclusive.")
    settlement_period: Literal["annual", "quarterly", "monthly"] = Field(
        "annual", description="Length of each settlement period, counted from the term start."
    )


class BaselineModel(_Strict):
    """Yearly adjustments to the baseline, compounded from the baseline year to each term year."""

    list_growth: RateText = Field("0%", description="Yearly growth applied to historic baseline activity.")
    price_uplift: RateText = Field("0%", description="Yearly uplift to the hospital price.")
    efficiency: RateText = Field("0%", description="Yearly efficiency deducted from the price uplift.")
    clause: ClauseLabel = Field(None, description="The contract's own clause number, shown on statements.")


class SetupFundingModel(_Strict):
    amount: MoneyText = Field(description="Set-up funding paid by the commissioner, counted as a cost.")
    period: str = Field(description="The settlement period (e.g. '2025-26') it is charged to.")


class SchemeModel(_Strict):
    """A service moved out of hospital."""

    id: str = Field(pattern=_ID, description="Short id used by the figures file.")
    name: str = Field(min_length=1)
    hospital_price: MoneyText = Field(description="Hospital price per unit in the baseline year.")
    provision_price: MoneyText = Field(description="Price per unit the commissioner pays for out-of-hospital care.")
    setup_funding: SetupFundingModel | None = None
    planned_saving: dict[str, MoneyText] | None = Field(
        None,
        description="The net saving both parties plan for each settlement period (e.g. {'2025-26': '120000'}); "
        "monitoring and the dashboard track actuals against it.",
    )
    clause: ClauseLabel = None


class PopulationRowModel(_Strict):
    """One row of a table of rates by population; the rate is interpolated between rate_from and rate_to."""

    population_from: int = Field(ge=0)
    population_to: int | None = Field(None, ge=0, description="Inclusive upper end; omit for no upper end.")
    rate_from: RateText
    rate_to: RateText | None = Field(None, description="Rate at population_to; omit for a flat row.")


class LimitModel(_Strict):
    """An amount stated absolutely or as a share of baseline or revenue; if several are given, the lesser."""

    amount: MoneyText | None = None
    percent_of_baseline: RateText | None = None
    percent_of_revenue: RateText | None = Field(None, description="Needs the period's revenue in the figures.")
    population_table: list[PopulationRowModel] = Field(
        default_factory=list, description="Rate of the baseline by population (needs the period's population)."
    )
    clause: ClauseLabel = None

    @model_validator(mode="after")
    def _states_something(self) -> LimitModel:
        if not (self.amount or self.percent_of_baseline or self.percent_of_revenue or self.population_table):
            raise ValueError("give at least one of amount, percent_of_baseline, percent_of_revenue, population_table")
        return self


class ThresholdModel(LimitModel):
    """A minimum saving (or loss) before any of it is shared."""

    sharing: Literal["first-pound", "excess-only"] = Field(
        "first-pound", description="Once met: share from the first pound, or only the excess over the threshold."
    )


class BandModel(_Strict):
    """A marginal band: the share applies to the part of the saving between from and to."""

    from_: BandLimitText = Field(alias="from")
    to: BandLimitText | None = Field(None, description="Omit on the last band for no upper end.")
    provider_share: RateText


class GainsModel(_Strict):
    """How a net saving is shared. Give provider_share (a flat split) or bands."""

    provider_share: RateText | None = Field(None, description="The provider side's flat share of the saving.")
    bands: list[BandModel] | None = None
    band_basis: Literal["percent-of-baseline", "amount"] = Field(
        "percent-of-baseline", description="Whether band limits are rates of the baseline or amounts in pounds."
    )
    threshold: ThresholdModel | None = None
    cap: LimitModel | None = Field(None, description="Most the provider side can gain in a period.")
    clause: ClauseLabel = None

    @model_validator(mode="after")
    def _one_schedule(self) -> GainsModel:
        if (self.provider_share is None) == (self.bands is None):
            raise ValueError("give either provider_share (a flat split) or bands, not both and not neither")
        return self


class ComplementModel(_Strict):
    """Loss share = 1 - (flat gain share x quality score), kept between floor and ceiling."""

    complement_of_gain_share: Literal[True]
    floor: RateText = "0%"
    ceiling: RateText = "100%"
    below_quality_minimum: RateText | None = Field(
        None, description="The loss share when the quality score is below the quality minimum (MSSP: 75%)."
    )


class LossesModel(_Strict):
    """Two-sided agreements: how a net loss is shared. Omit the whole section for a gains-only agreement."""

    provider_share: RateText | ComplementModel
    threshold: ThresholdModel | None = None
    cap: LimitModel | None = Field(None, description="Most the provider side can lose in a period.")
    clause: ClauseLabel = None


class QualityModel(_Strict):
    """A quality score (0 to 1, given with the figures) that gates or scales the gain share."""

    mode: Literal["gate", "multiplier", "gate-and-multiplier"]
    minimum: RateText = Field("0", description="Below this score no gain is shared (gate modes).")
    full_share_from: RateText | None = Field(
        None, description="At or above this score the gain share is not scaled (multiplier modes; MSSP sliding scale)."
    )
    clause: ClauseLabel = None


class SharingModel(_Strict):
    gains: GainsModel
    losses: LossesModel | None = None
    quality: QualityModel | None = None
    provider_split: dict[str, RateText] | None = Field(
        None, description="Weights by party id when several providers share the provider side (multilateral)."
    )
    commissioner_split: dict[str, RateText] | None = Field(
        None, description="Weights by party id when several commissioners share the commissioner side."
    )
    rounding: Literal["half-up", "half-even", "down", "up"] = Field(
        "half-up", description="How each settlement line is rounded to the penny."
    )


class InstalmentModel(_Strict):
    due: date
    percent: RateText = Field(description="Cumulative share of the forecast provider share due by this date.")


class PaymentsOnAccountModel(_Strict):
    instalments: list[InstalmentModel] = Field(min_length=1)
    clause: ClauseLabel = None


class ReinvestmentModel(_Strict):
    project: str = Field(min_length=1)
    share_of_provider_gain: RateText
    description: str = ""


class AgreementFile(_Strict):
    """A gain share agreement between a commissioner and one or more providers."""

    model_config = ConfigDict(title="gainshare agreement", extra="forbid", frozen=True, populate_by_name=True)

    gainshare: Literal[1] = Field(description="The file format version. Always 1 for now.")
    id: str = Field(pattern=_ID, description="The agreement's id; stays the same across versions.")
    version: int = Field(ge=1, description="Version number; each change is a new version.")
    title: str = Field(min_length=1)
    parties: list[PartyModel] = Field(min_length=2)
    term: TermModel
    baseline: BaselineModel = BaselineModel()
    schemes: list[SchemeModel] = Field(min_length=1)
    sharing: SharingModel
    payments_on_account: PaymentsOnAccountModel | None = None
    reinvestment: list[ReinvestmentModel] = Field(default_factory=list)
