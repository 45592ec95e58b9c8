"""The printable register of declared interests: HTML (Jinja2, autoescaped) and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from jinja2 import Environment, select_autoescape

from gainshare.domain.conflicts import Declaration, Register

COLUMNS = (
    "name",
    "email",
    "role",
    "organisation_code",
    "organisation_name",
    "nature",
    "description",
    "from",
    "to",
    "declared_on",
    "action_taken",
)

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Register of declared interests: {{ title }}</title>
<style>
body { font-family: Arial, sans-serif; margin: 2em; color: #212b32; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #d8dde0; padding: 0.4em; text-align: left; vertical-align: top; }
th { background: #f0f4f5; }
tr.ended { color: #4c6272; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
<h1>Register of declared interests: {{ title }}</h1>
<p>As at {{ as_of }}. Categories as in NHS England's "Managing Conflicts of Interest in the NHS": financial,
non-financial professional, non-financial personal and indirect interests.</p>
<table>
<thead><tr><th>Name</th><th>Role</th><th>Interest in</th><th>Nature</th><th>Description</th>
<th>From</th><th>To</th><th>Action taken</th></tr></thead>
<tbody>
{% for item in rows %}<tr class="declaration {{ 'current' if item.current else 'ended' }}">
<td>{{ item.d.person_name }}<br><small>{{ item.d.person }}</small></td>
<td>{{ item.d.role }}</td>
<td>{{ item.d.organisation_name }} ({{ item.d.organisation_code }})</td>
<td>{{ item.d.nature.value }}</td>
<td>{{ item.d.description }}</td>
<td>{{ item.d.valid_from.isoformat() }}</td>
<td>{{ item.d.valid_to.isoformat() if item.d.valid_to else 'current' }}{{ '' if item.current else ' (ended)' }}</td>
<td>{{ item.d.action_taken }}</td>
</tr>
{% else %}<tr><td colspan="8">No interests declared.</td></tr>
{% endfor %}</tbody>
</table>
</body>
</html>
"""


def register_html(register: Register, as_of: date) -> str:
    """The register as one self-contained, printable HTML page; every value is escaped."""
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    rows = [{"d": item, "current": item.current_on(as_of)} for item in _ordered(register)]
    return environment.from_string(_TEMPLATE).render(title=register.source or "register", as_of=as_of, rows=rows)


def register_csv(register: Register) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in _ordered(register):
        writer.writerow(
            [
                item.person_name,
                item.person,
                item.role,
                item.organisation_code,
                item.organisation_name,
                item.nature.value,
                item.description,
                item.valid_from.isoformat(),
                item.valid_to.isoformat() if item.valid_to else "",
                item.declared_on.isoformat() if item.declared_on else "",
                item.action_taken,
            ]
        )
    return buffer.getvalue()


def _ordered(register: Register) -> list[Declaration]:
    return sorted(register.declarations, key=lambda item: (item.person_name.lower(), item.valid_from))
