"""Jinja2 templates shipped as package data (reports/templates/), with the formatting helpers as filters."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gainshare.reports import formatting


@functools.cache
def environment() -> Environment:
    """One autoescaping environment; undefined names in a template are errors, not blanks."""
    env = Environment(
        loader=PackageLoader("gainshare.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=formatting.money,
        signed_money=formatting.signed_money,
        exact_pounds=formatting.exact_pounds,
        rate=formatting.rate,
        quantity=formatting.quantity,
        long_date=formatting.long_date,
        timestamp=formatting.timestamp,
    )
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered to a self-contained HTML string (styles inline; no scripts, fonts or images fetched)."""
    return environment().get_template(template).render(**context)
