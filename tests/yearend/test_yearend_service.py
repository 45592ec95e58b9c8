"""Monitor, settle and distribute through the services, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gainshare.adapters.figures_file import load_figures
from gainshare.domain.distribution import Basis, PracticeMeasures
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.figures import Figures
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.engines.plan import PlanBasis
from gainshare.services.access import readable
from gainshare.services.yearend import DistributionTerms
from tests.persistence.test_concurrency import THREADS, _race
from tests.yearend.conftest import EXAMPLES, HOSPITAL, MONTHS, World, actuals_csv, year_of_actuals

PRACTICES = [PracticeMeasures("Z00001", Decimal(8000)), PracticeMeasures("Z00002", Decimal(12000))]
SPLIT = DistributionTerms(Decimal("0.10"), ((Basis.WEIGHTED_LIST, Decimal(1)),))


def _balanced(world: World) -> dict[str, Money]:
    balances = world.workspace.ledger_balances(world.finance, world.agreement)
    assert sum(amount.pence for amount in balances.values()) == 0
    return balances


def test_a_bad_row_writes_nothing(world: World) -> None:
    content = actuals_csv([("2025-04", "anticoag", "Z00001", 70, 40, 30), ("2025-13", "nope", "Z09999", 1, -2, 3)])
    with pytest.raises(InvalidInputError) as raised:
        world.monitoring.upload_actuals(world.manager, world.agreement, "bad.csv", content)
    assert {(i.source.row, i.source.column) for i in raised.value.issues} == {(3, "month"), (3, "hospital_activity")}
    unknown = actuals_csv([("2025-04", "anticoag", "Z00001", 70, 40, 30), ("2025-05", "nope", "Z09999", 1, 2, 3)])
    with pytest.raises(InvalidInputError) as raised:
        world.monitoring.upload_actuals(world.manager, world.agreement, "bad.csv", unknown)
    assert {(i.code, i.source.row) for i in raised.value.issues} == {("actuals.scheme", 3), ("actuals.practice", 3)}
    assert world.monitoring.actuals(world.manager, world.agreement) == []
    assert world.workspace.list_uploads(world.manager, world.agreement) == []


def test_actuals_against_baseline_and_plan(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals(MONTHS[:2]))
    rows = world.monitoring.performance(world.finance, world.agreement)
    april = next(r for r in rows if (r.scheme, r.practice, r.month) == ("anticoag", "", "2025-04"))
    # 140 baseline units x 1.012 list growth x GBP 34.00 x 1.014 price factor; 80 hospital units; 60 hub units
    assert (april.baseline_activity, april.hospital_activity, april.hub_activity) == (140, 80, 60)
    assert april.baseline_cost == Money(round(140 * Decimal("1.012") * 3400 * Decimal("1.014")))
    assert april.hospital_cost == Money(round(80 * 3400 * Decimal("1.014")))
    assert april.hub_cost == Money(60 * 2150)
    # the example plans GBP 60,000 for anticoag in 2025-26: GBP 5,000 a month, spread evenly (no monthly plans)
    assert (april.plan_saving, april.plan_basis) == (Money(500_000), PlanBasis.STATED)
    assert april.variance == april.net_saving - april.plan_saving
    practice = [r for r in rows if (r.scheme, r.practice, r.month) == ("anticoag", "Z00001", "2025-04")]
    assert practice[0].hospital_activity == 40
    shares = [r.plan_saving for r in rows if (r.scheme, r.month) == ("anticoag", "2025-04") and r.practice]
    assert sum(p.pence for p in shares if p is not None) == 500_000  # practices' parts add up to the scheme's


def test_a_revised_month_reports_what_moved_and_why(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    before = world.yearend.reconcile(world.finance, world.agreement, "2025-26")
    late = actuals_csv([("2025-06", "anticoag", "Z00002", 70, 55, 20)])
    reports = world.yearend.revise(world.manager, world.agreement, "late.csv", late)
    assert [r.period for r in reports] == ["2025-26"]
    report = reports[0]
    assert report.before == before.settlement
    assert report.upload.revisions[0].before.hospital_activity == 39
    moved = {(c.code, c.scheme): c for c in report.changes}
    actual = moved[("cost.actual", "anticoag")]
    units = 2 * sum(HOSPITAL)  # anticoag hospital units in the year, both practices, before the revision
    price = 3400 * Decimal("1.014")
    assert (actual.before, actual.after) == (Money(round(units * price)), Money(round((units + 16) * price)))
    assert moved[("cost.provision", "anticoag")].change == Money(-10 * 2150)
    assert "hospital activity 39 -> 55" in actual.why
    assert ("cost.actual", "joint-injections") not in moved
    assert moved[("saving.total", None)].after == report.after.net_saving
    assert report.after == world.yearend.reconcile(world.finance, world.agreement, "2025-26").settlement
    actions = [e.action for e in world.workspace.audit_trail(world.finance, world.agreement)]
    assert actions.count("actuals.revised") == 1 and actions.count("settlement.recalculated") == 1
    history_cells = world.monitoring.actuals(world.finance, world.agreement)
    assert len(history_cells) == 48  # the superseded row is kept, not counted as current


def test_payments_on_account_then_year_end_true_up_and_distribution(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "h1.csv", year_of_actuals(MONTHS[:6]))
    draw = world.monitoring.draw_schedule(world.finance, world.agreement, "2025-26", date(2025, 10, 1), "mid-year")
    first = draw.record.instalments[0]
    assert first.amount == Money(round(draw.forecast.provider_share.pence * Decimal("0.25")))
    paid = world.monitoring.pay_instalment(world.finance, world.agreement, "2025-26", first.due)
    again = world.monitoring.pay_instalment(world.finance, world.agreement, "2025-26", first.due)
    assert (paid.already_paid, again.already_paid, again.payment) == (False, True, paid.payment)

    world.monitoring.upload_actuals(world.manager, world.agreement, "h2.csv", year_of_actuals())
    reconciliation = world.yearend.reconcile(world.finance, world.agreement, "2025-26")
    share = dict(reconciliation.settlement.shares)["FED"]
    assert reconciliation.paid_on_account == first.amount
    assert reconciliation.true_up == share - first.amount

    posted = world.yearend.post_year_end(world.manager, world.agreement, 1, "2025-26", PRACTICES, SPLIT)
    assert not posted.already_posted
    lines = {line.recipient: line.amount for line in posted.distribution.lines}
    assert sum(lines.values(), Money(0)) == share
    assert lines["Frailty hub"] == Money(round(share.pence * Decimal("0.4")))
    assert lines["Z00002"] > lines["Z00001"]
    balances = _balanced(world)
    assert balances["FED:paid-on-account"] == first.amount
    assert balances["Z00001:gain-share"] == lines["Z00001"]
    assert balances["FED:gain-share-due"] == share


def test_year_end_posts_exactly_once_on_reruns_and_races(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    outcomes = []

    def post() -> None:
        outcomes.append(world.yearend.post_year_end(world.manager, world.agreement, 1, "2025-26", PRACTICES, SPLIT))

    wins, failures = _race(post)
    assert (wins, failures) == (THREADS, [])
    assert [o.already_posted for o in outcomes].count(False) == 1
    assert len({o.settlement.id for o in outcomes}) == 1
    rerun = world.yearend.post_year_end(world.finance, world.agreement, 1, "2025-26", PRACTICES, SPLIT)
    assert rerun.already_posted
    keys = [tx.key for tx in _transactions(world)]
    assert len(keys) == len(set(keys)) == len(rerun.transaction_keys) == 4
    assert len(world.workspace.list_settlements(world.finance, world.agreement)) == 1
    _balanced(world)
    with pytest.raises(ConflictError):  # the workspace's own settlement path shares the keys
        world.workspace.post_settlement(world.manager, world.agreement, 1, _figures(), "2025-26")


def _transactions(world: World) -> list[Transaction]:
    with world.workspace.units() as uow:
        readable(uow, world.finance, world.agreement)
        return uow.ledger.transactions(world.agreement)


def _figures() -> Figures:
    return load_figures(EXAMPLES / "figures.yaml")


def test_a_special_cause_signal_is_notified_once(world: World) -> None:
    spike = [40, 43, 38, 42, 39, 44, 37, 41, 95, 40]
    first = world.monitoring.upload_actuals(
        world.manager, world.agreement, "a.csv", year_of_actuals(MONTHS[:10], spike)
    )
    signals = {(n.scheme, n.practice, n.rule, n.month) for n in first.notifications}
    assert ("anticoag", "", "outside-limits", "2025-12") in signals
    assert ("anticoag", "Z00001", "outside-limits", "2025-12") in signals
    same = world.monitoring.upload_actuals(world.manager, world.agreement, "a.csv", year_of_actuals(MONTHS[:10], spike))
    later = world.monitoring.upload_actuals(
        world.manager, world.agreement, "b.csv", year_of_actuals(MONTHS[:11], [*spike, 40])
    )
    assert same.notifications == () and same.revisions == () and same.unchanged == 40
    assert later.notifications == ()
    listed = world.monitoring.notifications(world.viewer, world.agreement)
    assert len(listed) == len(first.notifications) and not any(n.read for n in listed)
    world.monitoring.mark_read(world.viewer, world.agreement, listed[0].id)
    assert world.monitoring.notifications(world.viewer, world.agreement)[0].read
    assert not world.monitoring.notifications(world.manager, world.agreement)[0].read
    chart = world.monitoring.spc(world.finance, world.agreement, "anticoag", "Z00001")
    assert [s.count for s in chart.segments] == [11, 11]  # baseline months of the term months so far, then the term
    assert chart.points[11].label == "2025-04" and chart.points[10].label == "2025-02"


def test_referral_statements_are_netted_and_posted_once(world: World) -> None:
    items = (
        b"referring_practice,providing_practice,month,items,price_per_item\n"
        b"Z00002,Z00001,2025-05,12,35.00\nZ00003,Z00001,2025-05,4,35.00\nZ00001,Z00002,2025-05,3,22.50\n"
    )
    assert world.yearend.upload_referrals(world.manager, world.agreement, "ref.csv", items) == 3
    posted = world.yearend.post_referrals(world.manager, world.agreement, "2025-05")
    again = world.yearend.post_referrals(world.finance, world.agreement, "2025-05")
    assert {s.practice: s.net for s in posted.statements} == {
        "Z00001": Money(49_250),
        "Z00002": Money(-35_250),
        "Z00003": Money(-14_000),
    }
    assert (posted.already_posted, again.already_posted, again.statements) == (False, True, posted.statements)
    assert _balanced(world)["FED:referral-clearing"] == Money(0)
    with pytest.raises(ConflictError, match="issued already"):
        world.yearend.upload_referrals(world.manager, world.agreement, "ref.csv", items)


def test_another_organisation_cannot_read_or_change(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    outsider, agreement = world.outsider, world.agreement
    attempts = [
        lambda: world.monitoring.actuals(outsider, agreement),
        lambda: world.monitoring.performance(outsider, agreement),
        lambda: world.monitoring.spc(outsider, agreement, "anticoag"),
        lambda: world.monitoring.notifications(outsider, agreement),
        lambda: world.monitoring.forecast(outsider, agreement, "2025-26"),
        lambda: world.monitoring.upload_actuals(outsider, agreement, "x.csv", year_of_actuals(MONTHS[:1])),
        lambda: world.monitoring.draw_schedule(outsider, agreement, "2025-26", date(2025, 10, 1), "x"),
        lambda: world.yearend.reconcile(outsider, agreement, "2025-26"),
        lambda: world.yearend.post_year_end(outsider, agreement, 1, "2025-26", PRACTICES, SPLIT),
        lambda: world.yearend.post_referrals(outsider, agreement, "2025-05"),
        lambda: world.monitoring.upload_actuals(world.viewer, agreement, "x.csv", year_of_actuals(MONTHS[:1])),
        lambda: world.yearend.post_year_end(world.viewer, agreement, 1, "2025-26", PRACTICES, SPLIT),
    ]
    for attempt in attempts:
        with pytest.raises(ForbiddenError):
            attempt()
    assert world.workspace.list_settlements(world.finance, agreement) == []
    assert len(world.monitoring.actuals(world.viewer, agreement)) == 48


def test_the_forecast_to_date_is_what_the_statement_settles(world: World) -> None:
    """Priced row by row, the months' sum differs from the statement (rounded once per line) by pennies; the
    forecast is anchored on the statement's figure, so with every month in, both say the same."""
    world.monitoring.upload_actuals(world.manager, world.agreement, "h1.csv", year_of_actuals(MONTHS[:6]))
    half = world.monitoring.forecast(world.finance, world.agreement, "2025-26")
    so_far = world.yearend.reconcile(world.finance, world.agreement, "2025-26").settlement
    assert half.net_saving.to_date == so_far.net_saving + half.setup
    assert half.baseline.to_date == so_far.baseline_cost
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    whole = world.monitoring.forecast(world.finance, world.agreement, "2025-26")
    settlement = world.yearend.reconcile(world.finance, world.agreement, "2025-26").settlement
    assert whole.net_saving.outturn == whole.net_saving.lower == settlement.net_saving + whole.setup
    assert whole.provider_share == dict(settlement.shares)["FED"]
