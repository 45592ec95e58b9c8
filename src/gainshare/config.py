"""Typed settings for the web app and its commands, read from GAINSHARE_* environment variables.

Built only by interfaces (the CLI's `serve` and `demo run`, tests); nothing below reads the environment at import
time. `Settings()` reads the environment; `Settings(**values)` overrides it.

Production mode refuses to run without a configured secret key (`check_startable` raises ConfigurationError with
a sentence, no traceback); development mode signs with a random secret made once per data folder (the file
.secret in it, mode 0600), so that every worker process serving the folder accepts the others' cookies, and says so.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gainshare.domain.errors import GainshareError

DATABASE_FILE = "gainshare.sqlite3"
SECRET_FILE = ".secret"  # the development signing secret, in the data folder
MIN_SECRET_LENGTH = 32
REPOSITORY = Path(__file__).resolve().parents[2]  # src/gainshare/config.py -> the checkout (for node_modules)


class ConfigurationError(GainshareError):
    """The settings cannot run the app (for example production mode without a secret key)."""


class Mode(Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class OidcSettings(BaseSettings):
    """OpenID Connect sign-in (optional): all three of issuer, client id and client secret, or none.

    A verified email in the provider's ID token signs in the existing user with that email (docs/deployment.md).
    """

    model_config = SettingsConfigDict(env_prefix="GAINSHARE_OIDC_", extra="ignore")

    issuer: str | None = Field(None, description="The provider's issuer URL (its discovery document is under it).")
    client_id: str | None = Field(None, description="This app's client id at the provider.")
    client_secret: SecretStr | None = Field(None, description="This app's client secret at the provider.")
    scopes: str = Field("openid email profile", description="Scopes asked for, space-separated (openid and email).")
    allowed_email_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated email domains that may sign in this way; empty: any."
    )
    create_users: bool = Field(
        False, description="Create a user with no memberships at a first sign-in (needs allowed_email_domains)."
    )
    redirect_url: str | None = Field(
        None, description="The callback URL registered at the provider; default: from the request (development)."
    )

    @field_validator("allowed_email_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(domain).strip().lstrip("@").casefold() for domain in value if str(domain).strip()]
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id and self.client_secret)

    def problems(self, production: bool) -> list[str]:
        """Why these settings cannot run OpenID Connect sign-in (empty: they can, or it is off)."""
        given = {"issuer": self.issuer, "client id": self.client_id, "client secret": self.client_secret}
        missing = [name for name, value in given.items() if not value]
        if len(missing) == len(given):
            return []
        if missing:
            names = "GAINSHARE_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET"
            return [f"set all of {names} or none (missing: {', '.join(missing)})"]
        problems = [] if _secure_url(self.issuer) else [f"the issuer {self.issuer!r} must be an https:// URL"]
        if not {"openid", "email"} <= set(self.scopes.split()):
            problems.append("GAINSHARE_OIDC_SCOPES must include openid and email")
        if self.create_users and not self.allowed_email_domains:
            problems.append("GAINSHARE_OIDC_CREATE_USERS needs GAINSHARE_OIDC_ALLOWED_EMAIL_DOMAINS")
        if self.redirect_url is not None and not _secure_url(self.redirect_url):
            problems.append(f"the redirect URL {self.redirect_url!r} must be an https:// URL")
        if production and self.redirect_url is None:
            problems.append("production mode needs GAINSHARE_OIDC_REDIRECT_URL (https://<host>/auth/oidc/callback)")
        return problems


def _secure_url(url: str | None) -> bool:
    """https, or http to this machine only (a provider or app on loopback, as in development and tests)."""
    parts = urlsplit(url or "")
    loopback = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and loopback))


class Settings(BaseSettings):
    """Everything the web app needs to start. Environment variables: GAINSHARE_<FIELD NAME IN CAPITALS>."""

    model_config = SettingsConfigDict(env_prefix="GAINSHARE_", extra="ignore")

    mode: Mode = Field(Mode.DEVELOPMENT, description="development or production (production needs a secret key).")
    data_folder: Path = Field(Path("data"), description="Folder for the SQLite database and other local data.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file gainshare.sqlite3 in the data folder."
    )
    secret_key: SecretStr | None = Field(
        None, description=f"Signs session cookies; at least {MIN_SECRET_LENGTH} characters. Required in production."
    )
    session_cookie: str = Field("gainshare_session", description="Name of the session cookie.")
    session_max_age_seconds: int = Field(8 * 3600, ge=60, description="Sessions end this long after sign-in.")
    cookie_secure: bool | None = Field(
        None, description="Send cookies over HTTPS only; default: on in production, off in development."
    )
    login_max_failures_per_account: int = Field(5, ge=1, description="Failed sign-ins per account per window.")
    login_max_failures_per_client: int = Field(20, ge=1, description="Failed sign-ins per client address per window.")
    login_window_seconds: int = Field(15 * 60, ge=1, description="Window over which failed sign-ins are counted.")
    login_tracked_keys: int = Field(10_000, ge=10, description="Bound on accounts and addresses tracked in memory.")
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    oidc: OidcSettings = Field(default_factory=OidcSettings, description="Optional OpenID Connect sign-in.")
    frontend_dist: Path = Field(
        REPOSITORY / "node_modules" / "nhsuk-frontend" / "dist",
        description="The nhsuk-frontend package's dist folder (npm ci); htmx.org is looked for beside the package.",
    )

    @model_validator(mode="after")
    def _secret_long_enough(self) -> Settings:
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"the secret key must be at least {MIN_SECRET_LENGTH} characters long")
        return self

    @property
    def production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def secure_cookies(self) -> bool:
        return self.production if self.cookie_secure is None else self.cookie_secure

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_folder / DATABASE_FILE).resolve()}"

    def check_startable(self) -> None:
        """ConfigurationError when the app must not start with these settings."""
        if self.production and self.secret_key is None:
            raise ConfigurationError(
                "production mode needs a secret key: set GAINSHARE_SECRET_KEY to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters (for example the output of `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)"
            )
        if self.production and not self.secure_cookies:
            raise ConfigurationError("production mode sends cookies over HTTPS only: unset GAINSHARE_COOKIE_SECURE")
        oidc_problems = self.oidc.problems(self.production)
        if oidc_problems:
            raise ConfigurationError("OpenID Connect sign-in: " + "; ".join(oidc_problems))

    def signing_secret(self) -> tuple[str, Path | None]:
        """The secret that signs cookies, and the development secret file it came from (None: the configured key).

        Development mode without a key: the data folder's .secret, made on first use (0600, created atomically, so
        several workers starting at once agree on one secret).
        """
        self.check_startable()
        if self.secret_key is not None:
            return self.secret_key.get_secret_value(), None
        path = self.data_folder.resolve() / SECRET_FILE
        secret = _development_secret(path)
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"the development secret in {path} is too short: delete it to make a new one")
        return secret, path


def _development_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):  # another worker made it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()
