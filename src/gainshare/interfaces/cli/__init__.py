"""The gainshare command line (Typer + Rich)."""
