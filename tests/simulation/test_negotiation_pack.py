"""The negotiation pack (PDF and Excel) from the CLI, and the Negotiate page's inputs read and checked by field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.assumptions_file import load_assumptions
from gainshare.domain.assumptions import Fixed
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import SchemeFigures
from gainshare.domain.periods import month_period
from gainshare.interfaces.cli.main import app
from gainshare.services.negotiation import TermSet, compare_terms
from gainshare.services.negotiation_workspace import (
    NegotiationSetup,
    VersionTerms,
    analyse,
    default_inputs,
    form_values,
    history_of,
    read_inputs,
    to_assumptions,
)
from gainshare.services.ports import VersionStatus

EXAMPLES = Path(__file__).parents[2] / "examples"
AGREEMENT = EXAMPLES / "agreement.yaml"
ASSUMPTIONS = EXAMPLES / "negotiation" / "assumptions.yaml"
TERMS = EXAMPLES / "negotiation" / "terms-a.yaml"


def test_cli_writes_the_pack_as_pdf_and_excel(tmp_path: Path) -> None:
    pdf, xlsx = tmp_path / "pack.pdf", tmp_path / "pack.xlsx"
    args = ["negotiate", "pack", str(AGREEMENT), str(ASSUMPTIONS), str(TERMS), "--pdf", str(pdf), "--xlsx", str(xlsx)]
    result = CliRunner().invoke(app, [*args, "--scenarios", "2000", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "seed 5" in result.output and "Recommended:" in result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["Summary", "Term sets", "Frontier", "Assumptions"]
    header = next(book["Term sets"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[1:] == ("agreement.yaml (as agreed)", "terms-a.yaml")
    # the workbook's expected share is the service's, to the penny, for the same seed
    loaded = load_agreement(AGREEMENT)
    expected = compare_terms(
        loaded,
        load_assumptions(ASSUMPTIONS, loaded),
        [TermSet("a", loaded.sharing), TermSet("b", load_agreement(TERMS).sharing)],
        2000,
        5,
    )
    rows = {row[0]: row[1:] for row in book["Term sets"].iter_rows(min_row=3, values_only=True)}
    share = next(values for label, values in rows.items() if str(label).endswith(": expected share"))
    assert [Decimal(str(value)) for value in share] == [
        Decimal(summary.provider_share.mean).scaleb(-2) for _, summary in expected.rows
    ]
    sources = {row[0]: row[2] for row in book["Assumptions"].iter_rows(min_row=3, values_only=True)}
    assert sources["anticoag.baseline_activity"] == "monthly history in assumptions.yaml (12 months)"
    assert sources["anticoag.shift_share"] == "assumptions.yaml"
    assert sources["joint-injections.hospital_price"] == "assumptions.yaml"


def test_cli_pack_needs_an_output() -> None:
    result = CliRunner().invoke(app, ["negotiate", "pack", str(AGREEMENT), str(ASSUMPTIONS)])
    assert result.exit_code != 0


def _setup() -> NegotiationSetup:
    agreement = load_agreement(AGREEMENT)
    rows = [
        SchemeFigures(scheme.id, month_period(2025, month), Decimal(base), Decimal(base - 300), Decimal(300))
        for month in range(4, 13)
        for scheme, base in zip(agreement.schemes, (800 + month, 200 + month), strict=True)
    ]
    history = history_of("figures.csv", agreement, rows)
    base = VersionTerms(1, VersionStatus.SIGNED, agreement)
    return NegotiationSetup(1, base, (base,), history, default_inputs(base, history))


def test_defaults_come_from_the_monthly_history() -> None:
    setup = _setup()
    anticoag = setup.defaults.schemes[0].values
    assert anticoag["baseline_activity"].likely == Decimal(12 * 808)  # the mean of 804..812, a year of it
    assert "9 months of history in figures.csv" in anticoag["baseline_activity"].source
    assert anticoag["shift_share"].likely == Decimal("0.464")  # 300 / 808 in year one, over the 80% ramp-up
    assert read_inputs(setup, form_values(setup.defaults)) == setup.defaults


def test_bad_fields_are_named() -> None:
    setup = _setup()
    fields = form_values(setup.defaults)
    fields.update({"anticoag.shift_share.likely": "150%", "seed": "x", "alt0.cap": "lots"})
    with pytest.raises(InvalidInputError) as raised:
        read_inputs(setup, fields)
    named = {issue.source.clause for issue in raised.value.issues}
    assert named == {"anticoag.shift_share.likely", "seed", "alt0.cap"}


def test_a_run_compares_each_version_and_the_alternatives_on_the_same_seed() -> None:
    setup = _setup()
    inputs = read_inputs(setup, {**form_values(setup.defaults), "scenarios": "2000", "seed": "9"})
    results = analyse(setup, inputs)
    assert [name for name, _ in results.comparison.rows] == ["Version 1 (signed)", "Alternative A"]
    own = results.comparison.rows[0][1]
    assert own == results.simulation.summary  # the agreement's own terms: the same scenarios, the same numbers
    assumptions = to_assumptions(inputs, setup.base.agreement)
    assert assumptions.schemes[0].hospital_price == Fixed(3400.0)  # pounds -> pence
