"""`gainshare monitor spc|forecast`, `gainshare distribute` and `gainshare referrals statements`: the monitoring
engines over files, with no database."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.monitoring_files import load_actuals, load_referrals, load_weights
from gainshare.adapters.referral_export import statements_csv
from gainshare.domain.distribution import Basis, DistributionPolicy, LossHandling
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.forecast import ForecastMethod
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, parse_rate
from gainshare.domain.monitoring import SpcChart
from gainshare.engines.distribution import distribute as split_share
from gainshare.engines.referrals import monthly_statements
from gainshare.interfaces.cli.errors import user_errors
from gainshare.services.monitoring import ALL_PRACTICES, check_rows, forecast_period, price_rows, spc_chart

console = Console(highlight=False)
monitor_app = typer.Typer(help="Monitor monthly actuals: SPC charts and the year-end forecast.", no_args_is_help=True)
referrals_app = typer.Typer(help="Inter-practice referrals: monthly netted statements.", no_args_is_help=True)

ActualsArg = Annotated[
    Path,
    typer.Argument(
        help="Monthly actuals CSV: month, scheme, practice, baseline_activity, hospital_activity, hub_activity.",
        show_default=False,
    ),
]
AgreementOpt = Annotated[Path, typer.Option("--agreement", help="The agreement file (prices, term, sharing rules).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (money as integer pence).")]
MIXES = {
    "list": ((Basis.WEIGHTED_LIST, Decimal(1)),),
    "activity": ((Basis.ACTIVITY, Decimal(1)),),
    "performance": ((Basis.PERFORMANCE, Decimal(1)),),
    "mix": (
        (Basis.WEIGHTED_LIST, Decimal("0.5")),
        (Basis.ACTIVITY, Decimal("0.3")),
        (Basis.PERFORMANCE, Decimal("0.2")),
    ),
}


@monitor_app.command("spc")
def spc(
    figures: ActualsArg,
    agreement: AgreementOpt,
    scheme: Annotated[str, typer.Option(help="The scheme to chart.")],
    practice: Annotated[str | None, typer.Option(help="One practice (ODS code); default: all practices.")] = None,
    change_point: Annotated[
        str | None, typer.Option(help="First month of a new segment (YYYY-MM); default: the scheme start.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """XmR chart of monthly hospital activity (lower is better), Making Data Count rules."""
    with user_errors():
        terms = load_agreement(agreement)
        rows = load_actuals(figures)
        _check(check_rows(terms, rows, set(), str(figures)))
        chart = spc_chart(terms, price_rows(terms, rows), scheme, practice or ALL_PRACTICES, change_point)
    if as_json:
        typer.echo(json.dumps(_chart_json(chart), indent=2))
        return
    table = Table("month", "value", "segment", "rule", "type", title=f"{scheme} {practice or '(all practices)'}")
    for point in chart.points:
        rule = point.rule.value if point.rule else ""
        table.add_row(point.label, str(point.value), str(point.segment), rule, point.point_type.value)
    console.print(table)
    for index, limits in enumerate(chart.segments):
        console.print(
            f"Segment {index}: mean {limits.mean:.2f}, limits {limits.lower_process_limit:.2f} to "
            f"{limits.upper_process_limit:.2f}"
        )
    console.print(f"Variation: {chart.variation.value}")


@monitor_app.command("forecast")
def forecast(
    figures: ActualsArg,
    agreement: AgreementOpt,
    period: Annotated[str, typer.Option(help="The settlement period, e.g. 2025-26.")],
    method: Annotated[ForecastMethod, typer.Option(help="Forecast method.")] = ForecastMethod.LINEAR_TREND,
    as_json: AsJson = False,
) -> None:
    """Year-end outturn of the net saving and the provider side's forecast share, with a prediction interval."""
    with user_errors():
        terms = load_agreement(agreement)
        rows = load_actuals(figures)
        _check(check_rows(terms, rows, set(), str(figures)))
        result = forecast_period(terms, price_rows(terms, rows), period, method)
    net = result.net_saving
    payload = {
        "period": result.period,
        "method": net.method.value,
        "months_observed": net.months_observed,
        "to_date_pence": net.to_date.pence,
        "outturn_pence": net.outturn.pence,
        "lower_pence": net.lower.pence,
        "upper_pence": net.upper.pence,
        "baseline_outturn_pence": result.baseline.outturn.pence,
        "setup_pence": result.setup.pence,
        "provider_share_pence": result.provider_share.pence,
        "explanation": net.explanation,
    }
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    console.print(
        f"{result.period}: net saving to date {net.to_date} over {net.months_observed} months; outturn {net.outturn} "
        f"({net.lower} to {net.upper}). Provider side's forecast share: {result.provider_share}."
    )
    console.print(net.explanation)


