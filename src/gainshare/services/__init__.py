"""Use cases: orchestrate engines and ports."""
