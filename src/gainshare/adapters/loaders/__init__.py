"""Loaders for published NHS file formats and activity extracts.

Each loader reads one format, checks every value, and either returns typed values (or, for activity, a pyarrow
Table with a fixed schema) or raises InvalidInputError with Issues naming file, row and column. Nothing is
returned half-way.
"""
