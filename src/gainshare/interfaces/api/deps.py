"""Request dependencies: the wired workspace, the acting user, the login throttle."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gainshare.bootstrap import Workspace
from gainshare.interfaces.api.errors import ApiError
from gainshare.interfaces.security.sessions import current_user_id
from gainshare.interfaces.security.throttle import LoginThrottle
from gainshare.services.figures_uploads import FiguresService
from gainshare.services.workspace import Actor, WorkspaceService


def workspace(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


def workspace_service(request: Request) -> WorkspaceService:
    return workspace(request).service


def figures_service(request: Request) -> FiguresService:
    return workspace(request).figures


def login_throttle(request: Request) -> LoginThrottle:
    found: LoginThrottle = request.app.state.throttle
    return found


def signed_in(request: Request) -> Actor:
    """The signed-in user as an Actor; 401 when nobody is signed in."""
    user_id = current_user_id(request)
    if user_id is None:
        raise ApiError(401, "not_signed_in", "sign in first (POST /api/auth/login)")
    return Actor.user(user_id)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentActor = Annotated[Actor, Depends(signed_in)]
Service = Annotated[WorkspaceService, Depends(workspace_service)]
Figures = Annotated[FiguresService, Depends(figures_service)]
Throttle = Annotated[LoginThrottle, Depends(login_throttle)]
