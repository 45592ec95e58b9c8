"""The assumptions file and the simulate / compare / frontier commands, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.assumptions_file import assumptions_from_data, load_assumptions
from gainshare.domain.assumptions import Beta, Fixed, Normal
from gainshare.domain.errors import InvalidInputError
from gainshare.interfaces.cli.main import app

ROOT = Path(__file__).parents[2]
AGREEMENT = ROOT / "examples" / "agreement.yaml"
ASSUMPTIONS = ROOT / "examples" / "negotiation" / "assumptions.yaml"
runner = CliRunner()


def test_example_assumptions_load_with_defaults_from_history_and_the_agreement() -> None:
    agreement = load_agreement(AGREEMENT)
    assumptions = load_assumptions(ASSUMPTIONS, agreement)
    anticoag = assumptions.schemes[0]
    assert anticoag.scheme == "anticoag"
    assert isinstance(anticoag.baseline_activity, Fixed) and anticoag.baseline_activity.value == pytest.approx(9800)
    assert isinstance(anticoag.activity_growth, Normal) and anticoag.activity_growth.mean == pytest.approx(0.012)
    assert anticoag.hospital_price == Fixed(3400.0)  # pence, the agreement's price
    assert anticoag.out_of_hospital_cost == Normal(2150.0, 150.0, 1500.0, None)
    assert assumptions.schemes[1].shift_share == Beta(9, 16)
    assert assumptions.provider_costs.setup == Fixed(1_500_000.0)


def test_bad_assumptions_are_reported_with_where() -> None:
    agreement = load_agreement(AGREEMENT)
    data = {
        "gainshare_assumptions": 1,
        "schemes": {
            "anticoag": {"baseline_activity": 100, "shift_share": {"dist": "beta", "alpha": "x", "beta": 2}},
            "nope": {"baseline_activity": 1, "shift_share": 0.5},
        },
    }
    with pytest.raises(InvalidInputError) as caught:
        assumptions_from_data(data, "a.yaml", agreement)
    assert [issue.render() for issue in caught.value.issues] == [
        "a.yaml, schemes.anticoag.shift_share.alpha: 'x' is not a number"
    ]
    data["schemes"]["anticoag"]["shift_share"] = {"dist": "triangular", "low": 0.5, "mode": 0.2, "high": 0.9}  # type: ignore[index]
    with pytest.raises(InvalidInputError) as caught:
        assumptions_from_data(data, "a.yaml", agreement)
    messages = [issue.render() for issue in caught.value.issues]
    assert messages == ["a.yaml: scheme 'nope' is not in the agreement"]
    del data["schemes"]["nope"]  # type: ignore[attr-defined]
    data["correlations"] = [{"between": ["anticoag.shift_share", "anticoag.typo"], "rho": 0.5}]
    with pytest.raises(InvalidInputError) as caught:
        assumptions_from_data(data, "a.yaml", agreement)
    messages = [issue.render() for issue in caught.value.issues]
    assert "a.yaml, anticoag.shift_share: a triangular distribution needs low <= mode <= high" in messages
    assert "a.yaml: no assumptions for the agreement's scheme 'joint-injections'" in messages
    assert "a.yaml, correlations[0]: 'anticoag.typo' is not a variable of the assumptions" in messages


def test_simulate_json_is_reproducible_with_a_seed() -> None:
    args = ["simulate", str(AGREEMENT), str(ASSUMPTIONS), "--scenarios", "2000", "--seed", "7", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["seed"] == 7
    summary = data["summary"]
    assert isinstance(summary["provider_share"]["mean_pence"], int)
    assert summary["provider_share"]["mean_pence"] + summary["commissioner_retained"]["mean_pence"] == pytest.approx(
        summary["net_saving"]["mean_pence"], abs=1
    )
    assert data["tornado"]["bars"]
    assert json.loads(runner.invoke(app, args).output) == data


def test_simulate_tables_and_bad_files() -> None:
    result = runner.invoke(app, ["simulate", str(AGREEMENT), str(ASSUMPTIONS), "--scenarios", "500", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "What drives the outcome" in result.output
    missing = runner.invoke(app, ["simulate", str(AGREEMENT), "nowhere.yaml"])
    assert missing.exit_code == 1


def test_compare_puts_term_sets_side_by_side() -> None:
    terms = ROOT / "examples" / "negotiation"
    args = ["compare", str(AGREEMENT), str(ASSUMPTIONS), str(terms / "terms-a.yaml"), str(terms / "terms-b.yaml")]
    result = runner.invoke(app, [*args, "--scenarios", "2000", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    sets = json.loads(result.output)["term_sets"]
    assert [item["name"] for item in sets] == ["agreement.yaml (as agreed)", "terms-a.yaml", "terms-b.yaml"]
    assert len({item["net_saving"]["mean_pence"] for item in sets}) == 1  # the same scenarios
    tables = runner.invoke(app, [*args, "--scenarios", "500", "--seed", "2"])
    assert tables.exit_code == 0 and "terms-b.yaml" in tables.output


def test_frontier_recommends_a_feasible_point() -> None:
    args = ["frontier", str(AGREEMENT), str(ASSUMPTIONS), "--scenarios", "2000", "--seed", "3"]
    result = runner.invoke(app, [*args, "--shares", "30%:70%:10%", "--caps", "none,10%", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["points"]) == 5 * 5 * 2
    best = data["recommended"]
    assert best["feasible"] and best["efficient"]
    assert best["provider_loss_probability"] < 0.10
    assert best["provider_expected_share_pence"] >= data["constraints"]["provider_min_expected_share_pence"]
    impossible = runner.invoke(app, [*args, "--commissioner-min-retained", "10000000", "--json"])
    assert json.loads(impossible.output)["recommended"] is None
    tables = runner.invoke(app, [*args, "--shares", "40%,50%"])
    assert tables.exit_code == 0 and "Recommended" in tables.output
    bad = runner.invoke(app, [*args, "--shares", "10%:5%:1%"])
    assert bad.exit_code == 1
