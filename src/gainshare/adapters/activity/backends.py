"""Where the activity pipeline runs (a light module: the CLI names the choices without loading the engines)."""

from __future__ import annotations

from enum import Enum


class Backend(Enum):
    DUCKDB = "duckdb"  # embedded, the default
    PYSPARK = "pyspark"  # Spark in local mode here; a cluster where a user outgrows one machine
