"""How the API knows who is calling: the browser session (CSRF-checked) or a personal token."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tandem.accounts.client_address import client_address
from tandem.accounts.models import User
from tandem.accounts.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw_token=token, address=client_address(request))
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            return user
        return None


API_AUTH = [BearerTokenAuth(), ActiveSessionAuth()]


def caller(request: HttpRequest) -> User:
    """The authenticated user behind an API request (the auth classes guarantee there is one)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("caller() used on an endpoint without authentication")
    return user
