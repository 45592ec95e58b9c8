"""The demo's dashboard and statement JSON are the same whether they come from the caches (parsed agreements and
dashboard months memoised by content hash, warm worker) or are computed from scratch (cold caches, a fresh app),
and the same as the engines give directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.adapters.uploaded_figures import FiguresFileDecoder
from gainshare.bootstrap import DEMO_PASSWORD, _parse_cached, build_workspace, demo_documents, seed_demo
from gainshare.config import Settings
from gainshare.interfaces.app import create_app
from gainshare.reports.serialize import settlement_dict
from gainshare.services.figures_uploads import monthly_savings
from gainshare.services.settlements import settle_all
from tests.api.conftest import SECRET
from tests.persistence.conftest import fast_hasher

MANAGER = "manager@northvale-fed.example"


def _answers(folder: Path, agreement_id: int, repeats: int) -> list[tuple[Any, Any]]:
    """(dashboard, statement) JSON from a fresh app over the folder, asked `repeats` times."""
    settings = Settings(data_folder=folder, secret_key=SECRET)
    workspace = build_workspace(settings.resolved_database_url(), folder, passwords=fast_hasher(), migrate=False)
    try:
        with TestClient(create_app(settings, workspace), base_url="https://testserver") as client:
            token = client.get("/api/auth/csrf").json()["csrf_token"]
            login = {"email": MANAGER, "password": DEMO_PASSWORD}
            assert client.post("/api/auth/login", json=login, headers={"X-CSRF-Token": token}).status_code == 200
            settlement = client.get(f"/api/agreements/{agreement_id}/settlements").json()[0]["id"]
            paths = (
                f"/api/agreements/{agreement_id}/dashboard",
                f"/api/agreements/{agreement_id}/settlements/{settlement}",
            )
            return [tuple(client.get(path).json() for path in paths) for _ in range(repeats)]  # type: ignore[misc]
    finally:
        workspace.close()


def test_cached_and_uncached_demo_answers_are_identical(tmp_path: Path) -> None:
    workspace = build_workspace(
        Settings(data_folder=tmp_path).resolved_database_url(), tmp_path, passwords=fast_hasher()
    )
    try:
        agreement_id = seed_demo(workspace).agreement_id
    finally:
        workspace.close()
    _parse_cached.cache_clear()
    cold, warm, again = _answers(tmp_path, agreement_id, repeats=3)  # the first computes, the others hit the caches
    _parse_cached.cache_clear()
    (fresh,) = _answers(tmp_path, agreement_id, repeats=1)  # a new app: cold memo, cold parser cache
    assert cold == warm == again == fresh

    documents = demo_documents()
    terms = parse_agreement(documents.agreement_text, "demo")
    figures = FiguresFileDecoder().decode(documents.figures, documents.figures_filename)
    months = monthly_savings(terms, figures.rows)
    dashboard, statement = cold
    assert [month["month"] for month in dashboard["months"]] == [month.month for month in months]
    assert [month["net_saving_pence"] for month in dashboard["months"]] == [month.net_saving.pence for month in months]
    expected = settlement_dict(settle_all(terms, figures, documents.first_period).settlements[0])
    assert statement["statement"] == expected
