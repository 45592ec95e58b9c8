"""The whole demo federation from one seed: practices, lists, activity, hubs and planted outliers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.activity import Activity, ActivityParameters, generate_activity
from gainshare.engines.demo.calendar import month_starts
from gainshare.engines.demo.population import band_counts, band_shares, list_sizes
from gainshare.engines.demo.practices import Practice, PracticeParameters, generate_practices
from gainshare.engines.demo.services import SERVICE_LINES, ServiceLine

DEFAULT_SEED = 20240401


@dataclass(frozen=True, slots=True)
class DemoParameters:
    seed: int = DEFAULT_SEED
    practices: int = 30
    first_month: date = date(2023, 4, 1)
    months: int = 36
    activity: ActivityParameters = field(default_factory=ActivityParameters)

    def check(self) -> None:
        """ValueError when the parameters cannot make a federation with a baseline year and a settled year."""
        if self.seed < 0:
            raise ValueError(f"the seed must be zero or more, not {self.seed}")
        if self.first_month.day != 1:
            raise ValueError(f"the first month must be the first day of a month, not {self.first_month}")
        start = self.activity.scheme_start_index
        if start < 12:
            raise ValueError("the scheme must start at least 12 months in, so that there is a baseline year")
        if self.months - start < 12:
            raise ValueError("the data must run at least 12 months past the scheme start, so a year can be settled")

    @property
    def scheme_start(self) -> date:
        return month_starts(self.first_month, self.activity.scheme_start_index + 1)[-1]


@dataclass(frozen=True, slots=True)
class DemoFederation:
    parameters: DemoParameters
    months: tuple[date, ...]
    practices: tuple[Practice, ...]
    lines: tuple[ServiceLine, ...]
    band_shares: NDArray[np.float64]  # (P, 2, B)
    list_sizes: NDArray[np.int64]  # (P, M)
    band_counts: NDArray[np.int64]  # (P, M, 2, B)
    activity: Activity


def generate_federation(parameters: DemoParameters) -> DemoFederation:
    """The same parameters always give the same federation, value for value."""
    parameters.check()
    streams = [np.random.default_rng(child) for child in np.random.SeedSequence(parameters.seed).spawn(4)]
    months = month_starts(parameters.first_month, parameters.months)
    practice_parameters = PracticeParameters(count=parameters.practices, years=parameters.months / 12)
    practices = generate_practices(streams[0], practice_parameters)
    shares = band_shares(streams[1], practices)
    sizes = list_sizes(streams[2], practices, months)
    counts = band_counts(sizes, shares)
    activity = generate_activity(streams[3], practices, counts, SERVICE_LINES, months, parameters.activity)
    return DemoFederation(parameters, months, practices, SERVICE_LINES, shares, sizes, counts, activity)
