"""The assumptions file (YAML or JSON): uncertain inputs of an agreement as distributions, for simulation.

    gainshare_assumptions: 1
    schemes:
      anticoag:
        history: [790, 812, 805, ...]          # monthly activity; gives defaults for the next two
        baseline_activity: 9800                # units a year in the baseline year (a number: fixed)
        activity_growth: {dist: normal, mean: "1.2%", sd: "2%"}
        shift_share: {dist: beta, alpha: 8, beta: 24}
        ramp_up: {dist: triangular, low: "50%", mode: "80%", high: "100%"}
        hospital_price: "34.00"                # pounds; default: the agreement's price
        out_of_hospital_cost: {dist: normal, mean: "21.50", sd: "1.50"}
    quality_score: {dist: beta, alpha: 18, beta: 2}
    provider_costs: {setup: "15000", running_per_year: {dist: triangular, low: "20000", mode: "25000", high: "35000"}}
    correlations:
      - {between: [anticoag.shift_share, joint-injections.shift_share], rho: 0.6}
    facts: {population: 120000, revenue: "2500000"}

These are estimates: numbers may be written bare (floats are fine here, unlike in the agreement).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from gainshare.adapters.agreement_file.loader import key_path
from gainshare.adapters.structured_text import read_document
from gainshare.domain.agreement import Agreement, Scheme
from gainshare.domain.assumptions import (
    Assumptions,
    Beta,
    Correlation,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    ProviderCosts,
    SchemeAssumptions,
    Triangular,
    Uniform,
    check_assumptions,
    history_defaults,
)
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

PENCE_PER_POUND = 100.0


def _number(value: object) -> float:
    """12, 0.5, '1.2%', '£1,234.50' -> a float (a percentage as a fraction)."""
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("£", "").replace(" ", "")
        try:
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    raise ValueError("expected a number such as 0.5, '50%' or '1234.50'")


Number = Annotated[float, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixedModel(_Strict):
    dist: Literal["fixed"]
    value: Number


class NormalModel(_Strict):
    dist: Literal["normal"]
    mean: Number
    sd: Number = Field(description="Standard deviation.")
    min: Number | None = Field(None, description="Draws below are clipped to this.")
    max: Number | None = Field(None, description="Draws above are clipped to this.")


class LogNormalModel(_Strict):
    dist: Literal["lognormal"]
    mean: Number = Field(description="Mean of the variable itself.")
    sd: Number = Field(description="Standard deviation of the variable itself.")


class TriangularModel(_Strict):
    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number


class UniformModel(_Strict):
    dist: Literal["uniform"]
    low: Number
    high: Number


class BetaModel(_Strict):
    dist: Literal["beta"]
    alpha: Number
    beta: Number
    low: Number = 0.0
    high: Number = 1.0


def _bare_is_fixed(value: object) -> object:
    """A bare number (or text such as '50%') is a fixed value."""
    return value if isinstance(value, dict) else {"dist": "fixed", "value": value}


DistributionModel = FixedModel | NormalModel | LogNormalModel | TriangularModel | UniformModel | BetaModel
DistributionField = Annotated[DistributionModel, Field(discriminator="dist"), BeforeValidator(_bare_is_fixed)]


_ZERO = FixedModel(dist="fixed", value=0.0)


class SchemeModel(_Strict):
    history: list[Annotated[float, Field(ge=0)]] | None = Field(
        None, min_length=2, description="Monthly activity, oldest first: defaults for baseline activity and growth."
    )
    baseline_activity: DistributionField | None = Field(None, description="Units a year in the baseline year.")
    activity_growth: DistributionField | None = Field(None, description="Yearly growth of demand.")
    shift_share: DistributionField = Field(description="Share of demand moved out of hospital at full running.")
    ramp_up: DistributionField = Field(
        FixedModel(dist="fixed", value=1.0), description="Share of the full shift reached in the first year."
    )
    hospital_price: DistributionField | None = Field(None, description="Pounds per unit; default the agreement's.")
    out_of_hospital_cost: DistributionField | None = Field(
        None, description="Pounds per unit the commissioner pays out of hospital; default the agreement's price."
    )


class ProviderCostsModel(_Strict):
    setup: DistributionField = Field(_ZERO, description="Pounds, once, in the first period.")
    running_per_year: DistributionField = Field(_ZERO, description="Pounds a year.")


class CorrelationModel(_Strict):
    between: tuple[str, str]
    rho: float = Field(gt=-1, lt=1)


class FactsModel(_Strict):
    population: int | None = Field(None, ge=0, description="For population-table limits.")
    revenue: Number | None = Field(None, description="Pounds per settlement period, for limits on revenue.")


class AssumptionsFile(_Strict):
    gainshare_assumptions: Literal[1]
    schemes: dict[str, SchemeModel] = Field(min_length=1)
    quality_score: DistributionField = FixedModel(dist="fixed", value=1.0)
    provider_costs: ProviderCostsModel = ProviderCostsModel()
    correlations: list[CorrelationModel] = Field(default_factory=list)
    facts: FactsModel = FactsModel()


def load_assumptions(path: Path, agreement: Agreement) -> Assumptions:
    """The assumptions in a file, with defaults from the agreement and history; or InvalidInputError."""
    return assumptions_from_data(read_document(path), str(path), agreement)


def assumptions_from_data(data: Any, name: str, agreement: Agreement) -> Assumptions:
    if not isinstance(data, dict):
        raise InvalidInputError([Issue("file.shape", "an assumptions file must be a mapping", Source(file=name))])
    try:
        model = AssumptionsFile.model_validate(data)
    except ValidationError as error:
        raise InvalidInputError(
            [
                Issue(
                    f"assumptions.{detail['type']}",
                    detail["msg"].removeprefix("Value error, "),
                    Source(file=name, clause=_path(detail["loc"])),
                )
                for detail in error.errors()
            ]
        ) from None
    assumptions = to_assumptions(model, name, agreement)
    issues = check_assumptions(assumptions, agreement)
    if issues:
        raise InvalidInputError([issue.at(file=name) for issue in issues])
    return assumptions


def to_assumptions(model: AssumptionsFile, name: str, agreement: Agreement) -> Assumptions:
    known = {scheme.id: scheme for scheme in agreement.schemes}
    issues: list[Issue] = []
    schemes: list[SchemeAssumptions] = []
    for scheme_id, item in model.schemes.items():
        if scheme_id not in known:
            issues.append(Issue("assumptions.scheme", f"scheme {scheme_id!r} is not in the agreement", Source(name)))
            continue
        if item.baseline_activity is None and item.history is None:
            issues.append(
                Issue(
                    "assumptions.missing",
                    "give baseline_activity or a monthly history",
                    Source(file=name, clause=f"schemes.{scheme_id}"),
                )
            )
            continue
        schemes.append(_scheme(item, known[scheme_id], agreement))
    if issues:
        raise InvalidInputError(issues)
    revenue = model.facts.revenue
    return Assumptions(
        schemes=tuple(schemes),
        quality_score=_distribution(model.quality_score),
        provider_costs=ProviderCosts(
            _distribution(model.provider_costs.setup).scaled(PENCE_PER_POUND),
            _distribution(model.provider_costs.running_per_year).scaled(PENCE_PER_POUND),
        ),
        correlations=tuple(Correlation(item.between[0], item.between[1], item.rho) for item in model.correlations),
        population=model.facts.population,
        revenue_per_period=None if revenue is None else revenue * PENCE_PER_POUND,
        source=name,
    )


def _scheme(item: SchemeModel, scheme: Scheme, agreement: Agreement) -> SchemeAssumptions:
    list_growth = float(agreement.baseline.list_growth)
    baseline: Distribution
    growth: Distribution
    if item.history is not None:
        defaults = history_defaults(item.history)
        baseline = Fixed(defaults.baseline_activity)
        growth = Normal(list_growth, defaults.growth_sd)
    else:
        baseline, growth = Fixed(0.0), Fixed(list_growth)
    return SchemeAssumptions(
        scheme=scheme.id,
        baseline_activity=baseline if item.baseline_activity is None else _distribution(item.baseline_activity),
        activity_growth=growth if item.activity_growth is None else _distribution(item.activity_growth),
        shift_share=_distribution(item.shift_share),
        ramp_up=_distribution(item.ramp_up),
        hospital_price=_money(item.hospital_price, scheme.hospital_price.pence),
        out_of_hospital_cost=_money(item.out_of_hospital_cost, scheme.provision_price.pence),
    )


def _money(field: DistributionModel | None, default_pence: int) -> Distribution:
    if field is None:
        return Fixed(float(default_pence))
    return _distribution(field).scaled(PENCE_PER_POUND)


def _distribution(field: DistributionModel) -> Distribution:
    match field:
        case FixedModel():
            return Fixed(field.value)
        case NormalModel():
            return Normal(field.mean, field.sd, field.min, field.max)
        case LogNormalModel():
            return LogNormal(field.mean, field.sd)
        case TriangularModel():
            return Triangular(field.low, field.mode, field.high)
        case UniformModel():
            return Uniform(field.low, field.high)
        case BetaModel():
            return Beta(field.alpha, field.beta, field.low, field.high)


def _path(location: tuple[int | str, ...]) -> str:
    """The key path, without the union's tag (the first distribution name after the variable)."""
    parts = list(location)
    for index, part in enumerate(parts):
        if part in _DIST_TAGS:
            del parts[index : index + (2 if parts[index + 1 : index + 2] == ["value"] else 1)]
            break
    return key_path(tuple(parts))


