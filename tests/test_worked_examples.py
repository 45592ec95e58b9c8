"""Worked examples as data: every folder under tests/examples/ is an agreement, its figures and the answer worked
out by hand (expected.yaml, explained in the folder's README.md). Each runs through the real file loaders and the
settlement service, and must match to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.figures_file import load_figures
from gainshare.domain.money import Money
from gainshare.domain.settlement import Settlement
from gainshare.services.settlements import settle_all

EXAMPLES = Path(__file__).resolve().parent / "examples"
CASES = sorted(path for path in EXAMPLES.iterdir() if path.is_dir()) if EXAMPLES.is_dir() else []
EXPECTED_KEYS = {"net_saving", "shares", "true_ups", "codes", "absent_codes"}


@dataclass(frozen=True)
class Expected:
    net_saving: Money
    shares: dict[str, Money]
    true_ups: dict[str, Money]
    codes: frozenset[str]
    absent_codes: frozenset[str]


def money(text: object, where: str) -> Money:
    assert isinstance(text, str), f"{where}: write money as a quoted string, not {text!r}"
    return Money.parse(text)


def parse_expected(folder: Path) -> dict[str, Expected]:
    path = folder / "expected.yaml"
    assert path.is_file(), f"{folder.name} has no expected.yaml: every worked example needs its hand-worked answer"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("periods"), dict), f"{path}: needs a 'periods' mapping"
    result: dict[str, Expected] = {}
    for period, raw in data["periods"].items():
        where = f"{path}: periods.{period}"
        assert isinstance(raw, dict), where
        unknown = set(raw) - EXPECTED_KEYS
        assert not unknown, f"{where}: unknown key(s) {sorted(unknown)}"
        result[str(period)] = Expected(
            net_saving=money(raw["net_saving"], f"{where}.net_saving"),
            shares={str(k): money(v, f"{where}.shares.{k}") for k, v in raw["shares"].items()},
            true_ups={str(k): money(v, f"{where}.true_ups.{k}") for k, v in (raw.get("true_ups") or {}).items()},
            codes=frozenset(raw.get("codes") or ()),
            absent_codes=frozenset(raw.get("absent_codes") or ()),
        )
    return result


def check(settlement: Settlement, expected: Expected) -> None:
    where = f"period {settlement.period}"
    assert settlement.net_saving == expected.net_saving, where
    assert dict(settlement.shares) == expected.shares, where
    assert sum(share.pence for _, share in settlement.shares) == settlement.net_saving.pence, where
    assert sum(share.pence for share in expected.shares.values()) == expected.net_saving.pence, (
        f"{where}: the hand-worked shares do not add up to the hand-worked net saving"
    )
    assert dict(settlement.true_ups) == expected.true_ups, where
    codes = {line.code for line in settlement.lines}
    assert expected.codes <= codes, f"{where}: missing step(s) {sorted(expected.codes - codes)}"
    assert not expected.absent_codes & codes, f"{where}: unexpected step(s) {sorted(expected.absent_codes & codes)}"


def test_there_are_worked_examples() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("folder", CASES, ids=[case.name for case in CASES])
def test_worked_example(folder: Path) -> None:
    expected = parse_expected(folder)
    for name in ("agreement.yaml", "figures.yaml", "README.md"):
        assert (folder / name).is_file(), f"{folder.name} has no {name}"
    result = settle_all(load_agreement(folder / "agreement.yaml"), load_figures(folder / "figures.yaml"))
    assert [s.period for s in result.settlements] == list(expected), "settled periods differ from expected.yaml"
    for settlement in result.settlements:
        check(settlement, expected[settlement.period])


def test_a_folder_without_expected_yaml_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"no expected\.yaml"):
        parse_expected(tmp_path)
