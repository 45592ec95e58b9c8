"""The demo's incentive scheme, modelled on East Leicestershire and Rutland CCG's 2015 scheme (docs/incentives.md):
GBP 2.50 per registered patient over two years, 20% up front, then 40% a year on milestones (a plan; then formal
legal set-up and delivery of the plan). The up-front split is an assumption, as in the worked example.

The demo federation's practices are the members; their lists are counted on the first month of the demo data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gainshare.engines.demo.agreement import COMMISSIONER, COMMISSIONER_ODS, FEDERATION, FEDERATION_ODS
from gainshare.engines.demo.federation import DemoFederation

SCHEME_ID = "northvale-federation-development"


def incentive_document(federation: DemoFederation) -> dict[str, Any]:
    """An incentive scheme file (format version 1) for the demo federation."""
    snapshot = federation.months[0]
    year = snapshot.year
    return {
        "gainshare_incentive_scheme": 1,
        "id": SCHEME_ID,
        "name": "Northvale federation development (GBP 2.50 per patient, ELR-style; synthetic demo)",
        "commissioner": {"ods_code": COMMISSIONER_ODS, "name": COMMISSIONER["name"]},
        "federation": {"ods_code": FEDERATION_ODS, "name": FEDERATION["name"]},
        "rate_per_patient": "2.50",
        "list_snapshot": snapshot,
        "stages": [
            {"id": "up-front", "label": "Up-front payment", "share": "20%", "due": date(year, 7, 1)},
            {
                "id": "year-1",
                "label": "Year one: the plan",
                "share": "40%",
                "due": date(year + 1, 3, 31),
                "conditions": [
                    {
                        "id": "plan",
                        "text": "A plan showing the geography, leadership, vision, objectives and governance",
                    }
                ],
            },
            {
                "id": "year-2",
                "label": "Year two: legal set-up and delivery",
                "share": "40%",
                "due": date(year + 2, 3, 31),
                "conditions": [
                    {"id": "legal", "text": "Formal legal set-up"},
                    {"id": "delivery", "text": "Delivery of the plan"},
                ],
            },
        ],
        "members": [practice.code for practice in federation.practices],
        "notes": "The up-front share (20%) is assumed; the article says only that part is paid up front.",
    }
