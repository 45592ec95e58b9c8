"""The one place where errors become the API's JSON envelope and status codes.

    {"error": {"code": "...", "message": "...", "issues": [{"code", "message", "file", "row", "column", "clause"}]}}

InvalidInputError -> 422 (with its issues), NotFoundError -> 404, ConflictError -> 409, ForbiddenError -> 404 on
reads (GET/HEAD: an organisation cannot learn what another holds) and 403 on changes, not signed in -> 401,
too many sign-in failures -> 429, a request FastAPI cannot validate -> 422, anything unexpected -> 500 (logged,
with no detail in the body).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gainshare.domain.errors import (
    ConflictError,
    ForbiddenError,
    GainshareError,
    InvalidInputError,
    NotFoundError,
)
from gainshare.domain.issues import Issue

log = logging.getLogger("gainshare.api")
READ_METHODS = frozenset({"GET", "HEAD"})


class IssueOut(BaseModel):
    """One problem in the user's data, and where it is."""

    code: str = Field(description="Stable machine-readable code, e.g. figures.value.")
    message: str = Field(description="What is wrong, in a sentence.")
    file: str | None = Field(None, description="The file (upload name) the problem is in.")
    row: int | None = Field(None, description="Row number in the file (1 is a CSV header).")
    column: str | None = Field(None, description="Column (CSV) or key (YAML) the problem is in.")
    clause: str | None = Field(None, description="Agreement clause or document key path.")


class ErrorBody(BaseModel):
    """What went wrong."""

    code: str = Field(description="Stable machine-readable code, e.g. not_found, conflict, invalid_input.")
    message: str = Field(description="A sentence for people.")
    issues: list[IssueOut] = Field(default_factory=list, description="Problems in the user's data, if any.")


class ErrorEnvelope(BaseModel):
    """Every error the API answers has this shape."""

    error: ErrorBody


class ApiError(Exception):
    """An error raised by the API layer itself (not signed in, throttled), with its status and code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def issue_out(issue: Issue) -> IssueOut:
    source = issue.source
    return IssueOut(
        code=issue.code,
        message=issue.message,
        file=source.file,
        row=source.row,
        column=source.column,
        clause=source.clause,
    )


def envelope(
    status: int,
    code: str,
    message: str,
    issues: list[IssueOut] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorEnvelope(error=ErrorBody(code=code, message=message, issues=issues or []))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


_STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
)


def error_response(request: Request, error: Exception) -> JSONResponse:
    """The envelope for any exception; shared with the web pages for their JSON fragments."""
    if isinstance(error, ApiError):
        return envelope(error.status, error.code, error.message, headers=error.headers)
    if isinstance(error, InvalidInputError):
        return envelope(422, "invalid_input", str(error), [issue_out(issue) for issue in error.issues])
    if isinstance(error, ForbiddenError):
        if request.method in READ_METHODS:
            return envelope(404, "not_found", "not found, or not shared with your organisations")
        return envelope(403, "forbidden", str(error))
    for kind, status, code in _STATUS:
        if isinstance(error, kind):
            return envelope(status, code, str(error))
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return envelope(500, "internal", "something went wrong on the server; it has been logged")


def _validation_issues(error: RequestValidationError) -> list[IssueOut]:
    issues: list[IssueOut] = []
    for detail in error.errors():
        location: list[Any] = list(detail.get("loc", ()))
        where = ".".join(str(part) for part in location[1:]) or None
        issues.append(IssueOut(code="request.invalid", message=str(detail.get("msg", "invalid")), clause=where))
    return issues


def install_error_handlers(app: FastAPI) -> None:
    async def on_known(request: Request, error: Exception) -> Response:
        html_errors = getattr(request.app.state, "html_errors", None)
        if html_errors is not None and not request.url.path.startswith("/api"):
            answer: Response = await html_errors(request, error)
            return answer
        return error_response(request, error)

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return envelope(422, "invalid_request", "the request is not valid", _validation_issues(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        html_errors = getattr(request.app.state, "html_errors", None)
        if html_errors is not None and not request.url.path.startswith("/api"):
            answer: Response = await html_errors(request, error)
            return answer
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return envelope(error.status_code, code, str(error.detail), headers=getattr(error, "headers", None))

    app.add_exception_handler(GainshareError, on_known)
    app.add_exception_handler(ApiError, on_known)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_known)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": description}
    for status, description in (
        (401, "Not signed in."),
        (403, "Not allowed to change this, or the CSRF token is missing or wrong."),
        (404, "Not found, or not shared with your organisations."),
        (409, "Conflicts with a newer change or a frozen record."),
        (422, "The request or the user's data has problems (see issues)."),
    )
}
