"""The one composition root: adapters wired into services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.figures_file import load_figures
from gainshare.domain.agreement import Agreement
from gainshare.domain.figures import Figures
from gainshare.services.agreements import AgreementService
from gainshare.services.settlements import SettlementService


class FileAgreements:
    def load(self, location: str) -> Agreement:
        return load_agreement(Path(location))


class FileFigures:
    def load(self, location: str) -> Figures:
        return load_figures(Path(location))


@dataclass(frozen=True)
class Services:
    agreements: AgreementService
    settlements: SettlementService


def build_services() -> Services:
    agreements = FileAgreements()
    return Services(AgreementService(agreements), SettlementService(agreements, FileFigures()))
