"""A real OpenID Connect provider on loopback (oidc-provider-mock: Authlib's server side), and
the browser's part of the flow: Tandem's redirect, the provider's consent form, the callback."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread


@contextmanager
def provider_on_loopback(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[str]:
    """A provider that knows only registered clients and requires a nonce; yields its issuer."""
    with run_server_in_thread(
        require_client_registration=True,
        require_nonce=True,
        access_token_max_age=token_max_age,
    ) as server:
        yield f"http://localhost:{server.server_port}"


def register_client(issuer: str) -> tuple[str, str]:
    """Register Tandem's test client (its callback on the test client's host)."""
    answer = requests.post(
        f"{issuer}/oauth2/clients",
        json={"redirect_uris": ["http://testserver/sso/oidc/callback/"]},
        timeout=5,
    )
    answer.raise_for_status()
    body = answer.json()
    return body["client_id"], body["client_secret"]


def set_person(issuer: str, subject: str, claims: dict[str, object]) -> None:
    requests.put(f"{issuer}/users/{subject}", json=claims, timeout=5).raise_for_status()


def start(client: Client, email: str) -> str:
    """Press "Continue with SSO" with `email`; returns the provider's authorisation URL."""
    response = client.post(reverse("sso:discover"), {"email": email})
    assert response.status_code == 302, response.content
    return response["Location"]


def consent(authorization_url: str, subject: str, *, deny: bool = False) -> str:
    """The person at the provider signs in as `subject` (or refuses); returns the callback."""
    form = {"action": "deny"} if deny else {"sub": subject}
    answer = requests.post(authorization_url, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = answer.headers["Location"]
    assert urlparse(callback).path == reverse("sso:callback")
    return callback


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def continued_to(response: Any) -> str:
    """Where a "moving on" page sends the browser (signing out at the provider: a page with a
    refresh and a link, not a redirect, so the sign-out form's `form-action 'self'` allows it)."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    found = re.search(r'data-continue-url="([^"]+)"', page)
    assert found is not None, page
    assert f'http-equiv="refresh" content="0;url={found[1]}"' in page
    return html.unescape(found[1])
