"""The activity pipeline on PySpark: the same Ibis expressions over activity held as Parquet.

For data that outgrows one machine (national, multi-year): point Spark at a Parquet dataset of aggregated
activity (the store's columns; `DuckDBActivityStore.export_parquet` writes one) and run the IbisActivityPipeline
on it. Locally, Spark runs in local mode with the machine's Java (17 for pyspark 4.0).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from gainshare.adapters.activity.ibis_pipeline import IbisActivityPipeline

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

VIEW = "gainshare_activity"


def local_session(
    cores: int = 1, shuffle_partitions: int = 2, local_ip: str = "127.0.0.1", log_level: str = "ERROR"
) -> SparkSession:
    """A quiet local-mode SparkSession: local[cores], few shuffle partitions, no UI, bound to the loopback.

    Spark's launcher reads SPARK_LOCAL_IP from the process environment, so it is set here (unless already
    set) before the JVM starts.
    """
    from pyspark.sql import SparkSession  # noqa: PLC0415 - pyspark is an optional extra, and slow to import

    os.environ.setdefault("SPARK_LOCAL_IP", local_ip)
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("gainshare")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(cores))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", local_ip)
        .config("spark.driver.host", local_ip)
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel(log_level)
    return session


class SparkActivity:
    """Aggregated activity in Parquet, as an Ibis table on a SparkSession."""

    def __init__(self, session: SparkSession, parquet: Path, view: str = VIEW) -> None:
        self._session = session
        self._parquet = parquet
        self._view = view
        self._table: ir.Table | None = None

    def table(self) -> ir.Table:
        if self._table is None:
            self._session.read.parquet(str(self._parquet)).createOrReplaceTempView(self._view)
            self._table = ibis.pyspark.connect(self._session).table(self._view)
        return self._table

    def pipeline(self) -> IbisActivityPipeline:
        return IbisActivityPipeline(self.table)
