"""Start a new agreement: the counterparty, title, term, schemes and sharing terms on a form (or the example
agreement, or an uploaded file) become version 1, a draft, through WorkspaceService.create_agreement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from gainshare.domain.errors import ForbiddenError, InvalidInputError
from gainshare.domain.issues import Issue
from gainshare.interfaces.web import forms
from gainshare.interfaces.web import new_agreement_form as form
from gainshare.interfaces.web.admin_deps import Admin
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.services.administration import AgreementChoices
from gainshare.services.ports import Organisation

router = APIRouter(route_class=PageRoute)
DEFAULTS = {"term.settlement_period": "annual", "start_from": "form", "losses": "no"}


@router.get("/agreements/new")
def new_agreement(request: Request, actor: PageActor, admin: Admin) -> Response:
    choices = _choices(admin, actor)
    return _page(request, choices, DEFAULTS, form.MIN_SCHEMES, forms.PlacedIssues({}, []))


@router.post("/agreements/new")
async def new_agreement_submit(request: Request, actor: PageActor, admin: Admin, service: Service) -> Response:
    submitted = await request.form()
    posted = {key: value for key, value in submitted.items() if isinstance(value, str)}
    upload = submitted.get("file")
    schemes = form.scheme_count(posted)
    choices = _choices(admin, actor)
    if not choices.own:
        raise ForbiddenError("only commissioner finance and federation managers start agreements")
    if posted.get("action") == "add-scheme":
        return _page(request, choices, posted, schemes, forms.PlacedIssues({}, []))
    content = await upload.read() if isinstance(upload, UploadFile) else None
    try:
        title, text, chosen = _draft(choices, posted, schemes, content)
        version = service.create_agreement(actor, title, chosen.commissioner.id, chosen.provider.id, text)
    except InvalidInputError as error:
        fallback = "#f-file" if posted.get("start_from") == "upload" else "#form-start"
        placed = forms.place(error.issues, form.every_field(schemes), fallback)
        return _page(request, choices, posted, schemes, placed, status_code=422)
    return redirect(f"/agreements/{version.agreement_id}")


def _choices(admin: Admin, actor: PageActor) -> AgreementChoices:
    return admin.agreement_choices(actor)


def _draft(
    choices: AgreementChoices, posted: Mapping[str, str], schemes: int, content: bytes | None
) -> tuple[str, str, form.Parties]:
    """The title, the text of version 1 and the parties, or InvalidInputError naming the fields."""
    issues: list[Issue] = []
    own = _pick(choices.own, posted.get("own_id", ""), form.OWN.path, "choose your organisation", issues)
    other = _pick(choices.counterparties, posted.get("counterparty_id", ""), form.COUNTERPARTY.path, "", issues)
    start_from = posted.get("start_from", "form")
    if start_from == "upload":
        issues += form.upload_issues(content)
    if issues or own is None or other is None:
        raise InvalidInputError(issues)
    chosen = form.parties(own, other)
    title = posted.get("title", "").strip()
    if start_from == "upload":
        text = (content or b"").decode("utf-8")
        title = title or form.uploaded_title(text)
    elif start_from == "template":
        text = form.from_template(chosen, title)
        title = title or form.uploaded_title(text)
    else:
        text = form.from_form(chosen, posted, schemes)
    if not title:
        raise InvalidInputError([form.form_issue("title", "enter a title")])
    return title, text, chosen


def _pick(
    options: list[Organisation], chosen: str, path: str, message: str, issues: list[Issue]
) -> Organisation | None:
    if len(options) == 1 and path == form.OWN.path:
        return options[0]
    found = next((org for org in options if str(org.id) == chosen), None)
    if found is None:
        issues.append(form.form_issue(path, message or "choose the organisation the agreement is with"))
    return found


def _page(
    request: Request,
    choices: AgreementChoices,
    posted: Mapping[str, str],
    schemes: int,
    placed: forms.PlacedIssues,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "choices": choices,
        "values": {**DEFAULTS, **posted},
        "placed": placed,
        "schemes": [(index + 1, form.scheme_fields(index)) for index in range(schemes)],
        "scheme_count": schemes,
        "general": form.general_fields(),
        "sharing": form.sharing_fields(),
        "start_from": form.START_FROM,
        "fields": {f.path: f for f in (form.OWN, form.COUNTERPARTY, form.FILE, form.LOSSES, form.LOSS_SHARE)},
        "max_schemes": form.MAX_SCHEMES,
    }
    return render(request, "admin/new_agreement.html", context, status_code)
