"""An audit log page as CSV (UTF-8, one row per entry, details as JSON), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json

from gainshare.services.audit_log import AuditPage

COLUMNS = ("id", "at_utc", "actor_id", "actor", "action", "entity", "agreement_id", "details")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_csv(page: AuditPage) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in page.entries:
        actor = "system" if entry.actor_id is None else page.people.get(entry.actor_id, "")
        details = json.dumps(entry.details, sort_keys=True, ensure_ascii=False, default=str)
        row = (entry.id, entry.at.isoformat(), entry.actor_id or "", actor, entry.action, entry.entity)
        writer.writerow([safe_cell(cell) for cell in (*row, entry.agreement_id or "", details)])
    return out.getvalue()


def safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
