"""The port for what the workspace knows about a federation's member practices beyond the agreement: where they
are, the activity each refers for a service, and their registered patients on a date.

The agreement names the member practices; it does not say where they are or how much each one refers. Those come
from files the federation holds (ODS practice lists, postcode directories, activity extracts) or, for the demo, from
the same generator that wrote the demo agreement and figures. Implementations: adapters/demo_practice_data.py.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from gainshare.domain.hubs import Demand, Site
from gainshare.domain.incentives import PatientCount


class PracticeData(Protocol):
    def sites(self, federation_code: str) -> tuple[Site, ...]:
        """The federation's member practices with their locations; empty when nothing is known about it."""
        ...

    def demand(self, federation_code: str, service_line: str) -> Demand | None:
        """Items per practice for a service over the last twelve months with data; None when there is none."""
        ...

    def patient_counts(self, federation_code: str, on: date) -> tuple[PatientCount, ...]:
        """Registered patients of each member practice as counted on the month of a date (empty: unknown)."""
        ...
