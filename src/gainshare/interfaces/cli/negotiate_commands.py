"""`gainshare simulate`, `compare` and `frontier`: negotiate terms under uncertainty (Monte Carlo estimates)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.assumptions_file import assumption_sources, load_assumptions
from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, format_rate, parse_rate
from gainshare.domain.parties import PartyRole
from gainshare.domain.terms import ThresholdSharing
from gainshare.engines.simulation.frontier import Grid, GridPoint
from gainshare.engines.simulation.outcomes import Summary, TermsSummary, Tornado
from gainshare.interfaces.cli.errors import user_errors
from gainshare.services.negotiation import (
    DEFAULT_FRONTIER_SCENARIOS,
    DEFAULT_SCENARIOS,
    Comparison,
    FrontierReport,
    SimulationReport,
    TermSet,
    compare_terms,
    default_constraints,
    negotiation_frontier,
    simulate_agreement,
)

console = Console(highlight=False)
negotiate_app = typer.Typer(help="Negotiation packs: the simulation, term sets and frontier as PDF and Excel.")

AgreementArg = Annotated[Path, typer.Argument(help="The agreement file (.yaml, .yml or .json).", show_default=False)]
AssumptionsArg = Annotated[
    Path, typer.Argument(help="The assumptions file: distributions of the uncertain inputs.", show_default=False)
]
Seed = Annotated[int | None, typer.Option(help="Random seed, for reproducible results (default: a fresh one).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (money as integer pence), not tables.")]


def simulate(
    agreement: AgreementArg,
    assumptions: AssumptionsArg,
    scenarios: Annotated[int, typer.Option(help="Number of simulated scenarios.")] = DEFAULT_SCENARIOS,
    seed: Seed = None,
    as_json: AsJson = False,
) -> None:
    """Simulate the agreement: each party's distribution of outcomes over the term, and what drives it.

    Estimates only (floats); nothing is posted to the ledger.
    """
    with user_errors():
        loaded = load_agreement(agreement)
        report = simulate_agreement(loaded, load_assumptions(assumptions, loaded), scenarios, seed)
    if as_json:
        typer.echo(json.dumps(_simulation_json(report), indent=2))
        return
    provider, commissioner = _sides(report.agreement)
    console.print(
        _summary_table(
            f"{escape(report.agreement.title)}: outcomes over the term "
            f"({report.summary.scenarios:,} scenarios, seed {report.seed})",
            report.summary,
            provider,
            commissioner,
        )
    )
    console.print(
        f"Chance a period's saving meets the gain threshold: {report.summary.threshold_probability:.1%}. "
        f"{escape(provider)}'s expected own costs: {Money(report.summary.provider_costs_mean)}."
    )
    console.print(_tornado_table(report.tornado, provider, commissioner))
    console.print(escape(_caption(report.agreement)), style="dim")


def compare(
    agreement: AgreementArg,
    assumptions: AssumptionsArg,
    terms: Annotated[
        list[Path],
        typer.Argument(help="Agreement files whose sharing rules are the alternative terms.", show_default=False),
    ],
    scenarios: Annotated[int, typer.Option(help="Number of simulated scenarios.")] = DEFAULT_SCENARIOS,
    seed: Seed = None,
    as_json: AsJson = False,
) -> None:
    """Compare the agreement's terms with alternatives, side by side, on the same simulated scenarios."""
    with user_errors():
        loaded = load_agreement(agreement)
        term_sets = [TermSet(f"{agreement.name} (as agreed)", loaded.sharing)]
        term_sets += [TermSet(path.name, load_agreement(path).sharing) for path in terms]
        result = compare_terms(loaded, load_assumptions(assumptions, loaded), term_sets, scenarios, seed)
    if as_json:
        typer.echo(json.dumps(_comparison_json(result), indent=2))
        return
    console.print(_comparison_table(result))
    console.print(escape(_caption(result.agreement)), style="dim")


