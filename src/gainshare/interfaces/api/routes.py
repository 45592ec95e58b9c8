"""The API router: every JSON route, under /api."""

from __future__ import annotations

from fastapi import APIRouter

from gainshare.interfaces.api import (
    account_routes,
    admin_routes,
    agreement_routes,
    auth_routes,
    figures_routes,
    notification_routes,
    yearend_routes,
)

router = APIRouter(prefix="/api")
router.include_router(auth_routes.router)
router.include_router(account_routes.router)
router.include_router(agreement_routes.router)
router.include_router(figures_routes.router)
router.include_router(notification_routes.router)
router.include_router(yearend_routes.router)
router.include_router(admin_routes.router)
