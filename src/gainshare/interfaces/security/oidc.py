"""OpenID Connect sign-in: the Authorization Code flow with PKCE (S256) through authlib's Starlette client.

    client = OidcClient(settings.oidc)
    response = await client.start(request, redirect_uri)   # 302 to the provider; state, nonce, verifier kept
    identity = await client.identity(request)              # on the callback: the verified ID token's identity

The provider is found by discovery (<issuer>/.well-known/openid-configuration), whose issuer must be the configured
one. The state, nonce and PKCE code verifier live in the signed session cookie until the callback (authlib's
Starlette integration), and the state is dropped at the callback, so a callback is accepted once. The ID token must
be signed by a key in the provider's JWKS with an advertised algorithm (RS256 by default), name the issuer and
this client (aud, azp), carry the nonce sent, and not have expired (authlib allows two minutes of clock skew).
Failures raise ExternalSignInRefused with a short reason (for the caller to audit; provider_unreachable
and issuer_mismatch are the provider's fault) and a sentence for the person signing in.

Imported only when OIDC is configured: it needs the `oidc` extra (authlib).
"""

from __future__ import annotations

import warnings
from typing import Any

import authlib.deprecate
import httpx
from fastapi import Request, Response
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

from gainshare.config import OidcSettings
from gainshare.services.external_sign_in import ExternalIdentity, ExternalSignInPolicy
from gainshare.services.external_sign_in import ExternalSignInRefused as Refused

with warnings.catch_warnings():  # authlib 1.9 prefers the httpx2 package; httpx (a dependency already) still works
    warnings.filterwarnings(
        "ignore", "The httpx module is deprecated", category=authlib.deprecate.AuthlibDeprecationWarning
    )
    from authlib.integrations.base_client import MismatchingStateError
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from authlib.integrations.starlette_client.apps import StarletteOAuth2App

NAME = "oidc"  # authlib keeps the flow's state in the session under _state_oidc_<state>
DISCOVERY_PATH = "/.well-known/openid-configuration"
TIMEOUT_SECONDS = 10.0
TRY_AGAIN = "Go back to the sign-in page and try again."


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


class OidcClient:
    """One per app: authlib caches the provider's metadata and keys (and fetches the keys again for a new kid)."""

    def __init__(self, settings: OidcSettings) -> None:
        if not (settings.issuer and settings.client_id and settings.client_secret):
            raise ValueError("OpenID Connect sign-in is not configured")
        self.issuer = settings.issuer
        self.client_id = settings.client_id
        self.redirect_url = settings.redirect_url
        self.policy = ExternalSignInPolicy(frozenset(settings.allowed_email_domains), settings.create_users)
        self._app: StarletteOAuth2App = OAuth().register(
            NAME,
            client_id=settings.client_id,
            client_secret=settings.client_secret.get_secret_value(),
            server_metadata_url=discovery_url(settings.issuer),
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
        )

    async def start(self, request: Request, redirect_uri: str) -> Response:
        """The redirect to the provider's authorization endpoint (state, nonce and code verifier in the session)."""
        await self._metadata()
        try:
            response: Response = await self._app.authorize_redirect(request, redirect_uri)
        except httpx.HTTPError as error:
            raise _unreachable(error) from error
        return response

    async def identity(self, request: Request) -> ExternalIdentity:
        """The identity in the verified ID token that the callback's code is exchanged for; Refused otherwise."""
        metadata = await self._metadata()
        options = {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": self.client_id},
        }
        try:
            token = await self._app.authorize_access_token(request, claims_options=options)
        except httpx.HTTPError as error:
            raise _unreachable(error) from error
        except (OAuthError, JoseError) as error:
            raise _failure(error) from error
        claims = token.get("userinfo")
        if not claims:
            raise Refused("no_id_token", f"The identity provider did not send an ID token. {TRY_AGAIN}")
        return _identity(claims)

    async def _metadata(self) -> dict[str, Any]:
        """The discovery document; its issuer must be the configured one (OpenID Connect Discovery 1.0, 4.3)."""
        try:
            metadata: dict[str, Any] = await self._app.load_server_metadata()
        except (httpx.HTTPError, ValueError) as error:
            raise _unreachable(error) from error
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
            found = metadata.get("issuer")
            self._app.server_metadata.clear()  # fetch it again next time
            message = f"The identity provider's discovery document names the issuer {found!r}, not {self.issuer!r}."
            raise Refused("issuer_mismatch", message)
        return metadata


def _identity(claims: dict[str, Any]) -> ExternalIdentity:
    return ExternalIdentity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") is True,
        display_name=str(claims.get("name") or ""),
    )


def _unreachable(error: Exception) -> Refused:
    message = f"The identity provider could not be reached ({type(error).__name__}). Try again in a few minutes."
    return Refused("provider_unreachable", message)


def _failure(error: Exception) -> Refused:
    if isinstance(error, MismatchingStateError):
        message = f"This sign-in did not start here, or it has already been used or has timed out. {TRY_AGAIN}"
        return Refused("state_mismatch", message)
    if isinstance(error, OAuthError):
        return Refused("provider_error", f"The identity provider refused the sign-in ({error.error}). {TRY_AGAIN}")
    if isinstance(error, ExpiredTokenError):
        return Refused("token_expired", f"The identity provider's ID token has expired. {TRY_AGAIN}")
    if isinstance(error, InvalidClaimError | MissingClaimError) and error.claim == "nonce":
        return Refused("nonce_mismatch", f"The ID token was not issued for this sign-in. {TRY_AGAIN}")
    if isinstance(error, InvalidClaimError | MissingClaimError):
        return Refused("token_invalid", f"The ID token's {error.claim} claim is not acceptable. {TRY_AGAIN}")
    return Refused("token_invalid", f"The ID token could not be verified ({type(error).__name__}). {TRY_AGAIN}")
