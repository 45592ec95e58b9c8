"""Page dependencies: the signed-in actor (or a redirect to the sign-in page, or to the password page while they
must change the password an administrator chose) and the wired services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gainshare.interfaces.api.deps import figures_service, login_throttle, workspace_service
from gainshare.interfaces.security.sessions import current_user_id, password_change_required
from gainshare.interfaces.security.throttle import LoginThrottle
from gainshare.interfaces.web.pages import PasswordChangeRequired, SignInRequired
from gainshare.services.figures_uploads import FiguresService
from gainshare.services.workspace import Actor, WorkspaceService


def account_actor(request: Request) -> Actor:
    """The signed-in user, even one who must change their password first (the password page only)."""
    user_id = current_user_id(request)
    if user_id is None:
        raise SignInRequired
    return Actor.user(user_id)


def page_actor(request: Request) -> Actor:
    actor = account_actor(request)
    if password_change_required(request):
        raise PasswordChangeRequired
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
AccountActor = Annotated[Actor, Depends(account_actor)]
Service = Annotated[WorkspaceService, Depends(workspace_service)]
Figures = Annotated[FiguresService, Depends(figures_service)]
Throttle = Annotated[LoginThrottle, Depends(login_throttle)]
