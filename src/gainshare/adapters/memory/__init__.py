"""In-memory fakes for the ports: the same contracts as the real adapters, for fast tests and demos."""
