"""Page dependencies for the administration, audit log and new agreement pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gainshare.interfaces.api.deps import workspace
from gainshare.services.administration import AdministrationService
from gainshare.services.audit_log import AuditLogService


def administration(request: Request) -> AdministrationService:
    return workspace(request).administration


def audit_log(request: Request) -> AuditLogService:
    return workspace(request).audit_log


Admin = Annotated[AdministrationService, Depends(administration)]
Audit = Annotated[AuditLogService, Depends(audit_log)]
