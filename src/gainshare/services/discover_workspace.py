"""Discover in the shared workspace: each organisation may have a Discover dataset (its practices' hospital activity
and list sizes). A user sees the datasets of the organisations they belong to and of the other party of every
agreement they can read; anything else is "not found", the same answer as for a dataset that does not exist.

The datasets come through the DiscoverDatasets port (adapters.discover_datasets reads them from folders under the
data folder; `demo run` writes the demo federation's there). The calculations are DiscoverService's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from gainshare.domain.errors import NotFoundError
from gainshare.domain.opportunity import GREEN_BOOK_DISCOUNT_RATE
from gainshare.services.discover import (
    DiscoverInputs,
    DiscoverService,
    OpportunityPack,
    OpportunityReport,
    PracticeTrend,
    VariationReport,
)
from gainshare.services.ports import Organisation
from gainshare.services.workspace import Actor, WorkspaceService

DEFAULT_TERM_YEARS = 3


@dataclass(frozen=True, slots=True)
class DiscoverDataset:
    """An organisation's activity and list sizes, with the period to analyse already chosen in `inputs`."""

    ods_code: str
    description: str  # where the data came from, in words (shown on every page and in the pack)
    inputs: DiscoverInputs


class DiscoverDatasets(Protocol):
    def find(self, ods_code: str) -> DiscoverDataset | None:
        """The organisation's dataset, or None when it has none."""
        ...


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    organisation: Organisation
    dataset: DiscoverDataset


@dataclass(frozen=True, slots=True)
class DiscoverOverview:
    entry: DatasetEntry
    opportunity: OpportunityReport
    funnels: tuple[VariationReport, ...]  # each appraised service line, in rank order


@dataclass(frozen=True, slots=True)
class FunnelView:
    entry: DatasetEntry
    service_name: str
    report: VariationReport


@dataclass(frozen=True, slots=True)
class TrendView:
    entry: DatasetEntry
    service_name: str
    trend: PracticeTrend


class DiscoverWorkspace:
    """Discover's use cases for a signed-in user, scoped to the organisations they may see."""

    def __init__(
        self,
        workspace: WorkspaceService,
        datasets: DiscoverDatasets,
        discover: DiscoverService,
        term_years: int = DEFAULT_TERM_YEARS,
        discount_rate: Decimal = GREEN_BOOK_DISCOUNT_RATE,
    ) -> None:
        self._workspace = workspace
        self._datasets = datasets
        self._discover = discover
        self.term_years = term_years
        self.discount_rate = discount_rate

    def available(self, actor: Actor) -> list[DatasetEntry]:
        """The datasets the actor may see, by organisation name."""
        found = []
        for organisation in self._visible(actor):
            dataset = self._datasets.find(organisation.ods_code)
            if dataset is not None:
                found.append(DatasetEntry(organisation, dataset))
        return sorted(found, key=lambda item: item.organisation.name)

    def overview(self, actor: Actor, ods_code: str) -> DiscoverOverview:
        """The services ranked by NPV, and each one's variation between practices."""
        pack = self.pack(actor, ods_code)
        return DiscoverOverview(self.entry(actor, ods_code), pack.opportunity, pack.variations)

    def funnel(self, actor: Actor, ods_code: str, service_line: str) -> FunnelView:
        entry = self.entry(actor, ods_code)
        report = self._discover.variation(entry.dataset.inputs, service_line)
        return FunnelView(entry, self._name(service_line), report)

    def trend(self, actor: Actor, ods_code: str, service_line: str, practice_code: str) -> TrendView:
        entry = self.entry(actor, ods_code)
        trend = self._discover.trend(entry.dataset.inputs, service_line, practice_code)
        return TrendView(entry, self._name(service_line), trend)

    def pack(self, actor: Actor, ods_code: str) -> OpportunityPack:
        entry = self.entry(actor, ods_code)
        return self._discover.pack(
            entry.dataset.inputs,
            title=f"Opportunity pack: {entry.organisation.name}",
            source=entry.dataset.description,
            term_years=self.term_years,
            discount_rate=self.discount_rate,
        )

    def entry(self, actor: Actor, ods_code: str) -> DatasetEntry:
        """The dataset of one organisation the actor may see; NotFoundError otherwise (or when it has none)."""
        wanted = ods_code.strip().upper()
        organisation = next((o for o in self._visible(actor) if o.ods_code.upper() == wanted), None)
        dataset = self._datasets.find(organisation.ods_code) if organisation is not None else None
        if organisation is None or dataset is None:
            raise NotFoundError(f"there is no Discover dataset for {ods_code!r} that you can see")
        return DatasetEntry(organisation, dataset)

    def _name(self, service_line: str) -> str:
        found = self._discover.catalogue().get(service_line)
        return found.name if found is not None else service_line

    def _visible(self, actor: Actor) -> list[Organisation]:
        """The actor's organisations and the parties of every agreement the actor can read."""
        found = {o.id: o for o in self._workspace.my_organisations(actor)}
        for agreement in self._workspace.list_agreements(actor):
            for organisation in self._workspace.parties(actor, agreement.id):
                found.setdefault(organisation.id, organisation)
        return list(found.values())
