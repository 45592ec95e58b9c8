"""National-scale episodes: determinism, chunking, files and row groups, and memory that stays at one chunk."""

from __future__ import annotations

import re
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from gainshare.adapters.demo_writer import write_episodes
from gainshare.adapters.loaders.activity_schema import EPISODE_SCHEMA
from gainshare.engines.demo.national import (
    NationalParameters,
    build_universe,
    chunk_sizes,
    episode_batches,
    pseudonyms,
)


def _concatenated(parameters: NationalParameters) -> dict[str, np.ndarray]:
    batches = list(episode_batches(build_universe(parameters)))
    return {
        name: np.concatenate([getattr(batch, name) for batch in batches])
        for name in ("patient_id", "practice", "line", "day", "cost_pence")
    }


def test_chunk_sizes_cover_the_rows() -> None:
    assert list(chunk_sizes(2_500, 1_000)) == [1_000, 1_000, 500]
    assert list(chunk_sizes(2_000, 1_000)) == [1_000, 1_000]
    assert list(chunk_sizes(0, 1_000)) == []


def test_same_seed_same_episodes_and_different_seed_different() -> None:
    first = _concatenated(NationalParameters(rows=3_000, chunk_rows=1_000, practices=500, seed=5))
    again = _concatenated(NationalParameters(rows=3_000, chunk_rows=1_000, practices=500, seed=5))
    other = _concatenated(NationalParameters(rows=3_000, chunk_rows=1_000, practices=500, seed=6))
    for name, values in first.items():
        assert np.array_equal(values, again[name]), name
    assert not np.array_equal(first["patient_id"], other["patient_id"])
    assert not np.array_equal(first["practice"], other["practice"])


def test_pseudonyms_are_hex_and_one_to_one() -> None:
    numbers = np.arange(50_000, dtype=np.int64)
    ids = pseudonyms(numbers, np.uint64(12345))
    assert ids.shape == (50_000, 16)
    text = ids.view("S16").ravel()
    assert len(set(text.tolist())) == 50_000
    assert re.fullmatch(rb"[0-9A-F]{16}", text[0])
    assert not np.array_equal(ids, pseudonyms(numbers, np.uint64(54321)))


def test_episodes_have_plausible_values() -> None:
    universe = build_universe(NationalParameters(rows=20_000, chunk_rows=20_000, practices=300))
    (batch,) = list(episode_batches(universe))
    days = batch.day.astype("datetime64[D]")
    assert days.min() >= np.datetime64("2023-04-01") and days.max() <= np.datetime64("2026-03-31")
    weekday = (batch.day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    assert (weekday < 5).all()
    assert (batch.cost_pence > 0).all()
    assert set(np.unique(batch.line).tolist()) == set(range(len(universe.lines)))
    patients, visits = np.unique(batch.patient_id.view("S16").ravel(), return_counts=True)
    assert visits.max() > 1 and len(patients) > 1_000  # some repeat attenders, many patients


def test_writer_writes_every_row_in_chunks_and_files(tmp_path: Path) -> None:
    universe = build_universe(NationalParameters(rows=25_000, chunk_rows=4_000, practices=200))
    progress: list[int] = []
    written = write_episodes(universe, tmp_path, rows_per_file=10_000, on_progress=progress.append)
    assert written.rows == 25_000 == sum(progress)
    assert written.row_groups == 7 == len(progress)
    assert [path.name for path in written.files] == [f"episodes-{i:05d}.parquet" for i in range(3)]
    assert sorted(tmp_path.iterdir()) == written.files
    metadata = [pq.ParquetFile(path).metadata for path in written.files]
    assert [m.num_rows for m in metadata] == [8_000, 8_000, 9_000]
    assert [m.num_row_groups for m in metadata] == [2, 2, 3]
    table = pq.read_table(written.files[0])
    assert table.schema.equals(EPISODE_SCHEMA)
    row = table.slice(0, 1).to_pylist()[0]
    assert re.fullmatch(r"[0-9A-F]{16}", row["patient_id"])
    assert re.fullmatch(r"Z9\d{4}", row["practice_code"])
    assert isinstance(row["date"], date) and isinstance(row["cost_pence"], int)


def _peak_traced_bytes(rows: int, directory: Path) -> int:
    universe = build_universe(NationalParameters(rows=rows, chunk_rows=5_000, practices=200))
    tracemalloc.start()
    try:
        write_episodes(universe, directory, rows_per_file=1_000_000)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_at_one_chunk_whatever_the_row_count(tmp_path: Path) -> None:
    _peak_traced_bytes(5_000, tmp_path / "warm-up")  # first use imports and caches things
    small = _peak_traced_bytes(10_000, tmp_path / "small")
    large = _peak_traced_bytes(200_000, tmp_path / "large")  # 20 times the rows, same chunk size
    assert large < 1.5 * small + 256 * 1024


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (NationalParameters(rows=-1), "rows"),
        (NationalParameters(rows=10, chunk_rows=0), "chunk"),
        (NationalParameters(rows=10, practices=20_000), "synthetic block"),
    ],
)
def test_bad_national_parameters_are_refused(parameters: NationalParameters, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_universe(parameters)