def frontier(
    agreement: AgreementArg,
    assumptions: AssumptionsArg,
    shares: Annotated[str, typer.Option(help="Provider shares to try: a list '40%,50%' or a range 'from:to:step'.")] = (
        "20%:80%:5%"
    ),
    thresholds: Annotated[str, typer.Option(help="Gain thresholds (share of baseline); 0% is none.")] = (
        "0%,0.5%,1%,2%,3%"
    ),
    caps: Annotated[str, typer.Option(help="Gain caps (share of baseline); 'none' for no cap.")] = (
        "none,5%,10%,15%,20%"
    ),
    excess_only: Annotated[bool, typer.Option(help="Thresholds share only the excess (default first-pound).")] = False,
    provider_max_loss: Annotated[
        str, typer.Option(help="Most the provider accepts for P(net position after its costs < 0).")
    ] = "10%",
    provider_min_share: Annotated[
        str | None, typer.Option(help="Provider's minimum expected share, pounds (default: its set-up cost).")
    ] = None,
    commissioner_min_retained: Annotated[
        str, typer.Option(help="Commissioner's minimum expected retained saving, pounds.")
    ] = "0",
    scenarios: Annotated[int, typer.Option(help="Number of simulated scenarios.")] = DEFAULT_FRONTIER_SCENARIOS,
    seed: Seed = None,
    as_json: AsJson = False,
) -> None:
    """Search share, threshold and cap for terms that meet both parties' constraints; recommend one."""
    with user_errors():
        grid = Grid(
            _rates(shares, "--shares"),
            _rates(thresholds, "--thresholds"),
            _caps(caps),
            _sharing(excess_only),
        )
        loaded = load_agreement(agreement)
        loaded_assumptions = load_assumptions(assumptions, loaded)
        constraints = default_constraints(
            loaded_assumptions,
            float(_rate(provider_max_loss, "--provider-max-loss")),
            None if provider_min_share is None else _pence(provider_min_share, "--provider-min-share"),
            _pence(commissioner_min_retained, "--commissioner-min-retained"),
        )
        report = negotiation_frontier(loaded, loaded_assumptions, grid, constraints, scenarios, seed)
    if as_json:
        typer.echo(json.dumps(_frontier_json(report), indent=2))
        return
    _print_frontier(report)


