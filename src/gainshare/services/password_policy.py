"""The one password policy, for every password chosen here: by a person changing their own (AccountService), by
an administrator or a setup command creating an account (AdministrationService.create_user,
WorkspaceService.create_user). Random initial passwords (AdministrationService.new_password) meet it too.

A password has at least MIN_PASSWORD_LENGTH characters (any characters: a passphrase is the easiest way to meet
it), at most MAX_PASSWORD_LENGTH (the sign-in form and API accept no longer), and is not the account's email
address. A person changing their password must also choose a different one (AccountService checks that against
the stored hash).
"""

from __future__ import annotations

from gainshare.domain.issues import Issue

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def password_issues(password: str, email: str, code: str = "user.password") -> list[Issue]:
    """The policy's problems with a password for the account with this email (empty: it is acceptable)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Issue(code, f"a password needs at least {MIN_PASSWORD_LENGTH} characters")]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [Issue(code, f"a password has at most {MAX_PASSWORD_LENGTH} characters")]
    if password.strip().casefold() == email.strip().casefold():
        return [Issue(code, "a password cannot be the account's email address")]
    return []
