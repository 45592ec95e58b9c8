"""The Negotiate page's defaults for the federation's own costs: from the service catalogue when the agreement's
schemes are catalogued service lines (saying so, and that an unsourced default is an assumption), else £0."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.catalogue import load_catalogue
from gainshare.bootstrap import build_workspace, packaged_catalogue
from gainshare.domain.agreement import Agreement
from gainshare.domain.catalogue import Evidence, ServiceCatalogue
from gainshare.services.negotiation_workspace import (
    Estimate,
    NegotiationSetup,
    VersionTerms,
    default_inputs,
    form_values,
    read_inputs,
)
from gainshare.services.ports import VersionStatus

AGREEMENT = Path(__file__).parents[2] / "examples" / "agreement.yaml"  # anticoag (set-up funding) and joint-injections
CATALOGUE = load_catalogue()  # anticoag: set-up £15,000, running £6,000; joint-injections: £5,000, £2,000


def _general(agreement: Agreement, catalogue: ServiceCatalogue | None) -> dict[str, Estimate]:
    return dict(default_inputs(VersionTerms(1, VersionStatus.SIGNED, agreement), None, catalogue).general)


def _unfunded(agreement: Agreement) -> Agreement:
    return dataclasses.replace(
        agreement, schemes=tuple(dataclasses.replace(s, setup_funding=None) for s in agreement.schemes)
    )


def test_running_costs_come_from_the_catalogue_and_say_it_is_an_assumption() -> None:
    running = _general(load_agreement(AGREEMENT), CATALOGUE)["provider.running_per_year"]
    assert (running.low, running.likely, running.high) == (Decimal("6400.00"), Decimal("8000.00"), Decimal("10400.00"))
    assert running.source.startswith("Service catalogue (gainshare/data/service_catalogue.yaml, 2024-25 prices)")
    assert "annual running costs of every scheme's service line (2), £8,000.00; -20% to +30%" in running.source
    assert running.source.endswith("an ASSUMPTION: the catalogue cites no source for it")


def test_set_up_costs_stay_with_the_set_up_funding_when_there_is_some() -> None:
    setup = _general(load_agreement(AGREEMENT), CATALOGUE)["provider.setup"]
    assert (setup.low, setup.likely, setup.high) == (Decimal("9600.00"), Decimal("12000.00"), Decimal("15600.00"))
    assert setup.source == "Set-up funding in version 1 (£12,000.00); -20% to +30%"


def test_without_set_up_funding_set_up_costs_come_from_the_catalogue() -> None:
    setup = _general(_unfunded(load_agreement(AGREEMENT)), CATALOGUE)["provider.setup"]
    assert (setup.low, setup.likely, setup.high) == (Decimal("16000.00"), Decimal("20000.00"), Decimal("26000.00"))
    assert "set-up costs of every scheme's service line (2), £20,000.00" in setup.source
    assert "ASSUMPTION" in setup.source


def test_without_a_catalogue_or_a_match_running_costs_are_zero_and_say_so() -> None:
    agreement = load_agreement(AGREEMENT)
    elsewhere = ServiceCatalogue(tuple(e for e in CATALOGUE if e.id not in {"anticoag", "joint-injections"}), "x.yaml")
    for catalogue in (None, elsewhere):
        general = _general(agreement, catalogue)
        running = general["provider.running_per_year"]
        assert (running.low, running.likely, running.high) == (Decimal(0), Decimal(0), Decimal(0))
        assert running.source == "Not known: enter the federation's own running costs"
        assert general["provider.setup"].source.startswith("Set-up funding in version 1")
    assert _general(_unfunded(agreement), None)["provider.setup"].likely == Decimal(0)


def test_a_partial_match_names_what_was_not_counted_and_which_defaults_are_sourced() -> None:
    anticoag = CATALOGUE.get("anticoag")
    assert anticoag is not None
    sourced = dataclasses.replace(
        anticoag, evidence={**anticoag.evidence, "annual_running_cost": Evidence("licences", "a published audit")}
    )
    running = _general(load_agreement(AGREEMENT), ServiceCatalogue((sourced,), "mine.yaml"))[
        "provider.running_per_year"
    ]
    assert running.likely == Decimal("6000.00")
    assert running.source == (
        "Service catalogue (mine.yaml): annual running costs of anticoag (not catalogued, so not counted: "
        "joint-injections), £6,000.00; -20% to +30%; each from a source the catalogue cites"
    )


def test_the_form_reads_back_the_catalogue_defaults_with_their_source() -> None:
    base = VersionTerms(1, VersionStatus.SIGNED, load_agreement(AGREEMENT))
    setup = NegotiationSetup(1, base, (base,), None, default_inputs(base, None, CATALOGUE))
    assert read_inputs(setup, form_values(setup.defaults)) == setup.defaults


def test_the_workspace_wires_the_packaged_catalogue_into_negotiation(tmp_path: Path) -> None:
    workspace = build_workspace(f"sqlite:///{tmp_path / 'workspace.db'}", tmp_path)
    try:
        assert workspace.negotiation.catalogue is packaged_catalogue()
        assert packaged_catalogue().get("anticoag") is not None
    finally:
        workspace.close()