_DIST_TAGS = ("fixed", "normal", "lognormal", "triangular", "uniform", "beta")


def assumption_sources(path: Path, agreement: Agreement) -> dict[str, str]:
    """Where each variable's distribution comes from: the file, its monthly history, or the agreement (defaults).

    Call after load_assumptions has accepted the file."""
    model = AssumptionsFile.model_validate(read_document(path))
    name = path.name
    sources: dict[str, str] = {}
    for scheme_id, item in model.schemes.items():
        given = item.model_fields_set
        history = f"monthly history in {name} ({len(item.history)} months)" if item.history else None
        defaults = {
            "baseline_activity": history or "none given",
            "activity_growth": f"the agreement's list growth; sd from the {history}" if history else "list growth",
            "ramp_up": "default: the full shift in year 1",
            "hospital_price": f"the agreement's price (version {agreement.version})",
            "out_of_hospital_cost": f"the agreement's provision price (version {agreement.version})",
        }
        for variable in ("baseline_activity", "activity_growth", "shift_share", "ramp_up", *_PRICES):
            key = f"{scheme_id}.{variable}"
            sources[key] = name if variable in given else defaults.get(variable, name)
    provider = model.provider_costs.model_fields_set
    sources["provider.setup"] = name if "setup" in provider else "default: none"
    sources["provider.running_per_year"] = name if "running_per_year" in provider else "default: none"
    sources["quality_score"] = name if "quality_score" in model.model_fields_set else "default: 1 (full quality)"
    return sources


_PRICES = ("hospital_price", "out_of_hospital_cost")
