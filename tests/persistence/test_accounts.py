"""Changing one's own password on every backend (memory, SQLite, PostgreSQL): the current password checked, one
policy for every password, the administrator's flag cleared, the hash replaced, an audit entry without password
material, and nothing changed by a refused attempt. Migration 0005 keeps existing users unflagged."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import inspect, text

from gainshare.adapters.sql import migrate
from gainshare.adapters.sql.engine import make_engine
from gainshare.adapters.sql.uow import SqlDatabase
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.services.accounts import CHANGED, CURRENT_PASSWORD, NEW_PASSWORD, AccountService
from gainshare.services.administration import AdministrationService
from gainshare.services.ports import OrganisationKind, Role, User
from gainshare.services.workspace import Actor, WorkspaceService
from tests.persistence.conftest import Backend, StepClock, fast_hasher

SYSTEM = Actor.system()
INITIAL = "an initial password from the administrator"
CHOSEN = "a passphrase only I know"
EMAIL = "nina@fed.nhs.uk"


@dataclass(frozen=True)
class Accounts:
    backend: Backend
    workspace: WorkspaceService
    administration: AdministrationService
    accounts: AccountService

    def user(self, user_id: int) -> User:
        with self.backend.units() as uow:
            return uow.users.get(user_id)

    def actions(self) -> list[str]:
        with self.backend.units() as uow:
            return [entry.action for entry in uow.audit.entries()]


@pytest.fixture
def accounts(backend: Backend, service: WorkspaceService) -> Accounts:
    units, passwords, clock = service.units, service.passwords, StepClock()
    administration = AdministrationService(units, passwords, clock, lambda: INITIAL)
    return Accounts(backend, service, administration, AccountService(units, passwords, clock))


def _member(accounts: Accounts) -> Actor:
    """A new member added by the system administrator: their account gets the administrator's initial password."""
    fed = accounts.workspace.create_organisation(
        SYSTEM, "Y99001", "Northvale GP Federation", OrganisationKind.FEDERATION
    )
    added = accounts.administration.add_member(SYSTEM, fed.id, EMAIL, "Nina", Role.FEDERATION_MANAGER)
    assert added.initial_password == INITIAL
    return Actor.user(added.user.id)


def test_a_member_changes_the_administrators_password_and_the_flag_is_cleared(accounts: Accounts) -> None:
    nina = _member(accounts)
    assert nina.user_id is not None
    before = accounts.user(nina.user_id)
    assert before.password_change_required
    changed = accounts.accounts.change_password(nina, INITIAL, CHOSEN)
    after = accounts.user(nina.user_id)
    assert changed == after and not after.password_change_required
    assert after.password_hash != before.password_hash and CHOSEN not in after.password_hash
    assert accounts.workspace.authenticate(EMAIL, INITIAL) is None
    assert accounts.workspace.authenticate(EMAIL, CHOSEN) == after
    with accounts.backend.units() as uow:
        entry = uow.audit.entries()[-1]
    assert (entry.action, entry.entity, entry.actor_id) == (CHANGED, f"user/{nina.user_id}", nina.user_id)
    assert entry.details == {"email": EMAIL, "was_required": True}
    assert INITIAL not in str(entry.details) and CHOSEN not in str(entry.details)


def _refused(accounts: Accounts, actor: Actor, current: str, new: str) -> list[tuple[str, str]]:
    assert actor.user_id is not None
    before, actions = accounts.user(actor.user_id), accounts.actions()
    with pytest.raises(InvalidInputError) as refused:
        accounts.accounts.change_password(actor, current, new)
    assert accounts.user(actor.user_id) == before and accounts.actions() == actions  # nothing changed
    return [(issue.code, issue.message) for issue in refused.value.issues]


