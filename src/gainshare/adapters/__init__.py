"""Adapters: files, databases and engines outside the process, behind the services' ports."""
