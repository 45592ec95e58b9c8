"""Hub design for an agreement in the workspace: which of its services, which member practices, their locations and
demand, the layout the optimiser chooses, its trade-off curve, and what pinning sites costs.

Reading is scoped like the agreement (WorkspaceService.get_agreement: ForbiddenError or NotFoundError for anyone the
agreement is not shared with). The agreement read is the latest signed version, or the latest version when none is
signed; its schemes are the services, its practice parties the members, and a scheme's out-of-hospital price per
item prices the referral flows between practices. Where the practices are and what each refers come from the
federation's PracticeData (services/practice_data.py). The optimiser is HubService (services/hubs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gainshare.domain.agreement import Agreement, Scheme
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import Capacity, Demand, Site
from gainshare.domain.issues import Issue, Source
from gainshare.domain.parties import PartyRole
from gainshare.services.hubs import HubInputs, HubReport, HubRequest, HubService, Method
from gainshare.services.ports import AgreementVersion, Organisation, VersionStatus
from gainshare.services.practice_data import PracticeData
from gainshare.services.workspace import Actor, WorkspaceService

DEFAULT_CURVE_TO = 8


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    id: str
    name: str
    items: int  # demand over the window; 0 when there is none


@dataclass(frozen=True, slots=True)
class HubOptions:
    """What the design form offers for an agreement."""

    agreement_id: int
    version_number: int
    version_signed: bool
    federation: Organisation
    services: tuple[ServiceChoice, ...]
    practices: tuple[Site, ...]  # members with a location (pin and exclude choices)

    @property
    def available(self) -> bool:
        return bool(self.practices) and any(choice.items for choice in self.services)


@dataclass(frozen=True, slots=True)
class HubDesignRequest:
    service_line: str
    hubs: int
    pinned: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    max_travel: float | None = None  # km
    per_session: int | None = None  # items one session sees, for sessions needed
    sessions_per_month: int | None = None  # a limit per hub makes the model capacitated (always exact)
    method: Method = Method.AUTO
    curve_to: int = DEFAULT_CURVE_TO


@dataclass(frozen=True, slots=True)
class PinCost:
    """The objective (items x travel) with the pinned sites and without them, everything else the same."""

    pinned: tuple[str, ...]
    with_pins: float
    without_pins: float | None  # None: no layout without the pins (cannot happen unless other limits bind)
    average_with: float
    average_without: float | None
    hubs_without: tuple[str, ...] = ()

    @property
    def extra(self) -> float | None:
        return None if self.without_pins is None else self.with_pins - self.without_pins

    @property
    def extra_share(self) -> float | None:
        if self.without_pins is None or self.without_pins <= 0:
            return None
        return (self.with_pins - self.without_pins) / self.without_pins


@dataclass(frozen=True, slots=True)
class HubDesign:
    options: HubOptions
    request: HubDesignRequest
    scheme: Scheme
    demand: Demand
    report: HubReport
    pin_cost: PinCost | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class HubDesignService:
    workspace: WorkspaceService
    data: PracticeData
    hubs: HubService = field(default_factory=HubService)

    def options(self, actor: Actor, agreement_id: int) -> HubOptions:
        version, agreement = self._agreement(actor, agreement_id)
        _, federation = self.workspace.parties(actor, agreement_id)
        practices = self._members(agreement, federation)
        services = []
        for scheme in agreement.schemes:
            demand = self.data.demand(federation.ods_code, scheme.id) if practices else None
            codes = {site.code for site in practices}
            items = sum(count for code, count in demand.items.items() if code in codes) if demand else 0
            services.append(ServiceChoice(scheme.id, scheme.name, items))
        signed = version.status is VersionStatus.SIGNED
        return HubOptions(agreement_id, version.number, signed, federation, tuple(services), practices)

    def design(self, actor: Actor, agreement_id: int, request: HubDesignRequest) -> HubDesign:
        """The layout for the request, the trade-off curve, and the cost of any pins; InvalidInputError for a
        request that cannot be met (naming the form field)."""
        options = self.options(actor, agreement_id)
        _, agreement = self._agreement(actor, agreement_id)
        scheme = _scheme(agreement, request.service_line)
        demand = self.data.demand(options.federation.ods_code, scheme.id)
        if demand is None or not options.practices:
            message = f"no practice locations or activity for {scheme.name} are known for {options.federation.name}"
            raise InvalidInputError([Issue("hubs.data", message, Source(clause="service"))])
        codes = {site.code for site in options.practices}
        demand = Demand(demand.service_line, demand.months, {c: n for c, n in demand.items.items() if c in codes})
        inputs = HubInputs(
            practices=options.practices,
            demand=demand,
            capacity=_capacity(request),
            price=scheme.provision_price,
        )
        hub_request = HubRequest(
            hubs=request.hubs,
            curve_to=min(request.curve_to, len(options.practices)),
            pinned=request.pinned,
            excluded=request.excluded,
            max_travel=request.max_travel,
            method=request.method,
        )
        report = self.hubs.plan(inputs, hub_request)
        pin_cost = self._pin_cost(inputs, hub_request, report) if request.pinned else None
        return HubDesign(options, request, scheme, demand, report, pin_cost)

    def _pin_cost(self, inputs: HubInputs, request: HubRequest, pinned: HubReport) -> PinCost | None:
        plan = pinned.plan
        if plan is None:
            return None
        try:
            free = self.hubs.plan(inputs, replace(request, pinned=(), curve_to=None)).plan
        except InvalidInputError:
            free = None
        return PinCost(
            pinned=request.pinned,
            with_pins=plan.objective,
            without_pins=free.objective if free else None,
            average_with=plan.average_travel,
            average_without=free.average_travel if free else None,
            hubs_without=free.hubs if free else (),
        )

    def _agreement(self, actor: Actor, agreement_id: int) -> tuple[AgreementVersion, Agreement]:
        versions = self.workspace.list_versions(actor, agreement_id)
        signed = [version for version in versions if version.status is VersionStatus.SIGNED]
        version = (signed or versions)[-1]
        return version, self.workspace.parser.parse(version.content, f"agreement {agreement_id} v{version.number}")

    def _members(self, agreement: Agreement, federation: Organisation) -> tuple[Site, ...]:
        sites = tuple(site for site in self.data.sites(federation.ods_code) if site.point is not None)
        named = {party.ods_code for party in agreement.parties if party.role is PartyRole.PRACTICE and party.ods_code}
        return tuple(site for site in sites if site.code in named) if named else sites


def _scheme(agreement: Agreement, scheme_id: str) -> Scheme:
    for scheme in agreement.schemes:
        if scheme.id == scheme_id:
            return scheme
    message = f"the agreement has no service {scheme_id!r}"
    raise InvalidInputError([Issue("hubs.service", message, Source(clause="service"))])


def _capacity(request: HubDesignRequest) -> Capacity | None:
    if request.per_session is None:
        if request.sessions_per_month is not None:
            message = "give the items one session sees as well as the sessions a month"
            raise InvalidInputError([Issue("hubs.capacity", message, Source(clause="per_session"))])
        return None
    try:
        return Capacity(request.per_session, request.sessions_per_month)
    except ValueError as error:
        raise InvalidInputError([Issue("hubs.capacity", str(error), Source(clause="per_session"))]) from None
