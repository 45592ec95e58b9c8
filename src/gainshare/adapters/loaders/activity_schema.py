"""The fixed Arrow schemas of loaded activity: what the DuckDB/Ibis pipeline can rely on.

Every activity loader returns a pyarrow Table with exactly these columns, in this order, with these types.
Money is whole pence (int64); counts are int64; months are the first day of the month (date32).
"""

from __future__ import annotations

import pyarrow as pa

# Aggregated activity: one row per practice, service line, point of delivery and month.
PRACTICE_CODE = "practice_code"
SERVICE_LINE = "service_line"
POD = "pod"
MONTH = "month"
ACTIVITY = "activity"
COST_PENCE = "cost_pence"

ACTIVITY_SCHEMA = pa.schema(
    [
        pa.field(PRACTICE_CODE, pa.string(), nullable=False),
        pa.field(SERVICE_LINE, pa.string(), nullable=False),
        pa.field(POD, pa.string(), nullable=False),
        pa.field(MONTH, pa.date32(), nullable=False),
        pa.field(ACTIVITY, pa.int64(), nullable=False),
        pa.field(COST_PENCE, pa.int64(), nullable=False),
    ]
)

# Patient-level episodes: one row per episode, with a pseudonymised patient id (never an NHS number or a name).
PATIENT_ID = "patient_id"
DATE = "date"
CODE = "code"  # the HRG code, or the treatment function code where the episode has no HRG

EPISODE_SCHEMA = pa.schema(
    [
        pa.field(PATIENT_ID, pa.string(), nullable=False),
        pa.field(PRACTICE_CODE, pa.string(), nullable=False),
        pa.field(DATE, pa.date32(), nullable=False),
        pa.field(CODE, pa.string(), nullable=False),
        pa.field(SERVICE_LINE, pa.string(), nullable=False),
        pa.field(COST_PENCE, pa.int64(), nullable=False),
    ]
)

ACTIVITY_COLUMNS: tuple[str, ...] = tuple(ACTIVITY_SCHEMA.names)
EPISODE_COLUMNS: tuple[str, ...] = tuple(EPISODE_SCHEMA.names)
