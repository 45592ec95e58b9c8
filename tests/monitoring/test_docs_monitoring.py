"""The worked examples of docs/monitoring.md are what the engines produce."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from gainshare.domain.money import Money
from gainshare.domain.monitoring import PointType, SpcOptions
from gainshare.engines.adjustments import difference_transaction, distribution_difference, recipient_amounts
from gainshare.engines.distribution import distribute
from gainshare.engines.forecast import forecast_outturn
from gainshare.engines.payments import payment_schedule, revise_schedule, true_up
from gainshare.engines.referrals import monthly_statements
from gainshare.engines.spc import observations, xmr_chart
from tests.monitoring.test_distribution import POLICY, PRACTICES
from tests.monitoring.test_payments import QUARTERLY
from tests.monitoring.test_referrals import ITEMS

TEXT = (Path(__file__).resolve().parents[2] / "docs" / "monitoring.md").read_text()


def test_spc_example() -> None:
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    chart = xmr_chart(observations([str(i) for i in range(18)], data))
    [limits] = chart.segments
    assert f"{limits.lower_process_limit:.2f}".replace("-", "−") in TEXT
    assert f"**−0.72 and {limits.upper_process_limit:.2f}**" in TEXT
    assert chart.points[4].point_type is PointType.IMPROVEMENT
    [unscreened] = xmr_chart(
        observations([str(i) for i in range(18)], data), SpcOptions(screen_outliers=False)
    ).segments
    assert f"{unscreened.upper_process_limit:.2f}" in TEXT


def test_forecast_example() -> None:
    forecast = forecast_outturn([Money.from_pounds(v) for v in (10, 14, 12, 16)], months_in_year=6)
    assert f"**{forecast.outturn}**" in TEXT
    assert f"£{forecast.standard_error / 100:.2f}" in TEXT


def test_payments_example() -> None:
    first = payment_schedule(QUARTERLY, Money.from_pounds(100_000))
    revised = revise_schedule(first, QUARTERLY, Money.from_pounds(70_000), date(2025, 11, 1), "late data").schedule
    january, april = revised.instalments[2:]
    assert f"**{january.amount.format()[:-3]}**" in TEXT and f"**{april.amount.format()[:-3]}**" in TEXT
    assert true_up(Money.from_pounds(60_000), revised).amount == Money.from_pounds(4_000)


def test_distribution_example() -> None:
    result = distribute("FED", "2025-26", Money.parse("100000.01"), PRACTICES, POLICY)
    for line in result.lines:
        assert f"**{line.amount}**" in TEXT
    assert POLICY.top_slice == Decimal("0.10")


def test_referral_example() -> None:
    may = monthly_statements(ITEMS)[0]
    for practice in ("A81001", "A81002", "A81003"):
        assert f"**{abs(may.statement_of(practice).net)}**" in TEXT


def test_adjustment_example() -> None:
    posted = distribute("FED", "2025-26", Money.parse("100000.01"), PRACTICES, POLICY)
    now = distribute("FED", "2025-26", Money.parse("96000.00"), PRACTICES, POLICY)
    difference = distribution_difference(recipient_amounts(posted.lines), now)
    for line in difference.lines:
        assert f"**{line.amount}**" in TEXT
    assert difference.share == Money.parse("-4000.01") == difference.total()
    for line in now.lines:
        assert str(line.amount) in TEXT
    accounts = ("ICB:net-saving", "FED:gain-share-due", "ICB:retained-saving")
    before = dict(zip(accounts, map(Money.parse, ("-250000.02", "100000.01", "150000.01")), strict=True))
    after = dict(zip(accounts, map(Money.parse, ("-240000.00", "96000.00", "144000.00")), strict=True))
    transaction = difference_transaction("agreement/1/period/2025-26/adjustment/1", "adjustment 1", before, after)
    assert transaction is not None
    for posting in transaction.postings:
        assert f"| {posting.account} | " in TEXT and f"**{posting.amount}** |" in TEXT
