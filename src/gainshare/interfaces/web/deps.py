"""Page dependencies: the signed-in actor (or a redirect to the sign-in page) and the wired services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gainshare.interfaces.api.deps import figures_service, login_throttle, workspace_service
from gainshare.interfaces.security.sessions import current_user_id
from gainshare.interfaces.security.throttle import LoginThrottle
from gainshare.interfaces.web.pages import SignInRequired
from gainshare.services.figures_uploads import FiguresService
from gainshare.services.workspace import Actor, WorkspaceService


def page_actor(request: Request) -> Actor:
    user_id = current_user_id(request)
    if user_id is None:
        raise SignInRequired
    return Actor.user(user_id)


PageActor = Annotated[Actor, Depends(page_actor)]
Service = Annotated[WorkspaceService, Depends(workspace_service)]
Figures = Annotated[FiguresService, Depends(figures_service)]
Throttle = Annotated[LoginThrottle, Depends(login_throttle)]