def distribute(
    share: Annotated[str, typer.Argument(help="The federation's share, in pounds (e.g. 100000.01).")],
    practices: Annotated[Path, typer.Option(help="CSV: practice, weighted_list, and optionally activity, score.")],
    top_slice: Annotated[str, typer.Option(help="Management top-slice, e.g. 5%.")] = "0%",
    basis: Annotated[str, typer.Option(help="list, activity, performance or mix (50/30/20).")] = "list",
    federation: Annotated[str, typer.Option(help="The federation's party id.")] = "FED",
    period: Annotated[str, typer.Option(help="The period, for the statement.")] = "",
    losses: Annotated[LossHandling, typer.Option(help="How a loss is passed on.")] = LossHandling.LIKE_GAINS,
    as_json: AsJson = False,
) -> None:
    """Split the federation's share: top-slice, then practices by the basis; every penny allocated."""
    with user_errors():
        if basis not in MIXES:
            _check([Issue("distribution.basis", f"{basis!r}: use one of {', '.join(MIXES)}", Source(clause="basis"))])
        amount = _money(share)
        rate = _rate(top_slice)
        policy = DistributionPolicy(rate, MIXES[basis], (), losses)
        result = split_share(federation, period, amount, load_weights(practices), policy)
    if as_json:
        lines = [
            {
                "recipient": line.recipient,
                "kind": line.kind.value,
                "amount_pence": line.amount.pence,
                "basis": line.basis,
            }
            for line in result.lines
        ]
        typer.echo(json.dumps({"share_pence": amount.pence, "lines": lines}, indent=2))
        return
    table = Table("recipient", "kind", "amount", "basis", title=f"Distribution of {amount}")
    for line in result.lines:
        table.add_row(line.recipient, line.kind.value, str(line.amount), line.basis)
    console.print(table)


@referrals_app.command("statements")
def statements(
    items: Annotated[
        Path,
        typer.Argument(
            help="CSV: referring_practice, providing_practice, month, items, price_per_item.", show_default=False
        ),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the statements CSV.")],
) -> None:
    """Monthly statements per practice, netted so that each practice pays or receives one amount a month."""
    with user_errors():
        loaded = load_referrals(items)
        nettings = monthly_statements(loaded, str(items))
    out.write_text(statements_csv(nettings), encoding="utf-8")
    for netting in nettings:
        nets = ", ".join(f"{s.practice} {s.net}" for s in netting.statements)
        console.print(f"{netting.month}: {nets}")
    console.print(f"Wrote {out}.")


def _check(issues: list[Issue]) -> None:
    if issues:
        raise InvalidInputError(issues)


def _money(text: str) -> Money:
    try:
        return Money.parse(text)
    except ValueError as error:
        raise InvalidInputError([Issue("distribution.share", str(error), Source(clause="share"))]) from None


def _rate(text: str) -> Decimal:
    try:
        return parse_rate(text)
    except ValueError as error:
        raise InvalidInputError([Issue("distribution.top_slice", str(error), Source(clause="top-slice"))]) from None


def _chart_json(chart: SpcChart) -> dict[str, object]:
    return {
        "points": [
            {
                "label": p.label,
                "value": str(p.value),
                "segment": p.segment,
                "rule": p.rule.value if p.rule else None,
                "point_type": p.point_type.value,
            }
            for p in chart.points
        ],
        "segments": [
            {
                "first": s.first,
                "count": s.count,
                "mean": str(s.mean),
                "lower_process_limit": str(s.lower_process_limit),
                "upper_process_limit": str(s.upper_process_limit),
            }
            for s in chart.segments
        ],
        "variation": chart.variation.value,
    }


__all__ = ["distribute", "monitor_app", "referrals_app"]
