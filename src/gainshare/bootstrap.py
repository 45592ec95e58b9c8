"""The one composition root: adapters wired into services."""

from __future__ import annotations

import copy
import dataclasses
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from gainshare.adapters.agreement_file.loader import load_agreement, parse_agreement
from gainshare.adapters.catalogue import YamlCatalogueReader
from gainshare.adapters.demo_practice_data import DemoPracticeData
from gainshare.adapters.discover_datasets import FolderDiscoverDatasets, write_demo_dataset
from gainshare.adapters.figures_file import load_figures
from gainshare.adapters.incentives_file import YamlSchemeParser
from gainshare.adapters.monitoring_files import ActualsCsvDecoder, ReferralCsvDecoder
from gainshare.adapters.practice_datasets import ChainedPracticeData, FolderPracticeData
from gainshare.adapters.sql.migrate import upgrade
from gainshare.adapters.sql.passwords import Argon2PasswordHasher
from gainshare.adapters.sql.uow import SqlDatabase
from gainshare.adapters.uploaded_figures import FiguresFileDecoder, FolderUploadContents
from gainshare.domain.agreement import Agreement
from gainshare.domain.catalogue import ServiceCatalogue
from gainshare.domain.figures import Figures
from gainshare.engines.demo.agreement import agreement_document, figures_document
from gainshare.engines.demo.federation import DEFAULT_SEED, DemoFederation, DemoParameters, generate_federation
from gainshare.engines.demo.incentive_scheme import SCHEME_ID, incentive_document
from gainshare.reports.serialize import settlement_dict
from gainshare.services.accounts import AccountService
from gainshare.services.administration import AdministrationService
from gainshare.services.agreements import AgreementService
from gainshare.services.audit_log import AuditLogService
from gainshare.services.demo_incentives import DemoIncentiveDocuments, DemoIncentiveSeeder
from gainshare.services.demo_workspace import DemoDocuments, DemoSeed, DemoSeeder
from gainshare.services.discover import DiscoverService
from gainshare.services.discover_workspace import DiscoverWorkspace
from gainshare.services.figures_uploads import FiguresService
from gainshare.services.hub_design import HubDesignService
from gainshare.services.incentive_overview import IncentivePages
from gainshare.services.incentives import IncentiveService
from gainshare.services.monitoring import MonitoringService
from gainshare.services.negotiation_workspace import NegotiationWorkspace
from gainshare.services.ports import PasswordHasher
from gainshare.services.settlements import SettlementService
from gainshare.services.statement_signoff import StatementSignoffService
from gainshare.services.workspace import WorkspaceService
from gainshare.services.yearend import YearEndService


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


class TextAgreements:
    """Agreement versions' text parsed as agreement files; the last few parsed (immutable) agreements are kept."""

    def parse(self, text: str, name: str) -> Agreement:
        return _parse_cached(text, name)


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str, name: str) -> Agreement:
    return parse_agreement(text, name)


@dataclass(frozen=True)
class Workspace:
    """The shared workspace wired to a SQL database (and upload contents under the data folder)."""

    service: WorkspaceService
    figures: FiguresService
    database: SqlDatabase
    hub_design: HubDesignService  # practices and demand: the demo generator's, else data_folder/discover/<ODS>
    incentives: IncentiveService
    discover: DiscoverWorkspace  # Discover datasets under data_folder/discover (adapters/discover_datasets.py)
    data_folder: Path
    monitoring: MonitoringService  # monthly actuals, SPC, notifications, forecast, payments on account
    yearend: YearEndService  # reconciliation, year-end posting with the distribution, referral statements
    signoff: StatementSignoffService  # the settlement statement signed by both parties, then posted once

    @property
    def administration(self) -> AdministrationService:
        """Organisations, members and roles; new accounts get a random initial password, shown once."""
        return AdministrationService(self.database, self.service.passwords, self.service.clock, _initial_password)

    @property
    def accounts(self) -> AccountService:
        """A person's own account: changing their password."""
        return AccountService(self.database, self.service.passwords, self.service.clock)

    @property
    def audit_log(self) -> AuditLogService:
        return AuditLogService(self.database)

    @property
    def negotiation(self) -> NegotiationWorkspace:
        """The Negotiate page's service: the figures' ports, and the packaged service catalogue's costs as defaults."""
        return NegotiationWorkspace.from_figures(self.figures, packaged_catalogue())

    def close(self) -> None:
        self.database.dispose()


