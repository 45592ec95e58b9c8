"""`gainshare discover variation|opportunity|pack`: unwarranted variation between practices, the services worth
moving out of hospital, and the opportunity pack (PDF and Excel workbook with formulas) of both. Reads an
aggregated activity file (practice_code, service_line, pod, month, activity, cost) and, for variation and the
pack, a 'Patients Registered at a GP Practice' file with age/sex bands, through the NHS file loaders in
gainshare.adapters.loaders.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gainshare.adapters.catalogue import YamlCatalogueReader
from gainshare.adapters.discover_inputs import load_activity_rows, load_patients
from gainshare.adapters.reference_rates import load_reference_rates
from gainshare.domain.catalogue import Assumption
from gainshare.domain.issues import Issue
from gainshare.domain.money import format_rate, parse_rate
from gainshare.domain.opportunity import OpportunityAppraisal
from gainshare.domain.population import RegisteredPatients
from gainshare.domain.variation import LimitMethod, Significance, VariationResult
from gainshare.interfaces.cli.errors import user_errors
from gainshare.services.discover import DEFAULT_PROVISION_PODS, DiscoverInputs, DiscoverService

app = typer.Typer(help="Discover: variation between practices and the services worth moving out of hospital.")
console = Console(highlight=False)

ACTIVITY_HELP = (
    "Aggregated activity: CSV, Parquet or Excel with practice_code, service_line, pod, month, activity, cost."
)
LIST_SIZES_HELP = (
    "Registered patients by quinary age/sex band: the NHS file, or a simple CSV of practice_code, month, sex, "
    "age_band, patients."
)
Catalogue = Annotated[
    Path | None, typer.Option(help="A service catalogue YAML to use instead of the one shipped with gainshare.")
]
FirstMonth = Annotated[str | None, typer.Option("--from", help="First month (YYYY-MM); default: the last 12 months.")]
LastMonth = Annotated[str | None, typer.Option("--to", help="Last month (YYYY-MM); default: the last month with data.")]
ProvisionPods = Annotated[
    list[str] | None,
    typer.Option("--provision-pod", help=f"Out-of-hospital points of delivery, not counted as hospital activity "
                 f"(repeatable); default: {', '.join(DEFAULT_PROVISION_PODS)}."),
]  # fmt: skip

_STYLE = {
    Significance.HIGH_99_8: "bold red",
    Significance.HIGH_95: "red",
    Significance.LOW_95: "blue",
    Significance.LOW_99_8: "bold blue",
    Significance.NOT_SIGNIFICANT: "",
}


@app.command("variation")
def variation(
    activity: Annotated[Path, typer.Argument(help=ACTIVITY_HELP, show_default=False)],
    list_sizes: Annotated[Path, typer.Argument(help=LIST_SIZES_HELP, show_default=False)],
    service_line: Annotated[str, typer.Option("--service-line", "-s", help="The service line to analyse.")],
    percentile: Annotated[
        str, typer.Option(help="Target for the opportunity: practices above this percentile of ratios come down to it.")
    ] = "50%",
    method: Annotated[
        LimitMethod, typer.Option(help="Poisson limits: phe (exact below 10, Byar from 10) or exact.")
    ] = (LimitMethod.PHE),
    catalogue: Catalogue = None,
    first_month: FirstMonth = None,
    last_month: LastMonth = None,
    provision_pod: ProvisionPods = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            help="Standardise against external rates instead of the federation: CSV of sex, age_band, "
            "rate_per_1000 (a year), a 'Persons, All ages' row for the crude rate, optional service_line.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Rates per 1,000 patients, indirectly standardised by age and sex (against the federation, or a national
    reference with --reference), with funnel-plot limits (95%, 99.8%)."""
    with user_errors():
        inputs = _inputs(activity, load_patients(list_sizes), first_month, last_month, provision_pod)
        report = _service().variation(
            inputs,
            service_line,
            percentile=parse_rate(percentile),
            method=method,
            catalogue_location=str(catalogue) if catalogue else None,
            external=load_reference_rates(reference, service_line) if reference else None,
        )
    console.print(f"[bold]{escape(service_line)}[/]: {report.period.label}; list sizes of {report.extract_date}")
    console.print(variation_table(report.result))
    console.print(_opportunity_text(report.result))
    _print_assumptions(report.result.assumptions, report.warnings)


