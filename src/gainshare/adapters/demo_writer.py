"""Writes the demo federation (CSV and Parquet, agreement and figures YAML) and national-scale episodes.

Generation lives in `gainshare.engines.demo`; this module only lays its arrays out as tables and files.
Money is whole pence (int64) in every table. Nothing here reads the clock, so the same seed gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml

from gainshare.adapters.loaders.activity_schema import (
    ACTIVITY,
    ACTIVITY_SCHEMA,
    COST_PENCE,
    EPISODE_SCHEMA,
    MONTH,
    POD,
    PRACTICE_CODE,
    SERVICE_LINE,
)
from gainshare.engines.demo.agreement import agreement_document, figures_document
from gainshare.engines.demo.calendar import financial_year_labels
from gainshare.engines.demo.federation import DemoFederation
from gainshare.engines.demo.national import PATIENT_ID_LENGTH, EpisodeBatch, NationalUniverse, episode_batches
from gainshare.engines.demo.practices import SYNTHETIC_CODE_PREFIX
from gainshare.engines.demo.reference import AGE_BANDS, ARCHETYPES, SEXES
from gainshare.engines.demo.services import HUB_POD

FORMATS = ("csv", "parquet")
TABLES = ("practices", "list_sizes", "activity", "hub_activity", "prices")


@dataclass
class WrittenFederation:
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)  # by table
    files: list[Path] = field(default_factory=list)


@dataclass
class WrittenEpisodes:
    rows: int = 0
    files: list[Path] = field(default_factory=list)
    row_groups: int = 0


def write_federation(
    federation: DemoFederation, directory: Path, formats: tuple[str, ...] = FORMATS
) -> WrittenFederation:
    """Every table in each format, the agreement and figures YAML, and metadata.json describing it all."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; use csv and/or parquet")
    directory.mkdir(parents=True, exist_ok=True)
    written = WrittenFederation(directory)
    tables = federation_tables(federation)
    for name, table in tables.items():
        written.rows[name] = table.num_rows
        for fmt in formats:
            written.files.append(_write_table(table, directory / f"{name}.{fmt}"))
    for name, document in (("agreement", agreement_document(federation)), ("figures", figures_document(federation))):
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.files.append(path)
    metadata = directory / "metadata.json"
    metadata.write_text(json.dumps(federation_metadata(federation, written), indent=2) + "\n", encoding="utf-8")
    written.files.append(metadata)
    return written


def _write_table(table: pa.Table, path: Path) -> Path:
    if path.suffix == ".csv":
        pa_csv.write_csv(table, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))
    else:
        pq.write_table(table, path, compression="zstd")
    return path


def federation_tables(federation: DemoFederation) -> dict[str, pa.Table]:
    return {
        "practices": practices_table(federation),
        "list_sizes": list_sizes_table(federation),
        "activity": activity_table(federation, hub=False),
        "hub_activity": activity_table(federation, hub=True),
        "prices": prices_table(federation),
    }


def practices_table(federation: DemoFederation) -> pa.Table:
    practices = federation.practices
    hub_of = federation.activity.hub_of
    hosts = set(federation.activity.hub_hosts)
    return pa.table(
        {
            PRACTICE_CODE: [p.code for p in practices],
            "name": [p.name for p in practices],
            "postcode": [p.postcode for p in practices],
            "latitude": pa.array([p.latitude for p in practices], pa.float64()),
            "longitude": pa.array([p.longitude for p in practices], pa.float64()),
            "locality": [p.locality for p in practices],
            "archetype": [p.archetype for p in practices],
            "list_size": pa.array(federation.list_sizes[:, -1], pa.int64()),
            "hosts_hub": [index in hosts for index in range(len(practices))],
            "hub_practice_code": [practices[int(host)].code for host in hub_of],
        }
    )


def list_sizes_table(federation: DemoFederation) -> pa.Table:
    """One row per practice, month, sex and age band: registered patients."""
    counts = federation.band_counts  # (P, M, 2, B)
    grid = np.indices(counts.shape).reshape(4, -1)
    return pa.table(
        {
            PRACTICE_CODE: _take([p.code for p in federation.practices], grid[0]),
            MONTH: _take(list(federation.months), grid[1], pa.date32()),
            "sex": _take(list(SEXES), grid[2]),
            "age_band": _take(list(AGE_BANDS), grid[3]),
            "patients": pa.array(counts.reshape(-1), pa.int64()),
        }
    )


def activity_table(federation: DemoFederation, hub: bool) -> pa.Table:
    """Hospital (or hub) activity in the shared activity schema: practice, line, pod, month, count, pence."""
    activity = federation.activity
    counts = activity.hub if hub else activity.hospital
    costs = activity.hub_cost_pence if hub else activity.hospital_cost_pence
    grid = np.indices(counts.shape).reshape(3, -1)  # (practice, line, month)
    pods = [HUB_POD] * len(federation.lines) if hub else [line.pod for line in federation.lines]
    columns = {
        PRACTICE_CODE: _take([p.code for p in federation.practices], grid[0]),
        SERVICE_LINE: _take([line.id for line in federation.lines], grid[1]),
        POD: _take(pods, grid[1]),
        MONTH: _take(list(federation.months), grid[2], pa.date32()),
        ACTIVITY: pa.array(counts.reshape(-1), pa.int64()),
        COST_PENCE: pa.array(costs.reshape(-1), pa.int64()),
    }
    return pa.Table.from_pydict(columns, schema=ACTIVITY_SCHEMA)


