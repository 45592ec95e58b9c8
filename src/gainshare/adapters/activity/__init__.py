"""The activity store (DuckDB, embedded) and the activity pipeline (Ibis: DuckDB by default, PySpark to scale out)."""
