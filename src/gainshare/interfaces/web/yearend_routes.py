"""Year-end pages: the outturn forecast with its interval, payments on account (schedule drawn from the forecast,
instalments paid once), the reconciliation and true-up, the settlement statement signed by both parties and then
posted once with the distribution to practices and projects (statement documents as PDF and Excel), a prior-period
adjustment when the actuals moved after posting (the revised statement signed by both, then the difference posted
once), and the inter-practice referral statements with their CSV export. Handlers call services only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from gainshare.adapters.monitoring_files import decode_weights
from gainshare.adapters.referral_export import statements_csv
from gainshare.bootstrap import Workspace
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import parse_rate
from gainshare.interfaces.api.deps import workspace
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.monitoring_views import MIXES
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.interfaces.web.views import agreement_row, issue_where, pounds
from gainshare.reports.context import build_statement_context
from gainshare.reports.statement import statement_pdf, statement_xlsx
from gainshare.services.ports import AdjustmentSection
from gainshare.services.yearend import DistributionTerms

router = APIRouter(route_class=PageRoute)
T = TypeVar("T")
Year = Annotated[Workspace, Depends(workspace)]
UploadedFile = Annotated[UploadFile, File()]
DOCUMENTS = {
    "pdf": ("application/pdf", statement_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", statement_xlsx),
}


def _period(year: Workspace, actor: PageActor, agreement_id: int, period: str) -> tuple[str, list[str]]:
    periods = [p.id for p in year.monitoring.terms(actor, agreement_id).periods()]
    return (period if period in periods else periods[0]), periods


def _attempt(call: Callable[[], T]) -> tuple[T | None, str]:
    """A service answer, or the sentence of the user-data problem that stopped it (for example: no actuals)."""
    try:
        return call(), ""
    except InvalidInputError as error:
        return None, "; ".join(issue.message for issue in error.issues)


@router.get("/agreements/{agreement_id}/year-end")
def year_end(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    year: Year,
    period: str = "",
    problem: str = "",
) -> Response:
    chosen, periods = _period(year, actor, agreement_id, period)
    terms = year.monitoring.terms(actor, agreement_id)
    forecast, forecast_problem = _attempt(lambda: year.monitoring.forecast(actor, agreement_id, chosen))
    draft, draft_problem = _attempt(lambda: year.signoff.draft(actor, agreement_id, chosen))
    distributions = [d for d in year.yearend.distributions(actor, agreement_id) if d.period == chosen]
    actuals = year.monitoring.actuals(actor, agreement_id)
    adjustment, adjustment_problem = _attempt(lambda: year.yearend.adjustment(actor, agreement_id, chosen))
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "period": chosen,
        "periods": periods,
        "terms": terms,
        "plan": terms.planned_saving(chosen),
        "forecast": forecast,
        "forecast_problem": forecast_problem,
        "schedule": year.monitoring.schedule(actor, agreement_id, chosen),
        "payments": {p.due: p for p in year.monitoring.payments(actor, agreement_id, chosen)},
        "as_of": max((e.month for e in actuals), default=""),
        "draft": draft,
        "draft_problem": draft_problem,
        "distribution": distributions[0] if distributions else None,
        "adjustment": adjustment,
        "adjustment_problem": adjustment_problem,
        "adjustments": year.yearend.adjustments(actor, agreement_id, chosen),
        "sections": AdjustmentSection,
        "mixes": MIXES,
        "pounds": pounds,
        "problem": problem,
        "section": "monitoring",
        "tab": "year-end",
    }
    return render(request, "monitoring/year_end.html", context)


@router.post("/agreements/{agreement_id}/year-end/{period}/schedule")
def draw_schedule(
    agreement_id: int,
    period: str,
    actor: PageActor,
    year: Year,
    as_of: Annotated[date, Form()],
    reason: Annotated[str, Form()] = "forecast from the actuals to date",
) -> Response:
    year.monitoring.draw_schedule(actor, agreement_id, period, as_of, reason.strip() or "forecast")
    return redirect(f"/agreements/{agreement_id}/year-end?period={period}#payments")


@router.post("/agreements/{agreement_id}/year-end/{period}/payments")
def pay(agreement_id: int, period: str, actor: PageActor, year: Year, due: Annotated[date, Form()]) -> Response:
    year.monitoring.pay_instalment(actor, agreement_id, period, due)
    return redirect(f"/agreements/{agreement_id}/year-end?period={period}#payments")


@router.post("/agreements/{agreement_id}/year-end/{period}/sign")
def sign(
    agreement_id: int,
    period: str,
    actor: PageActor,
    year: Year,
    party: Annotated[str, Form()],
    sha256: Annotated[str, Form()],
) -> Response:
    year.signoff.sign(actor, agreement_id, period, party, sha256)
    return redirect(f"/agreements/{agreement_id}/year-end?period={period}#statement")


@router.post("/agreements/{agreement_id}/year-end/{period}/post")
async def post(
    request: Request,
    agreement_id: int,
    period: str,
    actor: PageActor,
    service: Service,
    year: Year,
    file: UploadedFile,
    top_slice: Annotated[str, Form()] = "0%",
    basis: Annotated[str, Form()] = "list",
) -> Response:
    """Post the signed statement with the distribution: practices' weights from the uploaded CSV."""
    content = await file.read()
    try:
        practices = decode_weights(content, file.filename or "weights.csv")
        terms = DistributionTerms(_rate(top_slice), MIXES.get(basis, MIXES["list"])[1])
    except InvalidInputError as error:
        problem = "; ".join(f"{issue_where(i)}: {i.message}" for i in error.issues)
        return year_end(request, agreement_id, actor, service, year, period, problem)
    year.signoff.post(actor, agreement_id, period, practices, terms)
    return redirect(f"/agreements/{agreement_id}/year-end?period={period}#distribution")


