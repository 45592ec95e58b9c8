"""The repository contract, run alike on the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.ledger import Posting, Transaction, transfer
from gainshare.domain.money import Money
from gainshare.services.ports import (
    OrganisationKind,
    Role,
    UploadStatus,
    VersionStatus,
    content_digest,
)
from tests.persistence.conftest import Backend

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    commissioner: int
    provider: int
    other: int
    user: int
    agreement: int


def seed(backend: Backend) -> Seed:
    with backend.units() as uow:
        icb = uow.organisations.add("QZZ", "Northvale ICB", OrganisationKind.COMMISSIONER)
        fed = uow.organisations.add("Y99001", "Northvale Federation", OrganisationKind.FEDERATION)
        other = uow.organisations.add("QXX", "Southvale ICB", OrganisationKind.COMMISSIONER)
        user = uow.users.add("ann@example.nhs.uk", "Ann", "hash")
        agreement = uow.agreements.add("Northvale gain share", icb.id, fed.id, user.id, NOW)
        uow.commit()
    return Seed(icb.id, fed.id, other.id, user.id, agreement.id)


def test_committed_work_is_kept_and_uncommitted_work_rolled_back(backend: Backend) -> None:
    with backend.units() as uow:
        uow.organisations.add("QZZ", "Kept", OrganisationKind.COMMISSIONER)
        uow.commit()
        uow.organisations.add("QYY", "Committed after", OrganisationKind.COMMISSIONER)
        uow.commit()
    with backend.units() as uow:
        uow.organisations.add("QXX", "Never committed", OrganisationKind.COMMISSIONER)
    with backend.units() as uow:
        uow.organisations.add("QWW", "Rolled back", OrganisationKind.COMMISSIONER)
        uow.rollback()
    with backend.units() as uow:
        assert [org.name for org in uow.organisations.all()] == ["Kept", "Committed after"]


def test_organisations_and_users(backend: Backend) -> None:
    with backend.units() as uow:
        fed = uow.organisations.add("Y99001", "Federation", OrganisationKind.FEDERATION)
        practice = uow.organisations.add("Z00001", "Riverside", OrganisationKind.PRACTICE, parent_id=fed.id)
        with pytest.raises(ConflictError):
            uow.organisations.add("Y99001", "Same code", OrganisationKind.FEDERATION)
        user = uow.users.add("Ann.Lee@Example.NHS.uk", "Ann Lee", "argon2-hash")
        with pytest.raises(ConflictError):
            uow.users.add("ann.lee@example.nhs.uk", "Ann again", "x")
        uow.users.add_membership(user.id, fed.id, Role.FEDERATION_MANAGER)
        uow.users.add_membership(user.id, fed.id, Role.ADMINISTRATOR)
        with pytest.raises(ConflictError):
            uow.users.add_membership(user.id, fed.id, Role.ADMINISTRATOR)
        with pytest.raises(NotFoundError):
            uow.users.add_membership(user.id, 9999, Role.ADMINISTRATOR)
        uow.commit()
    with backend.units() as uow:
        assert uow.organisations.get(practice.id).parent_id == fed.id
        assert uow.organisations.by_ods_code("Z00001") == practice
        assert uow.organisations.by_ods_code("Z99999") is None
        found = uow.users.by_email("  ANN.LEE@example.nhs.uk ")
        assert found is not None and found.id == user.id and found.email == "ann.lee@example.nhs.uk"
        assert found.password_hash == "argon2-hash"
        assert {m.role for m in uow.users.memberships(user.id)} == {Role.FEDERATION_MANAGER, Role.ADMINISTRATOR}
        assert {m.user_id for m in uow.users.members(fed.id)} == {user.id}
        with pytest.raises(NotFoundError):
            uow.users.get(9999)
        with pytest.raises(NotFoundError):
            uow.organisations.get(9999)


def test_agreements_are_found_by_either_owner(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        assert [a.id for a in uow.agreements.for_organisations([ids.commissioner])] == [ids.agreement]
        assert [a.id for a in uow.agreements.for_organisations([ids.provider, ids.other])] == [ids.agreement]
        assert uow.agreements.for_organisations([ids.other]) == []
        record = uow.agreements.get(ids.agreement)
        assert record.organisation_ids == (ids.commissioner, ids.provider)
        assert record.created_at == NOW
        with pytest.raises(ConflictError):
            uow.agreements.add("Self-dealing", ids.provider, ids.provider, ids.user, NOW)


def test_versions_store_text_and_hash_and_numbers_are_unique(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        first = uow.agreements.add_version(ids.agreement, 1, "title: café £1\n", ids.user, NOW)
        with pytest.raises(ConflictError):
            uow.agreements.add_version(ids.agreement, 1, "again", ids.user, NOW)
        uow.agreements.add_version(ids.agreement, 2, "second", ids.user, NOW + timedelta(hours=1))
        uow.commit()
    with backend.units() as uow:
        stored = uow.agreements.version(ids.agreement, 1)
        assert stored == first
        assert stored.content == "title: café £1\n"
        assert stored.content_sha256 == content_digest("title: café £1\n")
        assert (stored.status, stored.lock_version) == (VersionStatus.DRAFT, 0)
        assert [v.number for v in uow.agreements.versions(ids.agreement)] == [1, 2]
        assert uow.agreements.latest_version(ids.agreement).content == "second"
        with pytest.raises(NotFoundError):
            uow.agreements.version(ids.agreement, 3)


def test_times_come_back_in_utc(backend: Backend) -> None:
    ids = seed(backend)
    summer = datetime(2026, 7, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    with backend.units() as uow:
        uow.agreements.add_version(ids.agreement, 1, "text", ids.user, summer)
        uow.commit()
    with backend.units() as uow:
        created = uow.agreements.version(ids.agreement, 1).created_at
    assert created == summer
    assert created.utcoffset() == timedelta(0)


def test_stale_lock_version_is_a_conflict_never_an_overwrite(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        draft = uow.agreements.add_version(ids.agreement, 1, "original", ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        saved = uow.agreements.update_content(draft.id, "first editor", draft.lock_version)
        uow.commit()
    assert saved.lock_version == draft.lock_version + 1
    with backend.units() as uow, pytest.raises(ConflictError, match="changed by someone else"):
        uow.agreements.update_content(draft.id, "second editor", draft.lock_version)
    with backend.units() as uow:
        kept = uow.agreements.version(ids.agreement, 1)
    assert kept.content == "first editor"
    assert kept.content_sha256 == content_digest("first editor")


def test_a_version_is_signed_only_with_both_signatures_on_its_hash(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        version = uow.agreements.add_version(ids.agreement, 1, "terms", ids.user, NOW)
        version = uow.agreements.set_status(version.id, VersionStatus.PROPOSED, version.lock_version)
        uow.agreements.add_signature(version.id, ids.commissioner, ids.user, version.content_sha256, NOW)
        uow.agreements.add_signature(version.id, ids.provider, ids.user, content_digest("other text"), NOW)
        uow.commit()
    with backend.units() as uow, pytest.raises(ConflictError):
        uow.agreements.set_status(version.id, VersionStatus.SIGNED, version.lock_version)
    with backend.units() as uow:
        uow.agreements.add_signature(version.id, ids.other, ids.user, version.content_sha256, NOW)
        with pytest.raises(ConflictError):  # a third organisation's signature does not count
            uow.agreements.set_status(version.id, VersionStatus.SIGNED, version.lock_version)
    with backend.units() as uow:
        uow.agreements.add_signature(version.id, ids.provider, ids.user, version.content_sha256, NOW)
        with pytest.raises(ConflictError):
            uow.agreements.add_signature(version.id, ids.provider, ids.user, version.content_sha256, NOW)
        signed = uow.agreements.set_status(version.id, VersionStatus.SIGNED, version.lock_version)
        uow.commit()
    assert signed.status is VersionStatus.SIGNED
    with backend.units() as uow:
        assert len(uow.agreements.signatures(version.id)) == 3


def test_signed_versions_refuse_every_change_through_the_repository(backend: Backend) -> None:
    ids = seed(backend)
    signed = _signed_version(backend, ids)
    with backend.units() as uow:
        with pytest.raises(ConflictError, match="signed"):
            uow.agreements.update_content(signed.id, "rewritten", signed.lock_version)
        with pytest.raises(ConflictError, match="signed"):
            uow.agreements.set_status(signed.id, VersionStatus.DRAFT, signed.lock_version)
        uow.commit()
    with backend.units() as uow:
        assert uow.agreements.version(ids.agreement, 1) == signed


def _signed_version(backend: Backend, ids: Seed):  # type: ignore[no-untyped-def]
    with backend.units() as uow:
        version = uow.agreements.add_version(ids.agreement, 1, "frozen terms", ids.user, NOW)
        version = uow.agreements.set_status(version.id, VersionStatus.PROPOSED, version.lock_version)
        for organisation in (ids.commissioner, ids.provider):
            uow.agreements.add_signature(version.id, organisation, ids.user, version.content_sha256, NOW)
        version = uow.agreements.set_status(version.id, VersionStatus.SIGNED, version.lock_version)
        uow.commit()
    return version


def test_ledger_posts_once_per_key_and_balances_to_zero(backend: Backend) -> None:
    ids = seed(backend)
    first = transfer("k1", "share", "ICB:net-saving", "FED:gain-share-due", Money(1_234_567_890_123))
    second = Transaction(
        "k2",
        "three-way",
        (Posting("ICB:net-saving", Money(-300)), Posting("FED:gain-share-due", Money(100)), Posting("X", Money(200))),
    )
    with backend.units() as uow:
        uow.ledger.post(first, ids.agreement, None, ids.user, NOW)
        uow.ledger.post(second, ids.agreement, None, ids.user, NOW)
        uow.commit()
    with backend.units() as uow, pytest.raises(ConflictError, match="posted already"):
        uow.ledger.post(transfer("k1", "again", "A", "B", Money(1)), ids.agreement, None, ids.user, NOW)
    with backend.units() as uow:
        assert uow.ledger.has("k1") and not uow.ledger.has("k3")
        assert uow.ledger.transactions(ids.agreement) == [first, second]
        balances = uow.ledger.balances(ids.agreement)
        assert balances == {
            "FED:gain-share-due": Money(1_234_567_890_123 + 100),
            "ICB:net-saving": Money(-1_234_567_890_123 - 300),
            "X": Money(200),
        }
        assert sum(amount.pence for amount in balances.values()) == 0
        assert all(isinstance(amount.pence, int) for amount in balances.values())
        assert uow.ledger.balances() == balances


def test_ledger_balances_are_per_agreement(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        other = uow.agreements.add("Second", ids.other, ids.provider, ids.user, NOW)
        uow.ledger.post(transfer("a", "one", "P", "Q", Money(5)), ids.agreement, None, ids.user, NOW)
        uow.ledger.post(transfer("b", "two", "P", "Q", Money(7)), other.id, None, ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        assert uow.ledger.balances(ids.agreement) == {"P": Money(-5), "Q": Money(5)}
        assert uow.ledger.balances(other.id) == {"P": Money(-7), "Q": Money(7)}
        assert uow.ledger.balances() == {"P": Money(-12), "Q": Money(12)}


def test_uploads_and_settlements(backend: Backend) -> None:
    ids = seed(backend)
    signed = _signed_version(backend, ids)
    with backend.units() as uow:
        upload = uow.uploads.add(ids.agreement, "figures.csv", "ab" * 32, 12, UploadStatus.ACCEPTED, ids.user, NOW)
        statement = {"net_saving": {"pence": 1050, "pounds": "10.50"}, "lines": [{"code": "x", "exact_pence": "1.5"}]}
        record = uow.settlements.add(
            signed.id, "2025-26", statement, Money(1050), Money(99_999), upload.id, ids.user, NOW
        )
        with pytest.raises(ConflictError):
            uow.settlements.add(signed.id, "2025-26", {}, Money(0), Money(0), None, ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        assert uow.uploads.get(upload.id) == upload
        assert uow.uploads.for_agreement(ids.agreement) == [upload]
        assert uow.settlements.for_agreement(ids.agreement) == [record]
        assert record.statement == statement
        assert (record.net_saving, record.baseline_cost) == (Money(1050), Money(99_999))


def test_audit_log_keeps_entries_in_order(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        uow.audit.append(None, NOW, "organisation.created", "organisation/1", {"ods_code": "QZZ"})
        uow.audit.append(ids.user, NOW, "version.saved", "agreement/1/version/1", {"lock": 1}, ids.agreement)
        uow.commit()
    with backend.units() as uow:
        uow.audit.append(ids.user, NOW, "discarded", "x", {})  # rolled back with its unit of work
    with backend.units() as uow:
        entries = uow.audit.entries()
        assert [e.action for e in entries] == ["organisation.created", "version.saved"]
        assert entries[0].actor_id is None and entries[0].details == {"ods_code": "QZZ"}
        assert [e.action for e in uow.audit.entries(ids.agreement)] == ["version.saved"]
        assert not hasattr(uow.audit, "update") and not hasattr(uow.audit, "delete")
