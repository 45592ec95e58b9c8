"""`gainshare hubs`: choose the hub sites for a service across member practices, show the trade-off of hubs
against travel, the referral flows at the agreed price, and draw maps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gainshare.adapters.geo.demand import load_demand
from gainshare.adapters.geo.postcodes import load_postcode_coordinates
from gainshare.adapters.geo.sites import load_candidate_sites, load_practice_sites
from gainshare.adapters.geo.travel import load_travel_matrix
from gainshare.adapters.loaders._columns import parse_month
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import DEFAULT_CIRCUITY, Capacity, Site
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money
from gainshare.interfaces.cli.errors import user_errors
from gainshare.reports.hub_map import TileLayer, plan_as_dict, render_html, render_png
from gainshare.services.hubs import HubInputs, HubReport, HubRequest, HubService, Method

console = Console(highlight=False)

Opt = typer.Option


def hubs(
    practices: Annotated[
        Path,
        typer.Argument(
            help="Member practices: CSV with practice_code, name, postcode, "
            "latitude, longitude (or the ODS epraccur file).",
            show_default=False,
        ),
    ],
    demand: Annotated[
        Path,
        typer.Argument(
            help="Aggregated activity: practice_code, service_line, month, activity (CSV, Parquet or Excel).",
            show_default=False,
        ),
    ],
    service: Annotated[str, Opt("--service", "-s", help="The service line whose demand the hubs serve.")],
    hub_count: Annotated[int | None, Opt("--hubs", help="Number of hubs (p).")] = None,
    candidates: Annotated[
        Path | None,
        Opt(
            help="Candidate sites CSV: site_code, name, postcode, latitude, longitude, "
            "capacity_per_session, sessions_per_month. Default: every practice."
        ),
    ] = None,
    postcodes: Annotated[Path | None, Opt(help="Postcode coordinates: ONSPD CSV or postcode,lat,lon.")] = None,
    pin: Annotated[list[str] | None, Opt("--pin", help="A site that must host a hub (repeatable).")] = None,
    exclude: Annotated[list[str] | None, Opt("--exclude", help="A site that must not (repeatable).")] = None,
    max_travel: Annotated[
        float | None, Opt(help="Most travel allowed for any practice (km, or minutes with a travel matrix).")
    ] = None,
    capacity: Annotated[
        str | None,
        Opt(
            help="Items per session, and optionally sessions a month per hub: '12' or "
            "'12x10' (a limit makes the model capacitated)."
        ),
    ] = None,
    travel_matrix: Annotated[
        Path | None,
        Opt(help="CSV origin,destination,minutes (e.g. from a routing engine) instead of straight-line distance."),
    ] = None,
    circuity: Annotated[float, Opt(help="Road distance over straight-line distance.")] = DEFAULT_CIRCUITY,
    curve: Annotated[str | None, Opt(help="Trade-off curve of hubs against travel, e.g. '1..8'.")] = None,
    price: Annotated[str | None, Opt(help="Agreed price per referred item in pounds, for the flow matrix.")] = None,
    first_month: Annotated[str | None, Opt("--from", help="First month of demand (YYYY-MM); default: last 12.")] = None,
    last_month: Annotated[str | None, Opt("--to", help="Last month of demand (YYYY-MM).")] = None,
    method: Annotated[Method, Opt(help="auto: exact when small or capacitated, else the heuristic.")] = Method.AUTO,
    time_limit: Annotated[float | None, Opt(help="Seconds the exact solver may take.")] = None,
    map_html: Annotated[Path | None, Opt("--map", help="Write an interactive HTML map here.")] = None,
    png: Annotated[Path | None, Opt("--png", help="Write a static PNG map here.")] = None,
    tiles: Annotated[
        str | None,
        Opt(
            help="Tile URL template for the HTML map, e.g. "
            "'https://tile.openstreetmap.org/{z}/{x}/{y}.png' (default: none, offline)."
        ),
    ] = None,
    attribution: Annotated[str, Opt(help="Attribution text for the tiles.")] = "© OpenStreetMap contributors",
    as_json: Annotated[bool, Opt("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Choose hub sites (p-median; capacitated with --capacity PERxSESSIONS), exactly with HiGHS or by a bounded
    heuristic at scale, and show assignments, sessions, travel and referral flows."""
    with user_errors():
        lookup = load_postcode_coordinates(postcodes) if postcodes else None
        sites = load_practice_sites(practices, lookup)
        by_code = {site.code: site for site in sites}
        loaded = load_demand(demand, service, first=_month(first_month, "--from"), last=_month(last_month, "--to"))
        members = tuple(site for site in sites if site.code in loaded.items)
        _check_members(members, loaded.items, by_code, str(demand))
        inputs = HubInputs(
            practices=members,
            demand=loaded,
            candidates=load_candidate_sites(candidates, by_code, lookup) if candidates else None,
            capacity=_capacity(capacity),
            travel=load_travel_matrix(travel_matrix) if travel_matrix else None,
            circuity=circuity,
            price=_price(price),
        )
        request = HubRequest(
            hub_count,
            _curve(curve),
            tuple(c.upper() for c in pin or ()),
            tuple(c.upper() for c in exclude or ()),
            max_travel,
            method,
            time_limit,
        )
        report = HubService().plan(inputs, request)
        layer = TileLayer(tiles, attribution) if tiles else None
        if map_html and report.plan:
            render_html(report, map_html, tiles=layer)
        if png and report.plan:
            render_png(report, png)
    if as_json:
        typer.echo(json.dumps(plan_as_dict(report), indent=2))
        return
    _show(report, loaded.months)
    for path in (map_html, png):
        if path and report.plan:
            console.print(f"Map written to {path}")


