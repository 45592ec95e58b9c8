"""The demo federation's member practices, their hub activity and their list sizes, for the demo federation only.

The demo generator (gainshare.engines.demo) makes the practices (synthetic codes, postcodes and coordinates), their
registered lists by month and their activity by service line and month, from one seed. `gainshare demo run` seeds
the workspace with the agreement and figures made from the same seed, so the pages can show the same practices on a
map: this adapter answers for the demo federation's ODS code and knows nothing about any other federation.

Demand for a hub layout is the practices' hub (out-of-hospital) activity for the service over the last twelve months
of the demo data: the items the hubs see.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from gainshare.domain.hubs import Demand, GeoPoint, Site
from gainshare.domain.incentives import PatientCount
from gainshare.engines.demo.agreement import FEDERATION_ODS
from gainshare.engines.demo.federation import DEFAULT_SEED, DemoFederation, DemoParameters, generate_federation

WINDOW_MONTHS = 12


class DemoPracticeData:
    """PracticeData (services/practice_data.py) for the demo federation made from `seed`."""

    def __init__(self, seed: int = DEFAULT_SEED, federation_code: str = FEDERATION_ODS) -> None:
        self.seed = seed
        self.federation_code = federation_code

    def sites(self, federation_code: str) -> tuple[Site, ...]:
        if not self._mine(federation_code):
            return ()
        return tuple(
            Site(p.code, p.name, p.postcode, GeoPoint(p.latitude, p.longitude)) for p in self._federation().practices
        )

    def demand(self, federation_code: str, service_line: str) -> Demand | None:
        if not self._mine(federation_code):
            return None
        federation = self._federation()
        lines = [line.id for line in federation.lines]
        if service_line not in lines:
            return None
        index = lines.index(service_line)
        window = slice(len(federation.months) - WINDOW_MONTHS, len(federation.months))
        hub = federation.activity.hub[:, index, window].sum(axis=1)
        items = {p.code: int(count) for p, count in zip(federation.practices, hub, strict=True)}
        months = tuple(f"{month.year:04d}-{month.month:02d}" for month in federation.months[window])
        return Demand(service_line, months, items)

    def patient_counts(self, federation_code: str, on: date) -> tuple[PatientCount, ...]:
        if not self._mine(federation_code):
            return ()
        federation = self._federation()
        wanted = date(on.year, on.month, 1)
        if wanted not in federation.months:
            return ()
        column = federation.months.index(wanted)
        return tuple(
            PatientCount(p.code, on, Decimal(int(size)))
            for p, size in zip(federation.practices, federation.list_sizes[:, column], strict=True)
        )

    def _mine(self, federation_code: str) -> bool:
        return federation_code.strip().upper() == self.federation_code

    def _federation(self) -> DemoFederation:
        return _generate(self.seed)


@functools.lru_cache(maxsize=4)
def _generate(seed: int) -> DemoFederation:
    return generate_federation(DemoParameters(seed=seed))
