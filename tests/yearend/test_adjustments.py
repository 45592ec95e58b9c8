"""Prior-period adjustments of a posted year end, on memory, SQLite and PostgreSQL: a month revised after its
period was posted is adjusted by posting the difference, once, and nothing posted is rewritten."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from gainshare.adapters.memory.workspace import MemoryDatabase
from gainshare.domain.distribution import Basis, PracticeMeasures
from gainshare.domain.errors import ConflictError, ForbiddenError
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.reports.serialize import settlement_dict
from gainshare.services.access import readable
from gainshare.services.adjustments import Adjustment
from gainshare.services.ports import AdjustmentSection
from gainshare.services.statement_signoff import StatementSignoffService
from gainshare.services.yearend import DistributionTerms, YearEndPosting
from tests.persistence.conftest import StepClock
from tests.persistence.test_concurrency import THREADS, _race
from tests.yearend.conftest import World, actuals_csv, year_of_actuals

PERIOD = "2025-26"
PRACTICES = [
    PracticeMeasures("Z00001", Decimal(8000), score=Decimal("0.9")),
    PracticeMeasures("Z00002", Decimal(12001), score=Decimal("0.7")),
]
SPLIT = DistributionTerms(
    Decimal("0.10"),
    ((Basis.WEIGHTED_LIST, Decimal("0.5")), (Basis.ACTIVITY, Decimal("0.3")), (Basis.PERFORMANCE, Decimal("0.2"))),
)
LATE = actuals_csv([("2025-06", "anticoag", "Z00002", 70, 55, 20)])  # was hospital 39, hub 30
LATER = actuals_csv([("2025-09", "joint-injections", "Z00001", 70, 31, 41)])  # was hospital 38, hub 30


def _post(world: World) -> YearEndPosting:
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    return world.yearend.post_year_end(world.manager, world.agreement, 1, PERIOD, PRACTICES, SPLIT)


def _transactions(world: World) -> list[Transaction]:
    with world.workspace.units() as uow:
        readable(uow, world.finance, world.agreement)
        return uow.ledger.transactions(world.agreement)


def _balances(world: World) -> dict[str, Money]:
    balances = world.workspace.ledger_balances(world.finance, world.agreement)
    assert sum(amount.pence for amount in balances.values()) == 0
    return balances


def _pending(world: World) -> Adjustment:
    found = world.yearend.adjustment(world.finance, world.agreement, PERIOD)
    assert found is not None
    return found


def _differences(adjustment: Adjustment, section: AdjustmentSection) -> dict[str, Money]:
    return {line.name: line.difference for line in adjustment.section(section)}


def test_nothing_moved_means_nothing_to_post(world: World) -> None:
    assert world.yearend.adjustment(world.finance, world.agreement, PERIOD) is None  # not posted yet
    _post(world)
    assert world.yearend.adjustment(world.finance, world.agreement, PERIOD) is None
    same = year_of_actuals()  # the same figures again revise nothing
    world.yearend.revise(world.manager, world.agreement, "same.csv", same)
    assert world.yearend.adjustment(world.finance, world.agreement, PERIOD) is None
    with pytest.raises(ConflictError, match="nothing to adjust"):
        world.yearend.post_adjustment(world.manager, world.agreement, 1, PERIOD)
    assert world.yearend.adjustments(world.finance, world.agreement) == []


def test_a_month_revised_after_posting_is_adjusted_by_the_difference(world: World) -> None:
    posted = _post(world)
    before = _balances(world)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    now = world.yearend.reconcile(world.finance, world.agreement, PERIOD).settlement
    pending = _pending(world)
    assert (pending.number, pending.version) == (1, 1)
    assert pending.revisions == ("anticoag Z00002 2025-06: hospital activity 39 -> 55, hub activity 30 -> 20",)
    parties = _differences(pending, AdjustmentSection.PARTY)
    posted_shares = posted.settlement.statement["shares"]
    assert parties == {party: share - Money(posted_shares[party]["pence"]) for party, share in now.shares}
    assert parties["FED"] < Money(0)  # more hospital activity: a smaller saving to share
    moved = {(line.name, line.scheme) for line in pending.section(AdjustmentSection.LINE)}
    assert ("cost.actual", "anticoag") in moved and ("cost.actual", "joint-injections") not in moved
    recipients = _differences(pending, AdjustmentSection.RECIPIENT)
    assert sum(recipients.values(), Money(0)) == parties["FED"]  # to the penny
    assert recipients["Z00002"] != Money(0) and recipients["Z00001"] != Money(0)  # activity moved the weights too

    result = world.yearend.post_adjustment(world.manager, world.agreement, 1, PERIOD)
    base = f"agreement/{world.agreement}/period/{PERIOD}/adjustment/1"
    assert not result.already_posted and result.record.number == 1
    assert result.record.transaction_keys[0] == base
    assert {f"{base}/distribution/{kind}" for kind in ("practice", "project", "management")} <= set(
        result.record.transaction_keys
    )
    after = _balances(world)
    assert after["FED:gain-share-due"] == now.share_of("FED")
    assert after["FED:gain-share-due"] - before["FED:gain-share-due"] == parties["FED"]
    for practice in ("Z00001", "Z00002"):
        assert after[f"{practice}:gain-share"] - before[f"{practice}:gain-share"] == recipients[practice]
    keys = [tx.key for tx in _transactions(world)]
    assert keys[: len(posted.transaction_keys)] == list(posted.transaction_keys)  # nothing posted is rewritten
    assert world.yearend.adjustment(world.finance, world.agreement, PERIOD) is None
    original = world.yearend.posting(world.finance, world.agreement, PERIOD)
    assert original == replace(posted, already_posted=True)  # the original posting, unchanged
    audit = [e for e in world.workspace.audit_trail(world.finance, world.agreement) if e.action == "year_end.adjusted"]
    assert len(audit) == 1 and audit[0].details["parties"]["FED"] == parties["FED"].pence
    assert audit[0].details["recipients"]["Z00002"] == recipients["Z00002"].pence


def test_a_second_revision_is_adjusted_from_the_original_plus_the_first(world: World) -> None:
    _post(world)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    first = world.yearend.post_adjustment(world.manager, world.agreement, 1, PERIOD).record
    world.yearend.revise(world.manager, world.agreement, "later.csv", LATER)
    pending = _pending(world)
    assert pending.number == 2
    assert pending.revisions == ("joint-injections Z00001 2025-09: hospital activity 38 -> 31, hub activity 30 -> 41",)
    first_now = {line.name: line.now for line in first.section(AdjustmentSection.RECIPIENT)}
    assert {line.name: line.posted for line in pending.section(AdjustmentSection.RECIPIENT)} == first_now
    second = world.yearend.post_adjustment(world.finance, world.agreement, 1, PERIOD)
    assert second.record.number == 2
    assert second.record.transaction_keys[0].endswith("/adjustment/2")
    now = world.yearend.reconcile(world.finance, world.agreement, PERIOD).settlement
    balances = _balances(world)
    assert balances["FED:gain-share-due"] == now.share_of("FED")
    recipients = {
        line.name: line.now for line in second.record.section(AdjustmentSection.RECIPIENT) if line.now is not None
    }
    assert balances["Z00001:gain-share"] == recipients["Z00001"]
    assert sum(recipients.values(), Money(0)) == now.share_of("FED")
    listed = world.yearend.adjustments(world.viewer, world.agreement, PERIOD)
    assert [a.number for a in listed] == [1, 2]


def test_an_adjustment_is_posted_once_on_reruns_and_races(world: World) -> None:
    _post(world)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    outcomes = []

    def adjust() -> None:
        outcomes.append(world.yearend.post_adjustment(world.manager, world.agreement, 1, PERIOD))

    wins, failures = _race(adjust)
    assert (wins, failures) == (THREADS, [])
    assert [o.already_posted for o in outcomes].count(False) == 1
    assert len({o.record.id for o in outcomes}) == 1
    again = world.yearend.post_adjustment(world.finance, world.agreement, 1, PERIOD)
    assert again.already_posted and again.record == outcomes[0].record
    keys = [tx.key for tx in _transactions(world)]
    assert len(keys) == len(set(keys))
    assert sum("/adjustment/" in key for key in keys) == len(outcomes[0].record.transaction_keys)
    assert len(world.yearend.adjustments(world.finance, world.agreement)) == 1
    _balances(world)


def test_both_parties_sign_the_revised_statement_before_it_is_adjusted(world: World) -> None:
    _post(world)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    signoff = StatementSignoffService(world.workspace.units, world.yearend, settlement_dict, StepClock())
    with pytest.raises(ConflictError, match="not signed by the commissioner and the provider"):
        signoff.post_adjustment(world.manager, world.agreement, PERIOD)
    draft = signoff.draft(world.finance, world.agreement, PERIOD)
    signoff.sign(world.finance, world.agreement, PERIOD, "commissioner", draft.sha256)
    signoff.sign(world.manager, world.agreement, PERIOD, "provider", draft.sha256)
    assert not signoff.post_adjustment(world.manager, world.agreement, PERIOD).already_posted
    assert signoff.post_adjustment(world.finance, world.agreement, PERIOD).already_posted


def test_another_organisation_cannot_read_or_post_an_adjustment(world: World) -> None:
    _post(world)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    attempts = [
        lambda: world.yearend.adjustment(world.outsider, world.agreement, PERIOD),
        lambda: world.yearend.adjustments(world.outsider, world.agreement),
        lambda: world.yearend.post_adjustment(world.outsider, world.agreement, 1, PERIOD),
        lambda: world.yearend.post_adjustment(world.viewer, world.agreement, 1, PERIOD),
    ]
    for attempt in attempts:
        with pytest.raises(ForbiddenError):
            attempt()
    assert world.yearend.adjustments(world.finance, world.agreement) == []
    assert world.yearend.adjustment(world.viewer, world.agreement, PERIOD) is not None  # a member practice reads it
    with pytest.raises(ConflictError, match="version 1, not version 2"):
        world.yearend.post_adjustment(world.manager, world.agreement, 2, PERIOD)


@pytest.mark.parametrize("backend", ["memory"], indirect=True)
def test_a_distribution_posted_before_its_terms_were_kept_is_split_by_its_record(world: World) -> None:
    """Its top-slice and losses from its basis, each practice by its posted fraction: the same split when the
    practices' weights did not move (weighted list only)."""
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    by_list = DistributionTerms(Decimal("0.10"), ((Basis.WEIGHTED_LIST, Decimal(1)),))
    world.yearend.post_year_end(world.manager, world.agreement, 1, PERIOD, PRACTICES, by_list)
    world.yearend.revise(world.manager, world.agreement, "late.csv", LATE)
    kept = _pending(world)
    database = world.workspace.units
    assert isinstance(database, MemoryDatabase)
    database.state.monitoring.distribution_terms.clear()  # as if posted before migration 0006
    again = _pending(world)
    assert [(d.name, d.posted, d.now) for d in again.lines] == [(d.name, d.posted, d.now) for d in kept.lines]
    assert again.transactions == kept.transactions
