"""Report contexts and writers: JSON, tables, documents."""
