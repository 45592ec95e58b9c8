"""Request dependencies: the wired workspace, the acting user, the login throttle.

CurrentActor is every route's signed-in user, refused (403 password_change_required) while their session says
they must change the password an administrator chose; AccountHolder is the same user without that check, for the
few routes they may use meanwhile (who am I, change the password).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gainshare.bootstrap import Workspace
from gainshare.interfaces.api.errors import ApiError
from gainshare.interfaces.security.sessions import current_user_id, password_change_required
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


def account_holder(request: Request) -> Actor:
    """The signed-in user as an Actor, even one who must change their password first; 401 when nobody is."""
    user_id = current_user_id(request)
    if user_id is None:
        raise ApiError(401, "not_signed_in", "sign in first (POST /api/auth/login)")
    return Actor.user(user_id)


def signed_in(request: Request) -> Actor:
    """The signed-in user as an Actor; 401 when nobody is signed in, 403 while they must change their password."""
    actor = account_holder(request)
    if password_change_required(request):
        message = "your password was chosen by an administrator: change it first (POST /api/account/password)"
        raise ApiError(403, "password_change_required", message)
    return actor


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentActor = Annotated[Actor, Depends(signed_in)]
AccountHolder = Annotated[Actor, Depends(account_holder)]
Service = Annotated[WorkspaceService, Depends(workspace_service)]
Figures = Annotated[FiguresService, Depends(figures_service)]
Throttle = Annotated[LoginThrottle, Depends(login_throttle)]