def prices_table(federation: DemoFederation) -> pa.Table:
    """Per service line and financial year: the hospital price and the hub (out-of-hospital) unit cost."""
    years = financial_year_labels(federation.months)
    prices = federation.activity.hospital_prices_pence
    lines = federation.lines
    return pa.table(
        {
            SERVICE_LINE: [line.id for line in lines for _ in years],
            "name": [line.name for line in lines for _ in years],
            POD: [line.pod for line in lines for _ in years],
            "code": [line.code for line in lines for _ in years],
            "financial_year": [year for _ in lines for year in years],
            "hospital_price_pence": pa.array(prices.reshape(-1), pa.int64()),
            "hub_price_pence": pa.array(np.repeat(federation.activity.hub_prices_pence, len(years)), pa.int64()),
        }
    )


def _take(values: list[Any], indices: np.ndarray[Any, Any], kind: pa.DataType | None = None) -> pa.Array:
    return pc.take(pa.array(values, kind), pa.array(indices))


def federation_metadata(federation: DemoFederation, written: WrittenFederation) -> dict[str, Any]:
    """What was generated and how: parameters, planted outliers, hubs, archetypes, row counts."""
    parameters = federation.parameters
    activity = federation.activity
    return {
        "generator": "gainshare demo generate",
        "synthetic": True,
        "seed": parameters.seed,
        "practice_code_block": f"{SYNTHETIC_CODE_PREFIX}0001-{SYNTHETIC_CODE_PREFIX}9999 (synthetic; no real practice)",
        "first_month": parameters.first_month.isoformat(),
        "months": parameters.months,
        "scheme_start": parameters.scheme_start.isoformat(),
        "parameters": {key: value for key, value in asdict(parameters.activity).items()},
        "archetypes": {key: value.description for key, value in ARCHETYPES.items()},
        "practices": {p.code: {"archetype": p.archetype, "locality": p.locality} for p in federation.practices},
        "hub_hosts": [federation.practices[index].code for index in activity.hub_hosts],
        "planted_outliers": [asdict(outlier) for outlier in activity.outliers],
        "service_lines": {
            line.id: {
                "name": line.name,
                "pod": line.pod,
                "growth": line.growth,
                "max_shift": line.max_shift,
                "ramp_months": line.ramp_months,
                "winter": line.winter,
                "summer": line.summer,
            }
            for line in federation.lines
        },
        "rows": written.rows,
        "files": sorted(path.name for path in written.files),
    }


def write_episodes(
    universe: NationalUniverse,
    directory: Path,
    rows_per_file: int = 10_000_000,
    on_progress: Callable[[int], None] | None = None,
) -> WrittenEpisodes:
    """Patient-level episodes as Parquet: one row group per chunk; a file takes whole chunks up to `rows_per_file`
    rows (a single chunk larger than that gets a file of its own)."""
    if rows_per_file < 1:
        raise ValueError(f"rows per file must be at least 1, not {rows_per_file}")
    directory.mkdir(parents=True, exist_ok=True)
    dictionaries = _Dictionaries.of(universe)
    written = WrittenEpisodes()
    writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        for batch in episode_batches(universe):
            if writer is None or (in_file > 0 and in_file + len(batch) > rows_per_file):
                if writer is not None:
                    writer.close()
                path = directory / f"episodes-{len(written.files):05d}.parquet"
                writer = pq.ParquetWriter(path, EPISODE_SCHEMA, compression="zstd")
                written.files.append(path)
                in_file = 0
            writer.write_batch(episode_record_batch(batch, dictionaries), row_group_size=len(batch))
            in_file += len(batch)
            written.rows += len(batch)
            written.row_groups += 1
            if on_progress is not None:
                on_progress(len(batch))
    finally:
        if writer is not None:
            writer.close()
    return written


@dataclass(frozen=True)
class _Dictionaries:
    practices: pa.Array
    lines: pa.Array
    codes: pa.Array

    @classmethod
    def of(cls, universe: NationalUniverse) -> _Dictionaries:
        return cls(
            practices=pa.array(universe.practice_codes, pa.string()),
            lines=pa.array([line.id for line in universe.lines], pa.string()),
            codes=pa.array([line.code for line in universe.lines], pa.string()),
        )


def episode_record_batch(batch: EpisodeBatch, dictionaries: _Dictionaries) -> pa.RecordBatch:
    rows = len(batch)
    offsets = np.arange(0, (rows + 1) * PATIENT_ID_LENGTH, PATIENT_ID_LENGTH, dtype=np.int32)
    patient_id = pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(batch.patient_id))
    line = pa.array(batch.line)
    return pa.RecordBatch.from_arrays(
        [
            patient_id,
            pc.take(dictionaries.practices, pa.array(batch.practice)),
            pa.array(batch.day, pa.int32()).view(pa.date32()),
            pc.take(dictionaries.codes, line),
            pc.take(dictionaries.lines, line),
            pa.array(batch.cost_pence, pa.int64()),
        ],
        schema=EPISODE_SCHEMA,
    )