def _month(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_month(text.strip())
    except ValueError:
        raise InvalidInputError(
            [Issue("hubs.month", f"{text!r} is not a month like 2025-04", Source(clause=option))]
        ) from None


def _check_members(members: tuple[Site, ...], items: Mapping[str, int], by_code: dict[str, Site], name: str) -> None:
    unknown = sorted(code for code in items if code not in by_code)
    if unknown:
        raise InvalidInputError(
            [
                Issue(
                    "hubs.practice", f"practice {code} is in the demand file but not in the practice list", Source(name)
                )
                for code in unknown[:20]
            ]
        )
    if not members:
        raise InvalidInputError([Issue("hubs.practice", "no practice of the practice list is in the demand file")])


def _capacity(text: str | None) -> Capacity | None:
    if text is None:
        return None
    per, _, sessions = text.lower().partition("x")
    try:
        return Capacity(int(per), int(sessions) if sessions else None)
    except ValueError:
        raise InvalidInputError(
            [
                Issue(
                    "hubs.capacity",
                    f"{text!r}: write items per session, optionally x sessions a month, like 12x10",
                    Source(clause="--capacity"),
                )
            ]
        ) from None


def _curve(text: str | None) -> int | None:
    if text is None:
        return None
    low, _, high = text.partition("..")
    try:
        top = int(high or low)
    except ValueError:
        raise InvalidInputError(
            [Issue("hubs.curve", f"{text!r}: write the range of hubs like 1..8", Source(clause="--curve"))]
        ) from None
    return top


def _price(text: str | None) -> Money | None:
    if text is None:
        return None
    try:
        return Money.parse(text)
    except ValueError as error:
        raise InvalidInputError([Issue("hubs.price", str(error), Source(clause="--price"))]) from None


def _show(report: HubReport, months: tuple[str, ...]) -> None:
    unit = report.unit.value
    basis = f"straight line x {report.circuity:g} circuity" if report.circuity else "travel-time matrix"
    console.print(f"Demand window: {months[0]} to {months[-1]} ({len(months)} months). Travel: {unit} ({basis}).")
    if report.plan:
        _show_plan(report, unit)
    if report.curve:
        table = Table(title="Hubs against travel")
        for column in ("Hubs", f"Average ({unit})", f"Worst ({unit})", "Gap", "Sites"):
            table.add_column(column, justify="left" if column == "Sites" else "right")
        for point in report.curve:
            if point.average_travel is None:
                table.add_row(str(point.hubs), "no layout", "", "", "")
                continue
            table.add_row(
                str(point.hubs),
                f"{point.average_travel:.2f}",
                f"{point.worst_travel:.2f}",
                f"{point.gap:.2%}",
                ", ".join(point.sites),
            )
        console.print(table)
    for issue in report.warnings:
        console.print(f"[yellow]![/] {issue.render()}")


def _show_plan(report: HubReport, unit: str) -> None:
    plan = report.plan
    assert plan is not None
    proof = "optimal (HiGHS)" if plan.proven_optimal else f"within {plan.gap:.2%} of the lower bound"
    console.print(
        f"[bold]{len(plan.hubs)} hubs[/] by the {plan.method.value} method, {proof}. Average travel "
        f"{plan.average_travel:.2f} {unit} per item, worst {plan.worst_travel:.2f} {unit}."
    )
    loads = Table(title="Hubs")
    for column in ("Hub", "Practices", "Items", "Sessions needed / month", "Sessions available"):
        loads.add_column(column, justify="left" if column == "Hub" else "right")
    for load in plan.loads:
        needed = "" if load.sessions_needed is None else str(load.sessions_needed)
        available = "unlimited" if load.sessions_available is None else str(load.sessions_available)
        loads.add_row(load.hub, str(load.practices), f"{load.items:,}", needed, available)
    console.print(loads)
    table = Table(title="Practices and their hubs")
    for column in ("Practice", "Hub", "Items", f"Travel ({unit})", "Pays"):
        table.add_column(column, justify="left" if column in ("Practice", "Hub") else "right")
    for a in plan.assignments:
        pays = ""
        if report.flows is not None:
            pays = "own hub" if a.practice == a.hub else report.flows.paid_by(a.practice).format()
        table.add_row(a.practice, a.hub, f"{a.items:,}", f"{a.travel:.2f}", pays)
    console.print(table)
    if report.flows is not None:
        flows = report.flows
        console.print(
            f"Referral flows at {flows.price.format()} an item: {flows.total_items:,} items, "
            f"{flows.inter_practice_amount.format()} between practices "
            f"(of {flows.total_amount.format()} in all)."
        )
