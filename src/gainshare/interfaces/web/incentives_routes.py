"""Incentive scheme pages (commissioner and federation): the schemes shared with the user, a scheme's payment
schedule per practice and in total, milestones with evidence and sign-off per practice, payments approved; and the
register of declared interests (list, declare, printable view).

Every decision goes through IncentiveService, which checks roles and the register: a sign-off or approval by
someone with a current declared interest in the federation or a member practice is refused, and the page shows why.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse

from gainshare.bootstrap import incentive_pages
from gainshare.domain.conflicts import Declaration, InterestNature
from gainshare.domain.errors import ConflictError, InvalidInputError
from gainshare.domain.incentives import LineStatus
from gainshare.interfaces.api.deps import workspace
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.reports.conflicts import register_html
from gainshare.services.incentive_overview import IncentivePages
from gainshare.services.incentives import ConflictOfInterestError, IncentiveService
from gainshare.services.workspace import Actor

router = APIRouter(route_class=PageRoute)
EVERY_PRACTICE = "*"
LINE_TAGS = {
    LineStatus.PAYABLE: ("Payable", "nhsuk-tag--aqua-green"),
    LineStatus.SCHEDULED: ("Scheduled", "nhsuk-tag--blue"),
    LineStatus.AWAITING_SIGN_OFF: ("Awaiting sign-off", "nhsuk-tag--yellow"),
    LineStatus.PRO_RATA: ("Pro rata", "nhsuk-tag--orange"),
    LineStatus.WITHHELD: ("Withheld", "nhsuk-tag--red"),
}
NOTICES = {
    "evidence": "The evidence is recorded.",
    "signed": "The milestone is signed off.",
    "approved": "The payments due are approved and recorded.",
    "nothing": "There were no new payments to approve.",
    "declared": "The interest is in the register.",
}


def pages_service(request: Request) -> IncentivePages:
    return incentive_pages(workspace(request))


def incentive_service(request: Request) -> IncentiveService:
    return workspace(request).incentives


Pages = Annotated[IncentivePages, Depends(pages_service)]
Incentives = Annotated[IncentiveService, Depends(incentive_service)]


@router.get("/incentives")
def scheme_list(request: Request, actor: PageActor, pages: Pages) -> Response:
    return render(request, "incentives/schemes.html", {"schemes": pages.schemes(actor), "section": "incentives"})


@router.get("/incentives/{scheme_id}")
def scheme_page(request: Request, scheme_id: str, actor: PageActor, pages: Pages) -> Response:
    return _scheme_page(request, pages, actor, scheme_id)


def _scheme_page(
    request: Request,
    pages: IncentivePages,
    actor: Actor,
    scheme_id: str,
    *,
    refusal: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    overview = pages.overview(actor, scheme_id)
    context: dict[str, Any] = {
        "o": overview,
        "scheme": overview.scheme,
        "today": pages.today(),
        "line_tag": _line_tag,
        "refusal": refusal,
        "errors": errors or {},
        "has_errors": bool(errors) or bool(refusal),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        "every": EVERY_PRACTICE,
        "section": "incentives",
    }
    return render(request, "incentives/scheme.html", context, status_code=status_code)


def _line_tag(status: LineStatus) -> dict[str, str]:
    text, classes = LINE_TAGS[status]
    return {"text": text, "classes": classes}


def _practice(value: str) -> str | None:
    return None if value in ("", EVERY_PRACTICE) else value.strip().upper()


@router.post("/incentives/{scheme_id}/evidence")
def submit_evidence(
    request: Request,
    scheme_id: str,
    actor: PageActor,
    pages: Pages,
    incentives: Incentives,
    target: Annotated[str, Form()] = "",
    practice: Annotated[str, Form()] = EVERY_PRACTICE,
    description: Annotated[str, Form()] = "",
) -> Response:
    stage_id, _, condition_id = target.partition("/")
    try:
        incentives.submit_evidence(_user(actor), scheme_id, stage_id, condition_id, _practice(practice), description)
    except InvalidInputError as error:
        errors = {"description" if i.code == "evidence.description" else "target": i.message for i in error.issues}
        return _scheme_page(request, pages, actor, scheme_id, errors=errors, status_code=422)
    return redirect(f"/incentives/{scheme_id}?done=evidence#milestones")


@router.post("/incentives/{scheme_id}/sign-off")
def sign_off(
    request: Request,
    scheme_id: str,
    actor: PageActor,
    pages: Pages,
    incentives: Incentives,
    stage: Annotated[str, Form()] = "",
    practice: Annotated[str, Form()] = EVERY_PRACTICE,
) -> Response:
    try:
        incentives.sign_off(_user(actor), scheme_id, stage, _practice(practice))
    except ConflictOfInterestError as error:
        reasons = "; ".join(flag.reason for flag in error.flags)
        return _scheme_page(request, pages, actor, scheme_id, refusal=reasons, status_code=403)
    except (InvalidInputError, ConflictError) as error:
        return _scheme_page(request, pages, actor, scheme_id, errors={"sign-off": _text(error)}, status_code=422)
    return redirect(f"/incentives/{scheme_id}?done=signed#milestones")


@router.post("/incentives/{scheme_id}/payments")
def approve_payments(request: Request, scheme_id: str, actor: PageActor, pages: Pages) -> Response:
    try:
        approved = pages.approve(actor, scheme_id)
    except ConflictOfInterestError as error:
        reasons = "; ".join(flag.reason for flag in error.flags)
        return _scheme_page(request, pages, actor, scheme_id, refusal=reasons, status_code=403)
    return redirect(f"/incentives/{scheme_id}?done={'approved' if approved.recorded else 'nothing'}#payments")


def _text(error: Exception) -> str:
    if isinstance(error, InvalidInputError):
        return "; ".join(issue.message for issue in error.issues)
    return str(error)


def _user(actor: Actor) -> int:
    assert actor.user_id is not None  # page actors are signed-in users
    return actor.user_id


# --- the register of declared interests -------------------------------------------------------------------------


@router.get("/conflicts")
def register_page(request: Request, actor: PageActor, service: Service, incentives: Incentives) -> Response:
    return _register_page(request, actor, service, incentives)


def _register_page(
    request: Request,
    actor: Actor,
    service: Any,
    incentives: IncentiveService,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user, _ = service.profile(actor)
    today = incentives.clock().date()
    declarations = sorted(incentives.register().declarations, key=lambda d: (d.person_name.lower(), d.valid_from))
    context = {
        "declarations": [(item, item.current_on(today)) for item in declarations],
        "today": today,
        "natures": [nature.value for nature in InterestNature],
        "form": form or {"person": user.email, "person_name": user.display_name},
        "errors": errors or {},
        "has_errors": bool(errors),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        "section": "conflicts",
    }
    return render(request, "incentives/register.html", context, status_code=status_code)


@router.get("/conflicts/print")
def register_print(actor: PageActor, incentives: Incentives) -> Response:
    """The printable register (reports/conflicts.py): a page of its own, styles inline, no script."""
    html = register_html(incentives.register(), incentives.clock().date())
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


_DECLARE_FIELDS = (
    "person",
    "person_name",
    "role",
    "organisation_code",
    "organisation_name",
    "nature",
    "description",
    "valid_from",
    "valid_to",
    "action_taken",
)


@router.post("/conflicts")
async def declare(request: Request, actor: PageActor, service: Service, incentives: Incentives) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name, "")).strip() for name in _DECLARE_FIELDS}
    declaration, errors = _declaration(form, incentives.clock().date())
    if declaration is None:
        return _register_page(request, actor, service, incentives, form=form, errors=errors, status_code=422)
    incentives.declare(_user(actor), declaration)
    return redirect("/conflicts?done=declared")


def _declaration(form: dict[str, str], today: date) -> tuple[Declaration | None, dict[str, str]]:
    errors: dict[str, str] = {}
    required = {
        "person": "Enter the email address of the person declaring",
        "person_name": "Enter the name of the person declaring",
        "organisation_code": "Enter the ODS code of the organisation the interest is in",
        "description": "Describe the interest",
    }
    errors.update({name: message for name, message in required.items() if not form[name]})
    natures = {nature.value: nature for nature in InterestNature}
    if form["nature"] not in natures:
        errors["nature"] = "Choose the nature of the interest"
    valid_from = _date(form, "valid_from", "the date the interest starts", errors, required=True)
    valid_to = _date(form, "valid_to", "the date the interest ends", errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = "The end date must be on or after the start date"
    if errors or valid_from is None:
        return None, errors
    return (
        Declaration(
            person=form["person"].lower(),
            person_name=form["person_name"],
            role=form["role"],
            organisation_code=form["organisation_code"].upper(),
            organisation_name=form["organisation_name"],
            nature=natures[form["nature"]],
            description=form["description"],
            valid_from=valid_from,
            valid_to=valid_to,
            declared_on=today,
            action_taken=form["action_taken"],
        ),
        errors,
    )


def _date(form: dict[str, str], name: str, what: str, errors: dict[str, str], *, required: bool = False) -> date | None:
    text = form[name]
    if not text:
        if required:
            errors[name] = f"Enter {what}"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"Enter {what} as a date, like 2025-04-01"
        return None
