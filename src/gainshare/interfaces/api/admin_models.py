"""Request and response bodies of the administration and audit log routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gainshare.interfaces.api.models import AuditOut, OrganisationOut, Out
from gainshare.services.administration import AddedMember, AgreementChoices, Member
from gainshare.services.audit_log import AuditPage

RoleName = Literal["commissioner_finance", "federation_manager", "practice_viewer", "administrator"]


class OrganisationIn(BaseModel):
    """A new organisation (system administrators only)."""

    ods_code: str = Field(min_length=1, max_length=10, description="Its ODS code, e.g. QWO or Y02345.")
    name: str = Field(min_length=1, max_length=200, description="Its name.")
    kind: Literal["commissioner", "federation", "practice"] = Field(description="What kind of organisation it is.")
    federation_ods_code: str = Field("", max_length=10, description="A practice's federation, by ODS code.")


class MemberIn(BaseModel):
    """Someone to give a role in the organisation; an account is created if the email has none."""

    email: str = Field(min_length=3, max_length=320, description="Their email address (their sign-in name).")
    display_name: str = Field("", max_length=200, description="Their name (needed for a new account).")
    role: RoleName = Field(description="The role to give them.")


class MemberOut(Out):
    """A member of the organisation and their roles there."""

    user_id: int = Field(description="User id.")
    email: str = Field(description="Email address.")
    display_name: str = Field(description="Name.")
    roles: list[RoleName] = Field(description="Their roles in this organisation.")

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        roles: list[RoleName] = [role.value for role in member.roles]
        return cls(user_id=member.user.id, email=member.user.email, display_name=member.user.display_name, roles=roles)


class AddedMemberOut(Out):
    """The role given; a new account's initial password is in this answer only (hand it over, it is not kept)."""

    user_id: int = Field(description="User id.")
    email: str = Field(description="Email address.")
    role: RoleName = Field(description="The role given.")
    account_created: bool = Field(description="Whether a new account was created.")
    initial_password: str | None = Field(description="A new account's password, shown this once; else null.")

    @classmethod
    def of(cls, added: AddedMember) -> AddedMemberOut:
        return cls(
            user_id=added.user.id,
            email=added.user.email,
            role=added.membership.role.value,
            account_created=added.initial_password is not None,
            initial_password=added.initial_password,
        )


class AgreementChoicesOut(Out):
    """Who the signed-in user may start an agreement for, and with."""

    own: list[OrganisationOut] = Field(description="Their organisations where they edit agreements.")
    counterparties: list[OrganisationOut] = Field(description="Organisations they may start an agreement with.")

    @classmethod
    def of(cls, choices: AgreementChoices) -> AgreementChoicesOut:
        return cls(
            own=[OrganisationOut.of(o) for o in choices.own],
            counterparties=[OrganisationOut.of(o) for o in choices.counterparties],
        )


class AuditPageOut(Out):
    """One page of an audit log, newest first."""

    subject: str = Field(description="The agreement's title or the organisation's name.")
    entries: list[AuditOut] = Field(description="The entries on this page.")
    people: dict[str, str] = Field(description="Names and emails of the users who acted, by user id.")
    total: int = Field(description="Entries matching the filter, over every page.")
    page: int = Field(description="This page, from 1.")
    pages: int = Field(description="How many pages there are (at least 1).")
    action: str | None = Field(description="The action filtered on, if any.")
    actions: list[str] = Field(description="Every action in this log, for filtering.")

    @classmethod
    def of(cls, page: AuditPage) -> AuditPageOut:
        return cls(
            subject=page.subject,
            entries=[AuditOut.of(e) for e in page.entries],
            people={str(user_id): name for user_id, name in page.people.items()},
            total=page.total,
            page=page.page,
            pages=page.pages,
            action=page.action,
            actions=page.actions,
        )