def _initial_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def build_workspace(
    database_url: str,
    data_folder: Path,
    *,
    passwords: PasswordHasher | None = None,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
) -> Workspace:
    """Migrate the database at database_url to the newest schema (unless told not to) and wire the services."""
    if migrate:
        upgrade(database_url)
    database = SqlDatabase(database_url)
    parser = TextAgreements()
    service = WorkspaceService(
        units=database,
        passwords=passwords or Argon2PasswordHasher(),
        parser=parser,
        statements=settlement_dict,
        clock=clock or _utc_now,
    )
    figures = FiguresService(service, FiguresFileDecoder(), FolderUploadContents(data_folder / "uploads"), parser)
    practices = ChainedPracticeData(DemoPracticeData(), FolderPracticeData(data_folder / DISCOVER_FOLDER))
    hub_design = HubDesignService(service, practices)
    incentives = IncentiveService(database, YamlSchemeParser(), clock or _utc_now)
    discover = DiscoverWorkspace(service, FolderDiscoverDatasets(data_folder / DISCOVER_FOLDER), discover_service())
    monitoring, yearend, signoff = _year(database, parser, clock or _utc_now)
    return Workspace(
        service, figures, database, hub_design, incentives, discover, data_folder, monitoring, yearend, signoff
    )


def _year(
    database: SqlDatabase, parser: TextAgreements, clock: Callable[[], datetime]
) -> tuple[MonitoringService, YearEndService, StatementSignoffService]:
    """Monitor, settle and distribute over the SQL unit of work, with the CSV decoders of adapters.monitoring_files."""
    monitoring = MonitoringService(database, parser, ActualsCsvDecoder(), clock)
    yearend = YearEndService(database, parser, settlement_dict, monitoring, ReferralCsvDecoder(), clock)
    return monitoring, yearend, StatementSignoffService(database, yearend, settlement_dict, clock)


DISCOVER_FOLDER = "discover"  # data_folder/discover/<ODS code>/dataset.json: an organisation's Discover dataset


def discover_service() -> DiscoverService:
    return DiscoverService(YamlCatalogueReader())


@functools.cache
def packaged_catalogue() -> ServiceCatalogue:
    """The service catalogue shipped with the package (gainshare/data/service_catalogue.yaml), read once."""
    return YamlCatalogueReader().load()


def _utc_now() -> datetime:
    return datetime.now(UTC)


DEMO_PASSWORD = "northvale-demo-password"  # documented, printed by `gainshare demo run`; local demo only


def demo_documents(seed: int = DEFAULT_SEED, federation: DemoFederation | None = None) -> DemoDocuments:
    """The demo generator's agreement (as version 1, and a 60:40 draft after it) and monthly figures, as text."""
    federation = federation or generate_federation(DemoParameters(seed=seed))
    agreement = agreement_document(federation)
    draft = copy.deepcopy(agreement)
    draft["sharing"]["gains"]["provider_share"] = "60%"
    figures = figures_document(federation)
    parties = {party["role"]: party for party in agreement["parties"]}
    return DemoDocuments(
        commissioner_ods=parties["commissioner"]["ods_code"],
        commissioner_name=parties["commissioner"]["name"],
        federation_ods=parties["provider"]["ods_code"],
        federation_name=parties["provider"]["name"],
        title=agreement["title"],
        agreement_text=_yaml(agreement),
        draft_text=_yaml(draft),
        figures_filename="demo-figures.yaml",
        figures=_yaml(figures).encode("utf-8"),
        first_period=next(iter(figures["periods"])),
    )


def seed_demo(workspace: Workspace, password: str = DEMO_PASSWORD, seed: int = DEFAULT_SEED) -> DemoSeed:
    """The demo organisations, users and agreement in the workspace (nothing is added twice), and the demo
    federation's activity and list sizes as its Discover dataset under the data folder."""
    federation = generate_federation(DemoParameters(seed=seed))
    documents = demo_documents(seed, federation)
    seeder = DemoSeeder(workspace.service, workspace.figures, password)
    seeded = seeder.seed(documents)
    write_demo_dataset(federation, workspace.data_folder / DISCOVER_FOLDER, documents.federation_ods)
    incentives = DemoIncentiveSeeder(workspace.service, workspace.incentives, workspace.hub_design.data, password)
    logins = incentives.seed(demo_incentive_documents(seed))
    return dataclasses.replace(seeded, logins=seeded.logins + logins)


def demo_incentive_documents(seed: int = DEFAULT_SEED) -> DemoIncentiveDocuments:
    """The demo's GBP 2.50 per patient scheme (engines/demo/incentive_scheme.py) as text, and what to seed with it."""
    federation = generate_federation(DemoParameters(seed=seed))
    document = incentive_document(federation)
    member = federation.practices[2]  # the practice the demo's clinical lead declared an interest in
    return DemoIncentiveDocuments(
        scheme_id=SCHEME_ID,
        scheme_text=_yaml(document),
        commissioner_ods=document["commissioner"]["ods_code"],
        commissioner_name=document["commissioner"]["name"],
        federation_ods=document["federation"]["ods_code"],
        snapshot=document["list_snapshot"],
        interest_in=member.code,
        interest_in_name=member.name,
    )


def _yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def incentive_pages(workspace: Workspace) -> IncentivePages:
    """The incentive pages' view of the workspace: schemes, schedules with the members' list sizes, decisions."""
    service = workspace.service
    return IncentivePages(workspace.incentives, service, workspace.hub_design.data, service.clock)
