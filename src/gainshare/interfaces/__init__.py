"""Interfaces: the CLI, the JSON API and the web pages, over the same services."""