@app.command("opportunity")
def opportunity(
    activity: Annotated[Path, typer.Argument(help=ACTIVITY_HELP, show_default=False)],
    term_years: Annotated[int, typer.Option(min=1, max=30, help="Length of the proposed term in years.")] = 3,
    discount_rate: Annotated[str, typer.Option(help="Yearly discount rate (HM Treasury Green Book: 3.5%).")] = "3.5%",
    service_line: Annotated[
        list[str] | None, typer.Option("--service-line", "-s", help="Only these service lines (repeatable).")
    ] = None,
    catalogue: Catalogue = None,
    first_month: FirstMonth = None,
    last_month: LastMonth = None,
    provision_pod: ProvisionPods = None,
) -> None:
    """Per service: activity that could move x (hospital price - out-of-hospital cost), less set-up and running
    costs, ramped up over the term; NPV and payback; ranked."""
    with user_errors():
        inputs = _inputs(activity, RegisteredPatients(), first_month, last_month, provision_pod)
        report = _service().opportunity(
            inputs,
            term_years=term_years,
            discount_rate=parse_rate(discount_rate),
            service_lines=service_line or None,
            catalogue_location=str(catalogue) if catalogue else None,
        )
    console.print(f"Baseline: hospital activity {report.period.label}, as a yearly rate")
    console.print(opportunity_table(report.appraisal))
    console.print(f"Discounting: {report.appraisal.discounting}.")
    console.print(f"Payback: {report.appraisal.payback_convention}.")
    _print_assumptions(report.appraisal.assumptions, report.warnings)


@app.command("pack")
def pack(
    activity: Annotated[Path, typer.Argument(help=ACTIVITY_HELP, show_default=False)],
    list_sizes: Annotated[Path, typer.Argument(help=LIST_SIZES_HELP, show_default=False)],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the pack as a PDF here.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the pack as an Excel workbook here.")] = None,
    title: Annotated[str, typer.Option(help="The pack's title.")] = "Opportunity pack",
    term_years: Annotated[int, typer.Option(min=1, max=30, help="Length of the proposed term in years.")] = 3,
    discount_rate: Annotated[str, typer.Option(help="Yearly discount rate (HM Treasury Green Book: 3.5%).")] = "3.5%",
    catalogue: Catalogue = None,
    first_month: FirstMonth = None,
    last_month: LastMonth = None,
    provision_pod: ProvisionPods = None,
) -> None:
    """The opportunity pack: services ranked by NPV with their year-by-year arithmetic, each service's funnel plot
    and outliers, and every assumption with its source; as a PDF and/or an Excel workbook whose figures are
    formulas (opportunity, ramp-up, discount factors, NPV, payback) a finance reader can check."""
    if pdf is None and xlsx is None:
        raise typer.BadParameter("give --pdf FILE, --xlsx FILE or both")
    with user_errors():
        inputs = _inputs(activity, load_patients(list_sizes), first_month, last_month, provision_pod)
        found = _service().pack(
            inputs,
            title=title,
            source=f"hospital activity from {activity.name}, list sizes from {list_sizes.name}",
            term_years=term_years,
            discount_rate=parse_rate(discount_rate),
            catalogue_location=str(catalogue) if catalogue else None,
        )
    from gainshare.reports.discover_pack import pack_pdf, pack_xlsx  # noqa: PLC0415  (WeasyPrint loads Pango)

    if xlsx is not None:
        xlsx.write_bytes(pack_xlsx(found))
        console.print(f"[green]✓[/] Workbook: {escape(str(xlsx))}")
    if pdf is not None:
        pdf.write_bytes(pack_pdf(found, datetime.now(UTC)))
        console.print(f"[green]✓[/] PDF: {escape(str(pdf))}")
    appraisal = found.opportunity.appraisal
    for item in appraisal.services:
        console.print(f"  {item.rank:>2}. {escape(item.case.name)}: NPV {item.npv}, payback {item.payback.render()}")
    console.print(f"Total NPV of {len(appraisal.services)} services: [bold]{appraisal.total_npv}[/]")