@negotiate_app.command("pack")
def pack(
    agreement: AgreementArg,
    assumptions: AssumptionsArg,
    terms: Annotated[
        list[Path] | None,
        typer.Argument(help="Agreement files whose sharing rules are alternative terms.", show_default=False),
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the pack as PDF here.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the pack as an Excel workbook here.")] = None,
    scenarios: Annotated[int, typer.Option(help="Number of simulated scenarios.")] = DEFAULT_FRONTIER_SCENARIOS,
    seed: Seed = None,
) -> None:
    """The negotiation pack: outcomes per term set, the frontier, the assumptions and their sources, and the
    recommended terms with the reason (the frontier's default grid and constraints, as `frontier`)."""
    from gainshare.reports.negotiation_pack import build_pack, pack_pdf, pack_xlsx  # noqa: PLC0415  (heavy)

    if pdf is None and xlsx is None:
        raise typer.BadParameter("give --pdf, --xlsx or both", param_hint="--pdf/--xlsx")
    with user_errors():
        loaded = load_agreement(agreement)
        loaded_assumptions = load_assumptions(assumptions, loaded)
        term_sets = [TermSet(f"{agreement.name} (as agreed)", loaded.sharing)]
        term_sets += [TermSet(path.name, load_agreement(path).sharing) for path in terms or []]
        used = seed if seed is not None else secrets.randbits(32)  # printed below: reproducible
        report = simulate_agreement(loaded, loaded_assumptions, scenarios, used)
        comparison = compare_terms(loaded, loaded_assumptions, term_sets, scenarios, used)
        grid = Grid(
            _rates("20%:80%:5%", "--shares"), _rates("0%,0.5%,1%,2%,3%", "--thresholds"), _caps("none,5%,10%,15%,20%")
        )
        found = negotiation_frontier(
            loaded, loaded_assumptions, grid, default_constraints(loaded_assumptions), scenarios, used
        )
        sources = assumption_sources(assumptions, loaded)
        document = build_pack(report, comparison, found, loaded_assumptions, sources, datetime.now(UTC))
        if pdf is not None:
            pdf.write_bytes(pack_pdf(document))
        if xlsx is not None:
            xlsx.write_bytes(pack_xlsx(document))
    written = " and ".join(str(path) for path in (pdf, xlsx) if path is not None)
    console.print(f"Wrote the negotiation pack ({scenarios:,} scenarios, seed {used}) to {escape(written)}.")
    console.print(f"[bold]Recommended:[/] {_terms_text(found.frontier.recommended)}. {escape(found.frontier.reason)}")


# --- tables -------------------------------------------------------------------------------------------------


def _sides(agreement: Agreement) -> tuple[str, str]:
    """Short labels for the two sides: the party ids (names are in the caption)."""

    def ids(role: PartyRole) -> str:
        return "+".join(party.id for party in agreement.parties_with_role(role)) or role.value

    return ids(PartyRole.PROVIDER), ids(PartyRole.COMMISSIONER)


def _caption(agreement: Agreement) -> str:
    return "; ".join(f"{party.id}: {party.name}" for party in agreement.parties if party.role is not PartyRole.PRACTICE)


def _summary_table(title: str, summary: TermsSummary, provider: str, commissioner: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Outcome over the term", no_wrap=True)
    for column in ("Expected", "P5", "Median", "P95", "P(loss)", "5% VaR"):
        table.add_column(column, justify="right", no_wrap=True)
    rows = (
        ("Net saving (all schemes)", summary.net_saving),
        (f"{provider}: share", summary.provider_share),
        (f"{provider}: net after costs", summary.provider_net),
        (f"{commissioner}: retained saving", summary.commissioner_retained),
    )
    for label, values in rows:
        table.add_row(escape(label), *_summary_cells(values))
    return table


def _summary_cells(values: Summary) -> list[str]:
    return [
        str(Money(values.mean)),
        str(Money(values.p5)),
        str(Money(values.p50)),
        str(Money(values.p95)),
        f"{values.loss_probability:.1%}",
        str(Money(values.value_at_risk)),
    ]


def _tornado_table(tornado: Tornado, provider: str, commissioner: str) -> Table:
    low, high = f"P{tornado.low_quantile * 100:.0f}", f"P{tornado.high_quantile * 100:.0f}"
    table = Table(
        title=f"What drives the outcome: each assumption at its {low} and {high}, the others at their medians "
        f"(base: {escape(provider)} {Money(tornado.provider_net_base)}, "
        f"{escape(commissioner)} {Money(tornado.commissioner_base)})",
        title_justify="left",
        title_style="bold",
    )
    table.add_column("Assumption", no_wrap=True)
    table.add_column(f"{low} .. {high}", justify="right")
    table.add_column(f"{provider} net", justify="right")
    table.add_column(f"{commissioner} retained", justify="right")
    for bar in tornado.bars:
        table.add_row(
            escape(bar.variable),
            f"{_value(bar.variable, bar.low_value)} .. {_value(bar.variable, bar.high_value)}",
            f"{Money(bar.provider_net_low)} .. {Money(bar.provider_net_high)}",
            f"{Money(bar.commissioner_low)} .. {Money(bar.commissioner_high)}",
        )
    return table


def _value(variable: str, value: float) -> str:
    if variable.endswith(("price", "cost", "setup", "running_per_year")):
        return str(Money(round(value)))
    if variable.endswith("baseline_activity"):
        return f"{value:,.0f}"
    return f"{value:.1%}" if variable != "quality_score" else f"{value:.3f}"


def _comparison_table(result: Comparison) -> Table:
    provider, commissioner = _sides(result.agreement)
    table = Table(
        title=f"Terms side by side on the same {result.scenarios:,} scenarios (seed {result.seed})",
        title_justify="left",
        title_style="bold",
    )
    table.add_column("Outcome over the term", no_wrap=True)
    for name, _ in result.rows:
        table.add_column(escape(name), justify="right", no_wrap=True)
    metrics: list[tuple[str, Callable[[TermsSummary], str]]] = [
        ("Expected net saving", lambda s: str(Money(s.net_saving.mean))),
        (f"{provider}: expected share", lambda s: str(Money(s.provider_share.mean))),
        (f"{provider}: share P5 .. P95", lambda s: f"{Money(s.provider_share.p5)} .. {Money(s.provider_share.p95)}"),
        (f"{provider}: expected net after costs", lambda s: str(Money(s.provider_net.mean))),
        (f"{provider}: P(loss after costs)", lambda s: f"{s.provider_net.loss_probability:.1%}"),
        (f"{provider}: 5% VaR", lambda s: str(Money(s.provider_net.value_at_risk))),
        (f"{commissioner}: expected retained", lambda s: str(Money(s.commissioner_retained.mean))),
        (f"{commissioner}: P(loss)", lambda s: f"{s.commissioner_retained.loss_probability:.1%}"),
        (f"{commissioner}: 5% VaR", lambda s: str(Money(s.commissioner_retained.value_at_risk))),
        ("P(threshold met in a period)", lambda s: f"{s.threshold_probability:.1%}"),
    ]
    for label, cell in metrics:
        table.add_row(escape(label), *(cell(summary) for _, summary in result.rows))
    return table


def _print_frontier(report: FrontierReport) -> None:
    provider, commissioner = _sides(report.agreement)
    found = report.frontier
    feasible = [point for point in found.points if point.feasible]
    limits = found.constraints
    console.print(
        f"[bold]{len(feasible)} of {len(found.points)} term sets meet the constraints[/] "
        f"({found.scenarios:,} scenarios, seed {report.seed}): {escape(provider)} P(loss after costs) below "
        f"{limits.provider_max_loss_probability:.0%} and expected share at least "
        f"{Money(limits.provider_min_expected_share)}; {escape(commissioner)} expected retained saving at least "
        f"{Money(limits.commissioner_min_expected_retained)}."
    )
    table = Table(
        title="The frontier (feasible terms no other feasible terms beat on every count)", title_justify="left"
    )
    for column in ("Share", "Threshold", "Cap", f"{provider} E[share]", f"{provider} E[net]", "P(loss)"):
        table.add_column(escape(column), justify="right", no_wrap=True)
    table.add_column(f"{escape(commissioner)} E[kept]", justify="right", no_wrap=True)
    table.add_column("P(threshold)", justify="right")
    efficient = [point for point in found.points if point.efficient]
    shown = _nearest(efficient, found.recommended)
    for point in sorted(shown, key=lambda item: item.provider_expected_share):
        style = "bold green" if point is found.recommended else None
        table.add_row(*_point_cells(point), style=style)
    console.print(table)
    if len(shown) < len(efficient):
        console.print(f"{len(efficient) - len(shown)} more terms on the frontier: see --json.", style="dim")
    if found.recommended is None and found.failure_counts:
        counts = ", ".join(f"{name} fails in {count}" for name, count in found.failure_counts.items())
        console.print(f"Constraints that bind: {counts}.")
    console.print(f"[bold]Recommended:[/] {_terms_text(found.recommended)}. {escape(found.reason)}")
    console.print(escape(_caption(report.agreement)), style="dim")


FRONTIER_ROWS = 20


def _nearest(points: list[GridPoint], recommended: GridPoint | None) -> list[GridPoint]:
    """The frontier terms whose expected split is nearest the recommended terms'."""
    if recommended is None:
        return points[:FRONTIER_ROWS]
    target = recommended.provider_expected_share
    return sorted(points, key=lambda point: abs(point.provider_expected_share - target))[:FRONTIER_ROWS]


def _point_cells(point: GridPoint) -> list[str]:
    return [
        format_rate(point.share),
        format_rate(point.threshold) if point.threshold else "none",
        format_rate(point.cap) if point.cap is not None else "none",
        str(Money(point.provider_expected_share)),
        str(Money(point.provider_expected_net)),
        f"{point.provider_loss_probability:.1%}",
        str(Money(point.commissioner_expected_retained)),
        f"{point.threshold_probability:.1%}",
    ]


def _terms_text(point: GridPoint | None) -> str:
    if point is None:
        return "none"
    threshold = f"threshold {format_rate(point.threshold)} of baseline" if point.threshold else "no threshold"
    cap = f"cap {format_rate(point.cap)} of baseline" if point.cap is not None else "no cap"
    return f"provider share {format_rate(point.share)}, {threshold}, {cap}"


# --- JSON (money as integer pence) ---------------------------------------------------------------------------


def _summary_json(summary: TermsSummary) -> dict[str, Any]:
    def money(values: Summary) -> dict[str, Any]:
        data = asdict(values)
        return {f"{key}_pence" if key != "loss_probability" else key: value for key, value in data.items()}

    return {
        "scenarios": summary.scenarios,
        "net_saving": money(summary.net_saving),
        "provider_share": money(summary.provider_share),
        "provider_net": money(summary.provider_net),
        "commissioner_retained": money(summary.commissioner_retained),
        "threshold_probability": summary.threshold_probability,
        "provider_costs_mean_pence": summary.provider_costs_mean,
    }


def _simulation_json(report: SimulationReport) -> dict[str, Any]:
    tornado = report.tornado
    return {
        "agreement": report.agreement.id,
        "seed": report.seed,
        "summary": _summary_json(report.summary),
        "tornado": {
            "low_quantile": tornado.low_quantile,
            "high_quantile": tornado.high_quantile,
            "provider_net_base_pence": tornado.provider_net_base,
            "commissioner_base_pence": tornado.commissioner_base,
            "bars": [
                {
                    "variable": bar.variable,
                    "low_value": bar.low_value,
                    "high_value": bar.high_value,
                    "provider_net_low_pence": bar.provider_net_low,
                    "provider_net_high_pence": bar.provider_net_high,
                    "commissioner_low_pence": bar.commissioner_low,
                    "commissioner_high_pence": bar.commissioner_high,
                }
                for bar in tornado.bars
            ],
        },
    }


def _comparison_json(result: Comparison) -> dict[str, Any]:
    return {
        "agreement": result.agreement.id,
        "seed": result.seed,
        "scenarios": result.scenarios,
        "term_sets": [{"name": name, **_summary_json(summary)} for name, summary in result.rows],
    }


def _point_json(point: GridPoint) -> dict[str, Any]:
    return {
        "share": str(point.share),
        "threshold": str(point.threshold),
        "cap": None if point.cap is None else str(point.cap),
        "provider_expected_share_pence": point.provider_expected_share,
        "provider_expected_net_pence": point.provider_expected_net,
        "provider_loss_probability": point.provider_loss_probability,
        "commissioner_expected_retained_pence": point.commissioner_expected_retained,
        "commissioner_loss_probability": point.commissioner_loss_probability,
        "threshold_probability": point.threshold_probability,
        "feasible": point.feasible,
        "failures": list(point.failures),
        "efficient": point.efficient,
    }


def _frontier_json(report: FrontierReport) -> dict[str, Any]:
    found = report.frontier
    limits = found.constraints
    return {
        "agreement": report.agreement.id,
        "seed": report.seed,
        "scenarios": found.scenarios,
        "constraints": {
            "provider_max_loss_probability": limits.provider_max_loss_probability,
            "provider_min_expected_share_pence": limits.provider_min_expected_share,
            "commissioner_min_expected_retained_pence": limits.commissioner_min_expected_retained,
        },
        "points": [_point_json(point) for point in found.points],
        "recommended": None if found.recommended is None else _point_json(found.recommended),
        "reason": found.reason,
    }


# --- option parsing -------------------------------------------------------------------------------------------


def _bad_option(option: str, message: str) -> InvalidInputError:
    return InvalidInputError([Issue("option.value", message, Source(column=option))])


def _rate(text: str, option: str) -> Decimal:
    try:
        return parse_rate(text)
    except ValueError as error:
        raise _bad_option(option, str(error)) from None


def _rates(text: str, option: str) -> tuple[Decimal, ...]:
    """'40%,50%' or '20%:80%:5%' (from, to inclusive, step)."""
    if ":" not in text:
        return tuple(_rate(part, option) for part in text.split(",") if part.strip())
    parts = text.split(":")
    if len(parts) != 3:
        raise _bad_option(option, f"{text!r}: write a range as from:to:step, e.g. 20%:80%:5%")
    start, stop, step = (_rate(part, option) for part in parts)
    if step <= 0 or stop < start:
        raise _bad_option(option, f"{text!r}: the step must be positive and 'to' not below 'from'")
    count = int((stop - start) / step) + 1
    return tuple(start + step * index for index in range(count))


def _caps(text: str) -> tuple[Decimal | None, ...]:
    return tuple(
        None if part.strip().lower() == "none" else _rate(part, "--caps") for part in text.split(",") if part.strip()
    )


def _pence(text: str, option: str) -> int:
    try:
        return Money.parse(text).pence
    except ValueError as error:
        raise _bad_option(option, str(error)) from None


def _sharing(excess_only: bool) -> ThresholdSharing:
    return ThresholdSharing.EXCESS_ONLY if excess_only else ThresholdSharing.FIRST_POUND
