"""Activity services wired to a backend chosen by configuration: DuckDB (embedded, the default) or PySpark."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gainshare.adapters.activity.backends import Backend
from gainshare.adapters.activity.duckdb_store import DuckDBActivityStore
from gainshare.adapters.activity.ibis_pipeline import IbisActivityPipeline
from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.domain.agreement import Agreement
from gainshare.services.activity import ActivityService
from gainshare.services.ports import ActivityPipeline


class AgreementFiles:
    def load(self, location: str) -> Agreement:
        return load_agreement(Path(location))


@contextmanager
def activity_service(
    store: Path, backend: Backend = Backend.DUCKDB, *, create: bool = False, parquet: Path | None = None
) -> Iterator[ActivityService]:
    """The activity service over the store at a path; the pipeline runs on the chosen backend.

    With PySpark, the pipeline reads `parquet` (a dataset of aggregated activity) or, without it, a snapshot
    of the store's activity written to a temporary Parquet file.
    """
    with DuckDBActivityStore(store, create=create) as duck, tempfile.TemporaryDirectory() as scratch:
        pipeline: ActivityPipeline
        if backend is Backend.PYSPARK:
            from gainshare.adapters.activity.spark_backend import SparkActivity, local_session  # noqa: PLC0415

            if parquet is None:
                parquet = Path(scratch) / "activity.parquet"
                duck.export_parquet(parquet)
            pipeline = SparkActivity(local_session(), parquet).pipeline()
        else:
            pipeline = IbisActivityPipeline(duck.activity_table)
        yield ActivityService(duck, pipeline, AgreementFiles())
