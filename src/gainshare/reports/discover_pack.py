"""The opportunity pack: a PDF (HTML through WeasyPrint) and an Excel workbook of Discover's figures.

The PDF shows the ranking by NPV, each service's year-by-year arithmetic, each service's funnel plot with the
practices outside the limits, and every assumption with its source. The workbook (discover_workbook.py) holds
the same figures as formulas. The caller passes the time the pack is generated; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gainshare import __version__
from gainshare.domain.catalogue import Assumption
from gainshare.domain.variation import VariationResult
from gainshare.reports.discover_charts import funnel_svg, svg_data_url
from gainshare.reports.discover_workbook import write_workbook
from gainshare.reports.html import render
from gainshare.reports.pdf import html_to_pdf
from gainshare.services.discover import OpportunityPack, VariationReport

TEMPLATE = "discover_pack.html"


@dataclass(frozen=True, slots=True)
class FunnelSection:
    name: str
    report: VariationReport
    chart: str  # data: URL of the SVG funnel plot

    @property
    def result(self) -> VariationResult:
        return self.report.result


@dataclass(frozen=True, slots=True)
class PackContext:
    pack: OpportunityPack
    funnels: tuple[FunnelSection, ...]
    assumptions: tuple[Assumption, ...]
    generated_at: datetime
    generator: str = f"gainshare {__version__}"


def pack_context(pack: OpportunityPack, generated_at: datetime) -> PackContext:
    assumptions: list[Assumption] = []
    for item in (*pack.opportunity.appraisal.assumptions, *(a for v in pack.variations for a in v.result.assumptions)):
        if item not in assumptions:
            assumptions.append(item)
    names = {item.case.service_line: item.case.name for item in pack.opportunity.appraisal.services}
    funnels = tuple(
        FunnelSection(names.get(report.result.service_line, report.result.service_line), report,
                      svg_data_url(funnel_svg(report.result)))
        for report in pack.variations
    )  # fmt: skip
    return PackContext(pack, funnels, tuple(assumptions), generated_at)


def pack_html(pack: OpportunityPack, generated_at: datetime) -> str:
    context = pack_context(pack, generated_at)
    return render(TEMPLATE, ctx=context, generator=context.generator)


def pack_pdf(pack: OpportunityPack, generated_at: datetime) -> bytes:
    return html_to_pdf(pack_html(pack, generated_at))


def pack_xlsx(pack: OpportunityPack) -> bytes:
    data, _layout = write_workbook(pack)
    return data
