"""The activity store: one DuckDB file holding monthly activity by source, practice, service line and pod.

Imports are idempotent and atomic:

- the sha256 of the file (or of a folder's files, in name order) is recorded; the same content for the same
  source again changes nothing;
- each (source, month) keeps the content hash of its rows; a month re-imported with different content
  supersedes the old rows of that source and month, and an audit record says what was replaced (row counts,
  hashes, the file, and when, as the caller's time);
- everything happens in one DuckDB transaction, so a failure anywhere (bad values, a crash, an interrupted
  progress callback) leaves the store as it was.

Patient-level episodes are summed to practice, service line and month on import, with the Ibis expression
the pipeline uses on Spark (`monthly_from_episodes`); patient identifiers are never stored. Keeping only
aggregates is data minimisation (the settlement needs nothing finer), and it keeps the store and every
pipeline query small: national patient-level years shrink by about three orders of magnitude.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import ibis
import ibis.expr.types as ir

from gainshare.adapters.activity.duckdb_input import (
    check_values,
    input_files,
    key_columns,
    sql_text,
    typed_input,
)
from gainshare.adapters.activity.ibis_pipeline import monthly_from_episodes
from gainshare.adapters.loaders.activity_schema import (
    ACTIVITY,
    ACTIVITY_COLUMNS,
    COST_PENCE,
    EPISODE_SCHEMA,
    MONTH,
    POD,
    PRACTICE_CODE,
    SERVICE_LINE,
)
from gainshare.domain.errors import ConflictError, InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.services.ports import (
    ActivityAudit,
    ActivityImportRequest,
    ActivityKind,
    ImportOutcome,
    ImportProgress,
    MonthChange,
    ProgressCallback,
)

ACTIVITY_TABLE = "activity"
_CHUNK = 1 << 20

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {ACTIVITY_TABLE} (
    source VARCHAR NOT NULL, {PRACTICE_CODE} VARCHAR NOT NULL, {SERVICE_LINE} VARCHAR NOT NULL,
    {POD} VARCHAR NOT NULL, {MONTH} DATE NOT NULL, {ACTIVITY} BIGINT NOT NULL, {COST_PENCE} BIGINT NOT NULL,
    import_id BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS activity_imports (
    import_id BIGINT NOT NULL, source VARCHAR NOT NULL, kind VARCHAR NOT NULL, path VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL, rows_read BIGINT NOT NULL, imported_at VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS activity_months (
    source VARCHAR NOT NULL, {MONTH} DATE NOT NULL, content_hash VARCHAR NOT NULL, rows BIGINT NOT NULL,
    import_id BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS activity_audit (
    source VARCHAR NOT NULL, {MONTH} DATE NOT NULL, replaced_hash VARCHAR NOT NULL, replaced_rows BIGINT NOT NULL,
    replaced_import_id BIGINT NOT NULL, new_hash VARCHAR NOT NULL, new_rows BIGINT NOT NULL,
    new_import_id BIGINT NOT NULL, file_hash VARCHAR NOT NULL, replaced_at VARCHAR NOT NULL
);
"""

_STAGED = (
    f"CREATE TEMP TABLE staged ({PRACTICE_CODE} VARCHAR, {SERVICE_LINE} VARCHAR, {POD} VARCHAR, {MONTH} DATE, "
    f"{ACTIVITY} BIGINT, {COST_PENCE} BIGINT)"
)
_KEYS = ", ".join(key_columns())
_ROW_TEXT = f"concat_ws('|', {PRACTICE_CODE}, {SERVICE_LINE}, {POD}, {MONTH}, {ACTIVITY}, {COST_PENCE})"


def _ignore(_: ImportProgress) -> None:
    return None


