"""`gainshare incentives schedule`, `gainshare conflicts register` and `gainshare landscape` (table or PNG map)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gainshare.adapters.icb_tiles import load_icb_tiles
from gainshare.adapters.incentives_file import YamlSchemeParser, load_register, load_scheme, load_weighted_list
from gainshare.adapters.landscape import load_landscape, select
from gainshare.adapters.loaders.epraccur import load_epraccur
from gainshare.adapters.loaders.list_sizes import load_registered_patients
from gainshare.domain.errors import ConflictError
from gainshare.domain.incentives import (
    IncentiveScheme,
    PatientBasis,
    PatientCount,
    PaymentSchedule,
    SignOff,
    SurveyStatus,
)
from gainshare.engines.incentives import payment_schedule
from gainshare.interfaces.cli.errors import user_errors
from gainshare.reports.conflicts import register_csv, register_html
from gainshare.reports.landscape_map import render_landscape_png

incentives_app = typer.Typer(help="Incentive schemes that pay practices to federate.", no_args_is_help=True)
conflicts_app = typer.Typer(help="The register of declared interests.", no_args_is_help=True)
console = Console(highlight=False)


@incentives_app.command("schedule")
def schedule(
    scheme_file: Annotated[Path, typer.Argument(metavar="SCHEME.yaml", help="The incentive scheme file.")],
    list_sizes: Annotated[
        Path,
        typer.Argument(
            metavar="LIST_SIZES.csv",
            help="'Patients Registered at a GP Practice' (registered basis), or practice_code,weighted_patients.",
        ),
    ],
    practices: Annotated[Path | None, typer.Option(help="The ODS practice list (epraccur.csv).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Date to schedule as of (YYYY-MM-DD); default the last stage.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (amounts in pence) instead of a table.")] = False,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="A workspace database URL (GAINSHARE_DATABASE_URL of gainshare serve) where the scheme is registered: "
            "its milestone sign-offs are applied. Without it, milestones are shown awaiting sign-off.",
        ),
    ] = None,
) -> None:
    """The payment schedule per practice and stage, to the penny."""
    with user_errors():
        scheme = load_scheme(scheme_file)
        counts = _counts(scheme, list_sizes)
        practice_list = load_epraccur(practices) if practices is not None else None
        day = date.fromisoformat(as_of) if as_of else max(stage.due for stage in scheme.stages)
        sign_offs = _recorded_sign_offs(database, scheme) if database else ()
        result = payment_schedule(scheme, counts, practice_list, sign_offs, day)
    if as_json:
        typer.echo(json.dumps(schedule_dict(scheme, result), indent=2))
    else:
        _print_schedule(scheme, result)


def _recorded_sign_offs(url: str, scheme: IncentiveScheme) -> tuple[SignOff, ...]:
    """The sign-offs recorded in the workspace for the scheme, if the database holds the same scheme."""
    from gainshare.adapters.sql import migrate  # noqa: PLC0415 (SQLAlchemy loads only when a database is named)
    from gainshare.adapters.sql.uow import SqlDatabase  # noqa: PLC0415

    current, newest = migrate.current_revision(url), migrate.head_revision()
    if current != newest:
        raise ConflictError(
            f"the database is at schema revision {current or 'none'}, not the newest ({newest}): "
            "run gainshare serve against it once to migrate it"
        )
    database = SqlDatabase(url)
    try:
        with database() as uow:
            registered = uow.incentives.scheme(scheme.id)
            records = uow.incentives.sign_offs(scheme.id)
    finally:
        database.dispose()
    if YamlSchemeParser().parse(registered.content, f"incentive scheme {scheme.id}") != scheme:
        raise ConflictError(f"the scheme file differs from scheme {scheme.id!r} as registered in the workspace")
    return tuple(SignOff(item.stage_id, item.practice_code, item.signed_at.date()) for item in records)


def _counts(scheme: IncentiveScheme, path: Path) -> tuple[PatientCount, ...]:
    if scheme.basis is PatientBasis.WEIGHTED:
        return load_weighted_list(path, scheme.snapshot_date)
    patients = load_registered_patients(path)
    return tuple(
        PatientCount(item.practice_code, item.extract_date, Decimal(item.patients), item.commissioner_code)
        for item in patients.list_sizes
    )


def schedule_dict(scheme: IncentiveScheme, result: PaymentSchedule) -> dict[str, Any]:
    return {
        "scheme": scheme.id,
        "as_of": result.as_of.isoformat(),
        "total_patients": str(result.total_patients),
        "total_entitlement_pence": result.total_entitlement.pence,
        "total_payable_pence": result.total_payable.pence,
        "practices": [
            {"practice": item.practice_code, "patients": str(item.patients), "amount_pence": item.amount.pence}
            for item in result.entitlements
        ],
        "lines": [
            {
                "stage": line.stage_id,
                "practice": line.practice_code,
                "payee": line.payee_code,
                "entitlement_pence": line.entitlement.pence,
                "amount_pence": line.amount.pence,
                "due": line.due.isoformat(),
                "pay_date": line.pay_date.isoformat() if line.pay_date else None,
                "status": line.status.value,
                "reason": line.reason,
            }
            for line in result.lines
        ],
        "excluded": [{"practice": item.practice_code, "reason": item.reason} for item in result.exclusions],
    }


def _print_schedule(scheme: IncentiveScheme, result: PaymentSchedule) -> None:
    console.print(f"[bold]{escape(scheme.name)}[/] as of {result.as_of.isoformat()}")
    console.print(
        f"{len(result.entitlements)} eligible practices, {result.total_patients} patients x "
        f"£{scheme.rate_per_patient} = {result.total_entitlement}"
    )
    table = Table("Stage", "Practice", "Payee", "Amount", "Due", "Paid on", "Status", "Why")
    for line in result.lines:
        paid_on = line.pay_date.isoformat() if line.pay_date else ""
        table.add_row(
            line.stage_id, line.practice_code, line.payee_code, str(line.amount), line.due.isoformat(), paid_on,
            line.status.value, escape(line.reason),
        )  # fmt: skip
    console.print(table)
    console.print(f"Payable by {result.as_of.isoformat()}: {result.total_payable}; withheld: {result.total_withheld}")
    for item in result.exclusions:
        console.print(f"  not eligible: {item.practice_code}: {escape(item.reason)}")


@conflicts_app.command("register")
def register(
    register_file: Annotated[Path, typer.Argument(metavar="REGISTER.yaml", help="The register of declarations.")],
    html: Annotated[Path | None, typer.Option("--html", help="Write a printable HTML register here.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the register as CSV here.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Date that decides which interests are current.")] = None,
) -> None:
    """Check a register of declared interests and print or write it."""
    with user_errors():
        loaded = load_register(register_file)
        day = (
            date.fromisoformat(as_of)
            if as_of
            else max((item.valid_from for item in loaded.declarations), default=date(2000, 1, 1))
        )
    if html is not None:
        html.write_text(register_html(loaded, day), encoding="utf-8")
        console.print(f"Wrote {html}")
    if csv_out is not None:
        csv_out.write_text(register_csv(loaded), encoding="utf-8")
        console.print(f"Wrote {csv_out}")
    if html is None and csv_out is None:
        typer.echo(register_csv(loaded), nl=False)


def landscape(
    status: Annotated[str | None, typer.Option(help="planning, not-planning or federated.", show_default=False)] = None,
    icb: Annotated[str | None, typer.Option(help="An ICB ODS code, such as QK1.", show_default=False)] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also draw a schematic map (one tile per ICB, by NHS region) of the CCGs shown."),
    ] = None,
) -> None:
    """The 2015 HSJ survey of CCGs incentivising federation, mapped to today's sub-ICB locations and ICBs."""
    with user_errors():
        wanted = _status(status)
        entries = select(load_landscape(), wanted, icb)
        if png is not None:
            render_landscape_png(load_icb_tiles(), entries, png)
    table = Table("CCG (2015)", "Code", "Status", "Sub-ICB location", "ICB", "Note")
    for entry in entries:
        note = ("MCP vanguard. " if entry.mcp_vanguard else "") + entry.scheme_note
        table.add_row(
            escape(entry.survey_name), entry.ccg_code, entry.status.value, escape(entry.sub_icb_name),
            f"{entry.icb_code} {escape(entry.icb_name)}", escape(note),
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(entries)} CCGs")
    if png is not None:
        console.print(f"Wrote {png} (a schematic tile map: one equal tile per ICB, not to scale)")


def _status(text: str | None) -> SurveyStatus | None:
    if text is None:
        return None
    try:
        return SurveyStatus(text)
    except ValueError:
        raise typer.BadParameter("use planning, not-planning or federated", param_hint="--status") from None