def test_a_wrong_current_password_is_a_field_problem_and_changes_nothing(accounts: Accounts) -> None:
    nina = _member(accounts)
    assert _refused(accounts, nina, "not my password at all", CHOSEN) == [
        (CURRENT_PASSWORD, "the current password is not right")
    ]
    assert _refused(accounts, nina, "", CHOSEN)[0][0] == CURRENT_PASSWORD


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("too short", "a password needs at least 12 characters"),
        ("x" * 1025, "a password has at most 1024 characters"),
        (" Nina@Fed.NHS.uk ", "a password cannot be the account's email address"),
        (INITIAL, "choose a password different from your current one"),
    ],
    ids=["short", "long", "email", "same"],
)
def test_the_policy_refuses_a_new_password(accounts: Accounts, new: str, message: str) -> None:
    assert _refused(accounts, _member(accounts), INITIAL, new) == [(NEW_PASSWORD, message)]


def test_the_same_policy_applies_when_accounts_are_created(accounts: Accounts) -> None:
    for create in (
        lambda: accounts.workspace.create_user(SYSTEM, "a@fed.nhs.uk", "A", "a@fed.nhs.uk"),
        lambda: accounts.administration.create_user(SYSTEM, "b@fed.nhs.uk", "B", "B@FED.NHS.UK", None, True),
        lambda: accounts.administration.create_user(SYSTEM, "c@fed.nhs.uk", "C", "short", None, True),
    ):
        with pytest.raises(InvalidInputError) as refused:
            create()
        assert [issue.code for issue in refused.value.issues] == ["user.password"]


def test_who_must_change_their_password(accounts: Accounts) -> None:
    """Accounts an administrator made with a password they know are flagged; seeded (demo) accounts are not."""
    admin = accounts.administration
    issued = admin.create_user(SYSTEM, "root@nhs.uk", "Root", CHOSEN, None, system_administrator=True)
    own = admin.create_user(SYSTEM, "me@nhs.uk", "Me", CHOSEN, None, True, password_change_required=False)
    seeded = accounts.workspace.create_user(SYSTEM, "demo@nhs.uk", "Demo", CHOSEN)
    assert [u.password_change_required for u in (issued, own, seeded)] == [True, False, False]
    assert [accounts.user(u.id).password_change_required for u in (issued, own, seeded)] == [True, False, False]
    seeded_actor = Actor.user(seeded.id)
    accounts.accounts.change_password(seeded_actor, CHOSEN, "another good passphrase")
    assert accounts.workspace.authenticate("demo@nhs.uk", "another good passphrase") is not None


def test_the_system_has_no_password_to_change(accounts: Accounts) -> None:
    with pytest.raises(ForbiddenError):
        accounts.accounts.change_password(SYSTEM, INITIAL, CHOSEN)


def test_a_password_changed_meanwhile_is_a_conflict(accounts: Accounts) -> None:
    nina = _member(accounts)
    assert nina.user_id is not None
    hasher = fast_hasher()

    class Interleaved:
        """Hashes the new password after another session has changed it."""

        def hash(self, password: str) -> str:
            accounts.accounts.change_password(nina, INITIAL, "changed in another tab")
            return hasher.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            return hasher.verify(password_hash, password)

    racing = AccountService(accounts.workspace.units, Interleaved(), StepClock())
    with pytest.raises(ConflictError):
        racing.change_password(nina, INITIAL, CHOSEN)
    assert accounts.workspace.authenticate(EMAIL, "changed in another tab") is not None
    assert accounts.actions().count(CHANGED) == 1


def test_migration_0005_keeps_existing_users_unflagged(sql_url: str) -> None:
    migrate.upgrade(sql_url, "0004_system_administrators")
    engine = make_engine(sql_url)
    with engine.begin() as connection:
        insert = "INSERT INTO users (email, display_name, password_hash) VALUES ('old@nhs.uk', 'Old', 'x')"
        connection.execute(text(insert))
    engine.dispose()
    migrate.upgrade(sql_url)
    database = SqlDatabase(sql_url)
    try:
        with database.read() as uow:
            old = uow.users.by_email("old@nhs.uk")
        assert old is not None and not old.password_change_required
    finally:
        database.dispose()
    migrate.downgrade(sql_url, "0004_system_administrators")
    engine = make_engine(sql_url)
    try:
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("users")}
    finally:
        engine.dispose()
    assert "password_change_required" not in columns and "password_hash" in columns