class DuckDBActivityStore:
    """ActivityStore in one DuckDB file (the path is given; the folder is made when the store is created)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self._create = create
        self._con: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            if not self._create and not self.path.exists():
                raise InvalidInputError(
                    [
                        Issue(
                            "store.missing",
                            "there is no activity store here yet; import activity first with "
                            "`gainshare data import FILE --kind activity`",
                            Source(str(self.path)),
                        )
                    ]
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._con = duckdb.connect(str(self.path))
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                raise ConflictError(
                    f"the activity store {self.path} is in use by another process; try again when it has finished"
                ) from None
            self._con.execute(_SCHEMA)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def activity_table(self) -> ir.Table:
        """The stored activity as an Ibis table on this store's DuckDB connection, for the pipeline."""
        return ibis.duckdb.from_connection(self.connection()).table(ACTIVITY_TABLE)

    def export_parquet(self, target: Path) -> None:
        """The stored activity (the pipeline's columns) as one Parquet file, e.g. for a Spark cluster."""
        columns = ", ".join(ACTIVITY_COLUMNS)
        query = f"SELECT {columns} FROM {ACTIVITY_TABLE} ORDER BY {_KEYS}"
        self.connection().execute(f"COPY ({query}) TO {sql_text(str(target))} (FORMAT parquet)")

    def audit(self) -> list[ActivityAudit]:
        rows = (
            self.connection()
            .execute(
                "SELECT source, month, replaced_hash, replaced_rows, new_hash, new_rows, file_hash, replaced_at "
                "FROM activity_audit ORDER BY new_import_id, source, month"
            )
            .fetchall()
        )
        return [
            ActivityAudit(
                row[0], row[1], row[2], int(row[3]), row[4], int(row[5]), row[6], datetime.fromisoformat(row[7])
            )
            for row in rows
        ]

    def import_file(self, request: ActivityImportRequest, progress: ProgressCallback | None = None) -> ImportOutcome:
        report = progress or _ignore
        files = input_files(Path(request.path))
        file_hash = _hash_files(files, report)
        con = self.connection()
        previous = con.execute(
            "SELECT rows_read FROM activity_imports WHERE source = ? AND kind = ? AND file_hash = ? LIMIT 1",
            [request.source, request.kind.value, file_hash],
        ).fetchone()
        if previous is not None:
            report(ImportProgress("already imported", 1, 1))
            return ImportOutcome(request.path, request.source, request.kind, file_hash, True, int(previous[0]))
        con.begin()
        try:
            rows_read = self._stage(con, files, request, report)
            months = self._apply(con, request, file_hash, rows_read, report)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.execute("DROP TABLE IF EXISTS temp.staged; DROP TABLE IF EXISTS temp.staged_months")
        report(ImportProgress("done", 1, 1))
        return ImportOutcome(request.path, request.source, request.kind, file_hash, False, rows_read, months)

    def _stage(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[Path],
        request: ActivityImportRequest,
        report: ProgressCallback,
    ) -> int:
        """Every file checked and summed into temp.staged (the aggregated shape); the rows read."""
        typed = [typed_input(con, path, request.kind) for path in files]
        rows_read = 0
        for done, (path, item) in enumerate(zip(files, typed, strict=True)):
            report(ImportProgress("checking", done, len(files)))
            rows_read += check_values(con, item, str(path))
        report(ImportProgress("checking", len(files), len(files)))
        con.execute(_STAGED)
        for done, item in enumerate(typed):
            report(ImportProgress("reading", done, len(files)))
            con.execute(f"INSERT INTO staged {_monthly_sql(item.select, request)}")
        report(ImportProgress("reading", len(files), len(files)))
        if request.kind is ActivityKind.EPISODES and len(files) > 1:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE staged AS SELECT {_KEYS}, sum({ACTIVITY})::BIGINT AS {ACTIVITY}, "
                f"sum({COST_PENCE})::BIGINT AS {COST_PENCE} FROM staged GROUP BY ALL"
            )
        elif request.kind is ActivityKind.AGGREGATED:
            _refuse_duplicates(con, request.path)
        return rows_read

    def _apply(
        self,
        con: duckdb.DuckDBPyConnection,
        request: ActivityImportRequest,
        file_hash: str,
        rows_read: int,
        report: ProgressCallback,
    ) -> tuple[MonthChange, ...]:
        import_id = int(_one(con, "SELECT coalesce(max(import_id), 0) + 1 FROM activity_imports"))
        con.execute(
            f"CREATE TEMP TABLE staged_months AS SELECT {MONTH}, count(*) AS rows, "
            f"lower(hex(bit_xor(md5_number({_ROW_TEXT})))) AS content_hash FROM staged GROUP BY {MONTH}"
        )
        plan = con.execute(
            f"SELECT s.{MONTH}, s.rows, s.content_hash, m.rows, m.content_hash, m.import_id FROM staged_months s "
            f"LEFT JOIN activity_months m ON m.source = ? AND m.{MONTH} = s.{MONTH} ORDER BY s.{MONTH}",
            [request.source],
        ).fetchall()
        changes: list[MonthChange] = []
        at = request.imported_at.isoformat()
        for done, (month, rows, content_hash, old_rows, old_hash, old_import) in enumerate(plan):
            report(ImportProgress("writing", done, len(plan)))
            if old_hash == content_hash:
                changes.append(MonthChange(month, "unchanged", rows, content_hash))
                continue
            if old_hash is not None:
                con.execute(
                    "INSERT INTO activity_audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        request.source,
                        month,
                        old_hash,
                        old_rows,
                        old_import,
                        content_hash,
                        rows,
                        import_id,
                        file_hash,
                        at,
                    ],
                )
                _delete_month(con, request.source, month)
            _insert_month(con, request.source, month, import_id)
            con.execute(
                "INSERT INTO activity_months VALUES (?, ?, ?, ?, ?)",
                [request.source, month, content_hash, rows, import_id],
            )
            action = "added" if old_hash is None else "replaced"
            changes.append(MonthChange(month, action, rows, content_hash, old_rows, old_hash))
        con.execute(
            "INSERT INTO activity_imports VALUES (?, ?, ?, ?, ?, ?, ?)",
            [import_id, request.source, request.kind.value, request.path, file_hash, rows_read, at],
        )
        report(ImportProgress("writing", len(plan), len(plan)))
        return tuple(changes)