@router.post("/agreements/{agreement_id}/year-end/{period}/adjustments")
def post_adjustment(agreement_id: int, period: str, actor: PageActor, year: Year) -> Response:
    """Post the prior-period adjustment of a posted period: the revised statement signed by both parties."""
    year.signoff.post_adjustment(actor, agreement_id, period)
    return redirect(f"/agreements/{agreement_id}/year-end?period={period}#adjustments")


@router.get("/agreements/{agreement_id}/year-end/{period}/statement.{kind}")
def statement_document(agreement_id: int, period: str, kind: str, actor: PageActor, year: Year) -> Response:
    """The statement as it stands (the one both parties sign) as a PDF or an Excel workbook with formulas."""
    if kind not in DOCUMENTS:
        return Response(status_code=404)
    media, write = DOCUMENTS[kind]
    found = year.yearend.statement_inputs(actor, agreement_id, period)
    context = build_statement_context(found.terms, found.figures, found.settlement, list(found.transactions), found.at)
    name = f"statement-{found.terms.id}-{period}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(write(context), media_type=media, headers=headers)


def _rate(text: str) -> Decimal:
    try:
        return parse_rate(text.strip() or "0%")
    except ValueError as error:
        raise InvalidInputError([Issue("distribution.top_slice", str(error), Source(column="top_slice"))]) from None


# --- inter-practice referrals ---------------------------------------------------------------------------------


@router.get("/agreements/{agreement_id}/referrals")
def referrals(
    request: Request, agreement_id: int, actor: PageActor, service: Service, year: Year, month: str = ""
) -> Response:
    months = year.yearend.referral_months(actor, agreement_id)
    chosen = next((m for m in months if m.month == month), months[-1] if months else None)
    netting = None
    if chosen is not None and not chosen.statements:
        netting = year.yearend.referral_statements(actor, agreement_id, chosen.month)
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "months": months,
        "chosen": chosen,
        "netting": netting,
        "problems": [],
        "issue_where": issue_where,
        "section": "monitoring",
        "tab": "referrals",
    }
    return render(request, "monitoring/referrals.html", context)


@router.post("/agreements/{agreement_id}/referrals")
async def upload_referrals(
    request: Request, agreement_id: int, actor: PageActor, service: Service, year: Year, file: UploadedFile
) -> Response:
    content = await file.read()
    try:
        year.yearend.upload_referrals(actor, agreement_id, file.filename or "referrals.csv", content)
    except InvalidInputError as error:
        months = year.yearend.referral_months(actor, agreement_id)
        context = {
            "row": agreement_row(service, actor, agreement_id),
            "months": months,
            "chosen": None,
            "netting": None,
            "problems": error.issues,
            "filename": file.filename,
            "issue_where": issue_where,
            "section": "monitoring",
            "tab": "referrals",
        }
        return render(request, "monitoring/referrals.html", context, status_code=422)
    return redirect(f"/agreements/{agreement_id}/referrals")


@router.post("/agreements/{agreement_id}/referrals/{month}/post")
def post_referrals(agreement_id: int, month: str, actor: PageActor, year: Year) -> Response:
    year.yearend.post_referrals(actor, agreement_id, month)
    return redirect(f"/agreements/{agreement_id}/referrals?month={month}")


@router.get("/agreements/{agreement_id}/referrals/{month}/statements.csv")
def referrals_csv(agreement_id: int, month: str, actor: PageActor, year: Year) -> Response:
    """The month's netted statements for the payment system: one row per practice."""
    netting = year.yearend.referral_statements(actor, agreement_id, month)
    headers = {
        "Content-Disposition": f'attachment; filename="referral-statements-{month}.csv"',
        "Cache-Control": "no-store",
    }
    return Response(statements_csv([netting]), media_type="text/csv; charset=utf-8", headers=headers)
