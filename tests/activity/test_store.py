"""The DuckDB activity store: idempotent, superseding with an audit trail, all-or-nothing, checked input."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gainshare.adapters.activity import duckdb_store
from gainshare.adapters.activity.duckdb_store import DuckDBActivityStore
from gainshare.domain.errors import ConflictError, InvalidInputError
from gainshare.services.ports import ActivityImportRequest, ActivityKind, ImportProgress
from tests.activity.conftest import (
    BASELINE_YEAR,
    WHEN,
    activity_rows,
    episode_rows,
    months_from,
    write_csv,
    write_episodes,
    write_parquet,
)

TABLES = ("activity", "activity_imports", "activity_months", "activity_audit")


def request(path: Path, kind: ActivityKind = ActivityKind.AGGREGATED, source: str = "sus", **extra: Any) -> Any:
    return ActivityImportRequest(str(path), kind, source, extra.pop("at", WHEN), **extra)


def snapshot(store: DuckDBActivityStore) -> dict[str, list[tuple[Any, ...]]]:
    con = store.connection()
    return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


def totals(store: DuckDBActivityStore) -> list[tuple[Any, ...]]:
    return (
        store.connection()
        .execute(
            "SELECT source, month, count(*), sum(activity), sum(cost_pence) FROM activity GROUP BY ALL ORDER BY ALL"
        )
        .fetchall()
    )


def test_import_stores_every_row_once_per_month(tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR[:3])
    with DuckDBActivityStore(store_path) as store:
        outcome = store.import_file(request(write_csv(tmp_path / "a.csv", rows)))
        assert not outcome.already_imported
        assert outcome.rows_read == len(rows)
        assert [(change.month, change.action, change.rows) for change in outcome.months] == [
            (month, "added", 18) for month in BASELINE_YEAR[:3]
        ]
        assert totals(store) == [
            ("sus", month, 18, sum(r["activity"] for r in rows if r["month"] == month),
             sum(r["cost_pence"] for r in rows if r["month"] == month))
            for month in BASELINE_YEAR[:3]
        ]  # fmt: skip


def test_the_same_file_twice_changes_nothing(tmp_path: Path, store_path: Path) -> None:
    path = write_parquet(tmp_path / "a.parquet", activity_rows(BASELINE_YEAR))
    with DuckDBActivityStore(store_path) as store:
        first = store.import_file(request(path))
        before = snapshot(store)
        again = store.import_file(request(path, at=datetime(2026, 6, 1, tzinfo=UTC)))
        assert again.already_imported and again.file_hash == first.file_hash and again.months == ()
        assert snapshot(store) == before


def test_same_content_in_another_file_leaves_months_unchanged(tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR[:2])
    with DuckDBActivityStore(store_path) as store:
        store.import_file(request(write_csv(tmp_path / "a.csv", rows)))
        before = totals(store)
        outcome = store.import_file(request(write_parquet(tmp_path / "b.parquet", list(reversed(rows)))))
        assert {change.action for change in outcome.months} == {"unchanged"}
        assert totals(store) == before and store.audit() == []


def test_a_month_reimported_with_new_content_supersedes_it_and_is_audited(tmp_path: Path, store_path: Path) -> None:
    april, may = BASELINE_YEAR[:2]
    with DuckDBActivityStore(store_path) as store:
        first = store.import_file(request(write_csv(tmp_path / "a.csv", activity_rows([april, may]))))
        corrected = [row for row in activity_rows([may], seed=5) if row["practice_code"] != "B82003"]
        later = datetime(2026, 7, 2, 14, 0, tzinfo=UTC)
        outcome = store.import_file(request(write_csv(tmp_path / "b.csv", corrected), at=later))

        assert [(change.month, change.action) for change in outcome.months] == [(may, "replaced")]
        replaced = outcome.months[0]
        assert (replaced.rows, replaced.replaced_rows) == (12, 18)
        assert replaced.replaced_hash == first.months[1].content_hash != replaced.content_hash
        stored = {row[1]: row[2:] for row in totals(store)}
        assert stored[may] == (12, sum(r["activity"] for r in corrected), sum(r["cost_pence"] for r in corrected))
        assert stored[april][0] == 18  # other months untouched
        [audit] = store.audit()
        assert (audit.source, audit.month, audit.replaced_rows, audit.new_rows) == ("sus", may, 18, 12)
        assert (audit.replaced_hash, audit.new_hash) == (first.months[1].content_hash, replaced.content_hash)
        assert audit.at == later and audit.file_hash == outcome.file_hash


def test_sources_are_kept_apart(tmp_path: Path, store_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", activity_rows(BASELINE_YEAR[:1]))
    other = write_csv(tmp_path / "b.csv", activity_rows(BASELINE_YEAR[:1], seed=3))
    with DuckDBActivityStore(store_path) as store:
        store.import_file(request(path, source="acute-a"))
        outcome = store.import_file(request(other, source="acute-b"))
        assert [change.action for change in outcome.months] == ["added"]
        assert [row[0] for row in totals(store)] == ["acute-a", "acute-b"] and store.audit() == []


@pytest.mark.parametrize("stage", ["checking", "reading", "writing"])
def test_a_failure_in_the_middle_leaves_the_store_as_it_was(tmp_path: Path, store_path: Path, stage: str) -> None:
    april, may, june = BASELINE_YEAR[:3]
    with DuckDBActivityStore(store_path) as store:
        store.import_file(request(write_csv(tmp_path / "a.csv", activity_rows([april, may]))))
        before = snapshot(store)
        calls: list[ImportProgress] = []

        def crash(progress: ImportProgress) -> None:
            calls.append(progress)
            if progress.stage == stage and progress.done == 1:
                raise KeyboardInterrupt("power cut")

        changed = write_csv(tmp_path / "b.csv", activity_rows([may, june], seed=9))
        with pytest.raises(KeyboardInterrupt):
            store.import_file(request(changed), crash)
        assert snapshot(store) == before
        assert calls[-1].stage == stage
        # and the store still works: the same file imports fully afterwards
        outcome = store.import_file(request(changed))
        assert [change.action for change in outcome.months] == ["replaced", "added"]


def test_a_crash_after_the_writes_rolls_them_back(
    tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DuckDBActivityStore(store_path) as store:
        store.import_file(request(write_csv(tmp_path / "a.csv", activity_rows(BASELINE_YEAR[:1]))))
        before = snapshot(store)
        real = duckdb_store._insert_month
        inserted: list[date] = []

        def insert_then_fail(con: duckdb.DuckDBPyConnection, source: str, month: date, import_id: int) -> None:
            real(con, source, month, import_id)
            inserted.append(month)
            if len(inserted) == 2:
                raise OSError("disk full")

        monkeypatch.setattr(duckdb_store, "_insert_month", insert_then_fail)
        with pytest.raises(OSError, match="disk full"):
            store.import_file(request(write_csv(tmp_path / "b.csv", activity_rows(BASELINE_YEAR[1:4]))))
        assert len(inserted) == 2
        assert snapshot(store) == before


def test_episodes_are_summed_to_months_and_no_patient_ids_are_kept(tmp_path: Path, store_path: Path) -> None:
    months = months_from(date(2024, 4, 1), 2)
    episodes = episode_rows(months)
    path = write_episodes(tmp_path / "episodes.parquet", episodes)
    with DuckDBActivityStore(store_path) as store:
        outcome = store.import_file(request(path, ActivityKind.EPISODES, source="sus-episodes"))
        assert outcome.rows_read == len(episodes)
        con = store.connection()
        stored = con.execute(
            "SELECT practice_code, service_line, pod, month, activity, cost_pence FROM activity ORDER BY ALL"
        ).fetchall()
        expected: dict[tuple[str, str, date], list[int]] = {}
        for row in episodes:
            key = (row["practice_code"], row["service_line"], row["date"].replace(day=1))
            cell = expected.setdefault(key, [0, 0])
            cell[0] += 1
            cell[1] += row["cost_pence"]
        assert stored == sorted((p, s, "EPISODE", m, n, c) for (p, s, m), (n, c) in expected.items())
        columns = {row[0] for table in TABLES for row in con.execute(f"DESCRIBE {table}").fetchall()}
        assert "patient_id" not in columns


def test_episode_chunks_in_a_folder_are_summed_across_chunks(tmp_path: Path, store_path: Path) -> None:
    episodes = episode_rows(months_from(date(2024, 4, 1), 2))
    folder = tmp_path / "chunks"
    folder.mkdir()
    half = len(episodes) // 2
    write_episodes(folder / "part-0.parquet", episodes[:half])
    write_episodes(folder / "part-1.parquet", episodes[half:])
    with DuckDBActivityStore(store_path) as whole, DuckDBActivityStore(tmp_path / "chunked.duckdb") as chunked:
        whole.import_file(request(write_episodes(tmp_path / "all.parquet", episodes), ActivityKind.EPISODES))
        chunked.import_file(request(folder, ActivityKind.EPISODES))
        assert totals(chunked) == totals(whole)
        assert (
            chunked.connection().execute("SELECT count(*) FROM activity").fetchone()
            == whole.connection().execute("SELECT count(*) FROM activity").fetchone()
        )


def _problems(tmp_path: Path, store_path: Path, path: Path, kind: ActivityKind = ActivityKind.AGGREGATED) -> str:
    with DuckDBActivityStore(store_path) as store:
        with pytest.raises(InvalidInputError) as caught:
            store.import_file(request(path, kind))
        assert totals(store) == [] and store.connection().execute(
            "SELECT count(*) FROM activity_imports"
        ).fetchone() == (0,)
    return "\n".join(issue.render() for issue in caught.value.issues)


def _edited(rows: list[dict[str, Any]], index: int, **values: Any) -> list[dict[str, Any]]:
    rows = [dict(row) for row in rows]
    rows[index].update(values)
    return rows


def test_bad_values_are_named_and_nothing_is_written(tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR[:1])
    bad = _edited(_edited(_edited(rows, 0, activity="3.5"), 1, cost_pence=-5), 2, month="2024-04-15")
    text = _problems(tmp_path, store_path, write_csv(tmp_path / "bad.csv", bad))
    assert "column 'activity': 1 row: the value is not a whole number (one at practice A81001)" in text
    assert "column 'cost_pence': 1 row: the value is negative" in text
    assert "column 'month': 1 row: the value is not the first day of a month" in text


def test_empty_cells_and_bad_dates_are_named(tmp_path: Path, store_path: Path) -> None:
    rows = _edited(_edited(activity_rows(BASELINE_YEAR[:1]), 0, practice_code=""), 3, month="April 2024")
    text = _problems(tmp_path, store_path, write_csv(tmp_path / "bad.csv", rows))
    assert "column 'practice_code': 1 row: the value is empty" in text
    assert "column 'month': 1 row: the value is not a date written YYYY-MM-DD" in text


def test_patient_identifiers_are_refused_in_a_file_of_aggregates(tmp_path: Path, store_path: Path) -> None:
    rows = [{**row, "patient_id": "X1"} for row in activity_rows(BASELINE_YEAR[:1])]
    columns = ("patient_id", "practice_code", "service_line", "pod", "month", "activity", "cost_pence")
    text = _problems(tmp_path, store_path, write_csv(tmp_path / "bad.csv", rows, columns))
    assert "activity files hold aggregates only" in text and "--kind episodes" in text


def test_missing_columns_floats_and_duplicates_are_refused(tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR[:1])
    text = _problems(
        tmp_path,
        store_path,
        write_csv(
            tmp_path / "a.csv", rows, ("practice_code", "service_line", "pod", "month", "activity", "cost_pence")
        ),
        ActivityKind.EPISODES,
    )
    assert "column 'patient_id': required column is missing" in text
    floats = tmp_path / "f.parquet"
    table = pa.Table.from_pylist(rows).set_column(5, "cost_pence", pa.array([1.5] * len(rows), pa.float64()))
    pq.write_table(table, floats)
    assert "never fractions" in _problems(tmp_path, store_path, floats)
    duplicated = write_csv(tmp_path / "d.csv", [*rows, rows[4]])
    assert "appear on more than one row (one at practice A81001, 2024-04)" in _problems(
        tmp_path, store_path, duplicated
    )


def test_missing_files_and_stores_are_user_errors(tmp_path: Path) -> None:
    with DuckDBActivityStore(tmp_path / "s.duckdb") as store, pytest.raises(InvalidInputError, match="no such file"):
        store.import_file(request(tmp_path / "nope.csv"))
    with pytest.raises(InvalidInputError, match="no activity store here yet"):
        DuckDBActivityStore(tmp_path / "other.duckdb", create=False).connection()


def test_a_store_in_use_by_another_process_is_a_conflict_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    holder = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", holder, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with pytest.raises(ConflictError, match="in use by another process"):
            DuckDBActivityStore(path).connection()
    finally:
        child.kill()
        child.wait()


def _nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers (Modulus 11 check digit), for proving they are refused."""
    numbers: list[str] = []
    base = 400_000_000
    while len(numbers) < count:
        digits = [int(c) for c in str(base)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check != 10:
            numbers.append(f"{base}{0 if check == 11 else check}")
        base += 7
    return numbers


def test_episodes_with_nhs_numbers_for_patient_ids_are_refused(tmp_path: Path, store_path: Path) -> None:
    episodes = episode_rows(months_from(date(2024, 4, 1), 1))
    numbers = _nhs_numbers(len(episodes))
    leaked = [{**row, "patient_id": number} for row, number in zip(episodes, numbers, strict=True)]
    text = _problems(tmp_path, store_path, write_episodes(tmp_path / "leak.parquet", leaked), ActivityKind.EPISODES)
    assert "column 'patient_id': the column's values are valid NHS numbers" in text


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A workbook as people make them: a title and a blank row above the header, months as date cells."""
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Activity extract for the federation (synthetic)"])
    sheet.append([])
    columns = list(rows[0])
    sheet.append(columns)
    for row in rows:
        sheet.append([date.fromisoformat(str(row[c])) if c == "month" else row[c] for c in columns])
    workbook.save(path)
    return path


def test_an_excel_workbook_imports_like_the_same_rows_in_csv(tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR[:2])
    with DuckDBActivityStore(store_path) as store:
        outcome = store.import_file(request(_write_xlsx(tmp_path / "extract.xlsx", rows)))
        assert outcome.rows_read == len(rows) and not outcome.already_imported
        from_excel = totals(store)
        assert store.import_file(request(tmp_path / "extract.xlsx")).already_imported
    with DuckDBActivityStore(tmp_path / "csv.duckdb") as store:
        store.import_file(request(write_csv(tmp_path / "extract.csv", rows)))
        assert totals(store) == from_excel


def test_bad_values_in_a_workbook_are_named_and_nothing_is_written(tmp_path: Path, store_path: Path) -> None:
    rows = _edited(activity_rows(BASELINE_YEAR[:1]), 0, activity=3.5)
    text = _problems(tmp_path, store_path, _write_xlsx(tmp_path / "bad.xlsx", rows))
    assert "bad.xlsx" in text and "column 'activity': 1 row: the value is not a whole number" in text
