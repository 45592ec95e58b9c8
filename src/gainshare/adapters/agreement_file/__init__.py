"""The agreement file format (YAML or JSON): schema, loading and conversion to domain values."""