def _monthly_sql(typed_select: str, request: ActivityImportRequest) -> str:
    if request.kind is ActivityKind.AGGREGATED:
        return f"SELECT {', '.join(ACTIVITY_COLUMNS)} FROM ({typed_select})"
    episodes = ibis.table(ibis.schema(EPISODE_SCHEMA), name="episodes_in")
    monthly = monthly_from_episodes(episodes, request.episode_pod).select(*ACTIVITY_COLUMNS)
    compiled = ibis.to_sql(monthly, dialect="duckdb")
    return f"WITH episodes_in AS ({typed_select}) {compiled}"


def _refuse_duplicates(con: duckdb.DuckDBPyConnection, name: str) -> None:
    row = con.execute(
        f"SELECT count(*), any_value({PRACTICE_CODE}), any_value({MONTH}) FROM "
        f"(SELECT {_KEYS} FROM staged GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    if row is not None and row[0]:
        raise InvalidInputError(
            [
                Issue(
                    "activity.duplicate",
                    f"{row[0]} practice/service line/pod/month combinations appear on more than one row "
                    f"(one at practice {row[1]}, {row[2]:%Y-%m}); each must appear once",
                    Source(name),
                )
            ]
        )


def _delete_month(con: duckdb.DuckDBPyConnection, source: str, month: date) -> None:
    con.execute(f"DELETE FROM {ACTIVITY_TABLE} WHERE source = ? AND {MONTH} = ?", [source, month])
    con.execute(f"DELETE FROM activity_months WHERE source = ? AND {MONTH} = ?", [source, month])


def _insert_month(con: duckdb.DuckDBPyConnection, source: str, month: date, import_id: int) -> None:
    columns = ", ".join(ACTIVITY_COLUMNS)
    con.execute(
        f"INSERT INTO {ACTIVITY_TABLE} SELECT ?, {columns}, ? FROM staged WHERE {MONTH} = ?", [source, import_id, month]
    )


def _one(con: duckdb.DuckDBPyConnection, query: str) -> Any:
    row = con.execute(query).fetchone()
    if row is None:
        raise RuntimeError(f"no row from {query}")
    return row[0]


def _hash_files(files: list[Path], report: Callable[[ImportProgress], None]) -> str:
    """sha256 over the files' names and bytes, in order; progress in bytes."""
    total = sum(path.stat().st_size for path in files)
    digest = hashlib.sha256()
    done = 0
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" if len(files) > 1 else b"")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                report(ImportProgress("hashing", done, total))
    return digest.hexdigest()