def _service() -> DiscoverService:
    return DiscoverService(YamlCatalogueReader())


def _inputs(
    activity: Path,
    patients: RegisteredPatients,
    first_month: str | None,
    last_month: str | None,
    provision_pods: list[str] | None,
) -> DiscoverInputs:
    return DiscoverInputs(
        patients=patients,
        activity=load_activity_rows(activity),
        provision_pods=tuple(provision_pods) if provision_pods else DEFAULT_PROVISION_PODS,
        first_month=_month(first_month),
        last_month=_month(last_month),
    )


def _month(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        year, month = text.strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a month: write it like 2024-04") from None


def variation_table(result: VariationResult) -> Table:
    reference = result.reference
    table = Table(
        title=f"Practices against {reference.name} ({reference.kind.value} reference), {result.method.value} limits",
        title_justify="left",
        title_style="bold",
    )
    columns = (
        "Practice", "Patients", "Observed", "Expected", "Crude/1k/yr", "Std/1k/yr", "Ratio", "95% CI",
        "99.8% CI", "Funnel",
    )  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column in ("Practice", "Funnel") else "right", no_wrap=True)
    for item in sorted(result.practices, key=lambda item: item.ratio, reverse=True):
        style = _STYLE[item.significance]
        table.add_row(
            escape(item.practice_code),
            f"{item.registered:,}",
            f"{item.observed:,}",
            f"{item.expected:,.1f}",
            f"{item.crude_rate:,.1f}",
            f"{item.standardised_rate:,.1f}",
            f"{item.ratio:.3f}",
            f"{item.interval_95.ratio_lower:.3f}-{item.interval_95.ratio_upper:.3f}",
            f"{item.interval_99_8.ratio_lower:.3f}-{item.interval_99_8.ratio_upper:.3f}",
            f"[{style}]{item.significance.value}[/]" if style else item.significance.value,
        )
    return table


def _opportunity_text(result: VariationResult) -> str:
    found = result.opportunity
    high = sum(1 for item in result.practices if item.significance.is_high)
    low = sum(1 for item in result.practices if item.significance.is_low)
    return (
        f"{high} practice(s) above and {low} below the 95% limits (of which outside 99.8%: "
        f"{sum(1 for item in result.practices if item.significance in (Significance.HIGH_99_8, Significance.LOW_99_8))}"
        f").\nIf the {len(found.practices)} practice(s) above {found.target} ({found.target_ratio:.3f}) came down to "
        f"it: {found.activity:,.0f} fewer hospital units a year, worth [bold]{found.value}[/] at {found.unit_price} "
        "a unit."
    )


def opportunity_table(appraisal: OpportunityAppraisal) -> Table:
    table = Table(
        title=f"Services ranked by NPV over {appraisal.term_years} years at {format_rate(appraisal.discount_rate)}",
        title_justify="left",
        title_style="bold",
    )
    columns = (
        "Rank", "Service", "Hospital units/yr", "Movable", "Hospital price", "Out-of-hospital", "Set-up",
        "Running/yr", *(f"Net year {year}" for year in range(1, appraisal.term_years + 1)), "NPV", "Payback",
    )  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "Service" else "right", no_wrap=column != "Service")
    for item in appraisal.services:
        case = item.case
        table.add_row(
            str(item.rank),
            escape(case.name),
            f"{case.annual_hospital_activity:,.0f}",
            format_rate(case.movable_share),
            str(case.hospital_price),
            str(case.out_of_hospital_cost),
            str(item.setup_cost),
            str(case.annual_running_cost),
            *(str(year.net) for year in item.years),
            f"[bold]{item.npv}[/]",
            item.payback.render(),
        )
    return table


def _print_assumptions(assumptions: tuple[Assumption, ...], warnings: tuple[Issue, ...]) -> None:
    for warning in warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning.render())}")
    console.print("[bold]Assumptions used[/] (defaults from the service catalogue unless a source is named):")
    for assumption in assumptions:
        console.print(f"  • {escape(assumption.render())}")
