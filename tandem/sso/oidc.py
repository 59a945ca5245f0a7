"""The OpenID Connect relying party: authorisation code with PKCE (S256), state and nonce.

Authlib builds the authorisation request and exchanges the code (`OAuth2Session`); joserfc
checks the ID token's signature against the provider's published keys and its claims (issuer,
audience, expiry, nonce). This module knows no models: the views hand it a provider's settings.
"""

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SCOPES = "openid email profile"
# The ID token's signature algorithms accepted: asymmetric only, so a client secret can never
# be used to forge a token.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
METADATA_CACHE_SECONDS = 300
CLOCK_LEEWAY_SECONDS = 60


class SignInRefused(Exception):
    """The provider's answer cannot sign anyone in; the message is safe to show."""


@dataclass(frozen=True)
class ClientSettings:
    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class PendingSignIn:
    """What the session keeps between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("The identity provider could not be reached.") from error
    if not isinstance(data, dict):
        raise SignInRefused("The identity provider answered something Tandem cannot read.")
    return data


def issuer_errors(issuer: str) -> list[str]:
    """Why `issuer` cannot be an issuer URL (empty when it can)."""
    if issuer.startswith("https://"):
        return []
    if issuer.startswith("http://") and settings.SSO_ALLOW_HTTP_ISSUERS:
        return []
    return ["The issuer must be an https:// URL."]


def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, whose `issuer` must be exactly the configured one."""
    key = f"sso:metadata:{issuer}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    if issuer_errors(issuer):
        raise SignInRefused("The identity provider's issuer is not an https:// URL.")
    # The provider's URL, not Tandem's (OpenID Connect Discovery 1.0, section 4).
    metadata = _get_json(f"{issuer.removesuffix('/')}/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        raise SignInRefused("The identity provider's discovery document names another issuer.")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(name), str):
            raise SignInRefused(f"The identity provider's discovery document lacks {name}.")
    cache.set(key, metadata, METADATA_CACHE_SECONDS)
    return metadata


def _session(client: ClientSettings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
    )


def authorization_request(
    client: ClientSettings, *, redirect_uri: str, login_hint: str = ""
) -> tuple[str, PendingSignIn]:
    """The provider's URL to send the browser to, and what to keep for the callback."""
    metadata = provider_metadata(client.issuer)
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
    )
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _state = _session(client, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"],
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        **extra,
    )
    return url, pending


def _validated_id_token(
    client: ClientSettings, metadata: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))  # type: ignore[arg-type]
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": client.issuer},
            aud={"essential": True, "value": client.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except JoseError as error:
        raise SignInRefused(
            f"The identity provider's ID token was refused ({error.error})."
        ) from error
    claims = dict(token.claims)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client.client_id:
        raise SignInRefused("The identity provider's ID token was issued to another client.")
    return claims


def complete_sign_in(
    client: ClientSettings,
    *,
    redirect_uri: str,
    pending: PendingSignIn,
    query: dict[str, str],
) -> tuple[dict[str, Any], str]:
    """Check the callback's state, exchange the code (with the PKCE verifier) and validate the
    ID token. Returns the claims (the ID token's, completed from the userinfo endpoint) and the
    raw ID token (for RP-initiated logout)."""
    # An error signs nobody in, so it is told even without a state (some providers omit it).
    if query.get("error"):
        raise SignInRefused(
            "The identity provider refused the sign-in"
            + (f": {query['error']}." if query["error"].isascii() else ".")
        )
    if not secrets.compare_digest(query.get("state", ""), pending.state):
        raise SignInRefused("This sign-in does not match the one started here. Try again.")
    code = query.get("code", "")
    if not code:
        raise SignInRefused("The identity provider sent no authorisation code.")
    metadata = provider_metadata(client.issuer)
    session = _session(client, redirect_uri)
    try:
        token = session.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            timeout=settings.SSO_HTTP_TIMEOUT_SECONDS,
        )
    except Exception as error:  # Authlib raises OAuthError, requests its own: both refuse.
        raise SignInRefused("The identity provider refused to exchange the code.") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("The identity provider sent no ID token.")
    claims = _validated_id_token(client, metadata, id_token, pending.nonce)
    userinfo_endpoint = metadata.get("userinfo_endpoint")
    if isinstance(userinfo_endpoint, str) and token.get("access_token"):
        try:
            response = session.get(userinfo_endpoint, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            userinfo = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInRefused("The identity provider's userinfo could not be read.") from error
        # OpenID Connect Core 5.3.2: a userinfo answer about someone else is discarded.
        if isinstance(userinfo, dict) and userinfo.get("sub") == claims["sub"]:
            claims = {**userinfo, **claims}
    return claims, id_token


def end_session_url(issuer: str, *, id_token: str, post_logout_redirect_uri: str) -> str:
    """The provider's RP-initiated logout URL, or "" when it publishes none."""
    try:
        endpoint = provider_metadata(issuer).get("end_session_endpoint")
    except SignInRefused:
        return ""
    if not isinstance(endpoint, str) or not endpoint:
        return ""
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
