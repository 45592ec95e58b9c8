"""What the pages show, assembled from the workspace services' answers: no rules here, only presentation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gainshare.domain.issues import Issue
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.engines.plan import PlanBasis
from gainshare.services.figures_uploads import Dashboard
from gainshare.services.ports import (
    AgreementRecord,
    AgreementVersion,
    Membership,
    Organisation,
    Role,
    Signature,
    VersionStatus,
)
from gainshare.services.workspace import Actor, WorkspaceService

STATUS_TAGS = {
    VersionStatus.DRAFT: ("Draft", "nhsuk-tag--grey"),
    VersionStatus.PROPOSED: ("Proposed", "nhsuk-tag--yellow"),
    VersionStatus.SIGNED: ("Signed", "nhsuk-tag--green"),
}
ROLE_NAMES = {
    Role.COMMISSIONER_FINANCE: "Commissioner finance",
    Role.FEDERATION_MANAGER: "Federation manager",
    Role.PRACTICE_VIEWER: "Practice viewer",
    Role.ADMINISTRATOR: "Administrator",
}
SIGNING_ROLES = {"commissioner": Role.COMMISSIONER_FINANCE, "provider": Role.FEDERATION_MANAGER}


def status_tag(status: VersionStatus) -> dict[str, str]:
    text, classes = STATUS_TAGS[status]
    return {"text": text, "classes": classes}


@dataclass(frozen=True, slots=True)
class AgreementRow:
    agreement: AgreementRecord
    commissioner: Organisation
    provider: Organisation
    latest: AgreementVersion

    @property
    def tag(self) -> dict[str, str]:
        return status_tag(self.latest.status)


@dataclass(frozen=True, slots=True)
class Alert:
    text: str
    href: str
    link_text: str


def agreement_row(service: WorkspaceService, actor: Actor, agreement_id: int) -> AgreementRow:
    agreement = service.get_agreement(actor, agreement_id)
    commissioner, provider = service.parties(actor, agreement_id)
    latest = service.list_versions(actor, agreement_id)[-1]
    return AgreementRow(agreement, commissioner, provider, latest)


def agreement_rows(service: WorkspaceService, actor: Actor) -> list[AgreementRow]:
    rows = []
    for agreement in service.list_agreements(actor):
        commissioner, provider = service.parties(actor, agreement.id)
        latest = service.list_versions(actor, agreement.id)[-1]
        rows.append(AgreementRow(agreement, commissioner, provider, latest))
    return rows


def signable_for(
    memberships: Iterable[Membership], row: AgreementRow, signatures: Sequence[Signature]
) -> list[Organisation]:
    """The owning organisations the user may sign this version for and has not yet (for its current text)."""
    roles = {(m.organisation_id, m.role) for m in memberships}
    signed = {s.organisation_id for s in signatures if s.content_sha256 == row.latest.content_sha256}
    result = []
    for kind, organisation in (("commissioner", row.commissioner), ("provider", row.provider)):
        if (organisation.id, SIGNING_ROLES[kind]) in roles and organisation.id not in signed:
            result.append(organisation)
    return result


def alerts(
    service: WorkspaceService, actor: Actor, memberships: Sequence[Membership], rows: Iterable[AgreementRow]
) -> list[Alert]:
    """What needs the user: proposals waiting for their signature, drafts not yet proposed."""
    found = []
    for row in rows:
        version = row.latest
        href = f"/agreements/{row.agreement.id}/versions/{version.number}"
        title = row.agreement.title
        if version.status is VersionStatus.PROPOSED:
            signatures = service.signatures(actor, row.agreement.id, version.number)
            for organisation in signable_for(memberships, row, signatures):
                text = f"Version {version.number} of {title} is waiting for {organisation.name} to sign it."
                found.append(Alert(text, href, f"Review version {version.number}"))
        elif version.status is VersionStatus.DRAFT:
            found.append(Alert(f"Version {version.number} of {title} is a draft.", href, "Review the draft"))
    return found


def issue_where(issue: Issue) -> str:
    """Where a figures problem is, in words: row and column (row 1 is the header of a CSV file)."""
    parts = []
    if issue.source.row is not None:
        parts.append(f"Row {issue.source.row}")
    if issue.source.column:
        parts.append(f"column {issue.source.column}")
    if issue.source.clause:
        parts.append(issue.source.clause)
    return ", ".join(parts) or "The file"


def savings_chart(dashboard: Dashboard) -> str:
    """A Plotly figure (JSON) of cumulative net saving against plan, money as decimal strings (never floats)."""
    months = [m.month for m in dashboard.months]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": "Net saving in the month",
            "x": months,
            "y": [m.net_saving.plain() for m in dashboard.months],
            "marker": {"color": "#005eb8"},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Savings to date",
            "x": months,
            "y": [m.cumulative_net_saving.plain() for m in dashboard.months],
            "line": {"color": "#007f3b", "width": 3},
        },
    ]
    if all(m.cumulative_plan is not None for m in dashboard.months):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": plan_name(dashboard),
                "x": months,
                "y": [m.cumulative_plan.plain() for m in dashboard.months if m.cumulative_plan is not None],
                "line": {"color": "#4c6272", "dash": "dash", "width": 3},
            }
        )
    layout = {
        "margin": {"l": 70, "r": 20, "t": 20, "b": 50},
        "yaxis": {"tickprefix": "£", "separatethousands": True, "tickformat": ",.0f"},
        "xaxis": {"type": "category", "title": {"text": "Month"}},
        "legend": {"orientation": "h", "y": -0.25},
        "font": {"family": "Arial, Helvetica, sans-serif", "color": "#212b32", "size": 14},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return json.dumps({"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}})


def plan_name(dashboard: Dashboard) -> str:
    """The plan's legend: stated by the agreement, or the gain threshold's saving when none is stated."""
    stated = all(m.plan_basis is PlanBasis.STATED for m in dashboard.months)
    return "Plan to date" if stated else "Plan to date (gain threshold where no plan is stated)"


@dataclass(frozen=True, slots=True)
class Totals:
    baseline: Money
    actual: Money
    provision: Money
    net: Money
    plan: Money | None

    @property
    def against_plan(self) -> Money | None:
        return None if self.plan is None else self.net - self.plan


def totals(dashboard: Dashboard) -> Totals | None:
    if not dashboard.months:
        return None
    last = dashboard.months[-1]
    return Totals(
        sum((m.baseline_cost for m in dashboard.months), Money(0)),
        sum((m.actual_cost for m in dashboard.months), Money(0)),
        sum((m.provision_cost for m in dashboard.months), Money(0)),
        last.cumulative_net_saving,
        last.cumulative_plan,
    )


def pounds(value: dict[str, Any] | None) -> str:
    """A serialised amount ({"pence": int, ...}) formatted for display."""
    return Money(int(value["pence"])).format() if value else ""


def period_transactions(transactions: Iterable[Transaction], agreement_id: int, period: str) -> list[Transaction]:
    prefix = f"agreement/{agreement_id}/period/{period}/"
    return [transaction for transaction in transactions if transaction.key.startswith(prefix)]
