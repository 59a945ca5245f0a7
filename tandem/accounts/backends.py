"""The only authentication backend: Django's model backend behind the sign-in throttle.

Every way of checking a password goes through `django.contrib.auth.authenticate`, and so
through here: the sign-in page, the Django admin's login, the test client. The throttle is
applied in the backend so that no sign-in path can forget it.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tandem.accounts import throttle
from tandem.accounts.client_address import client_address
from tandem.accounts.selectors import password_sign_in_allowed


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("email")
        if username is None or password is None:
            return None
        email = throttle.normalise_email(username)
        address = client_address(request)
        # PermissionDenied stops authenticate() at once: no other backend, no password check,
        # so a throttled pair learns nothing about the password. One check at a time per pair,
        # so that the count it reads includes every earlier attempt's failure.
        if not throttle.sign_in_claim(email=email, address=address):
            raise PermissionDenied
        try:
            if throttle.sign_in_wait(email=email, address=address) > 0:
                raise PermissionDenied
            user = super().authenticate(request, username=email, password=password)
            if user is not None and not password_sign_in_allowed(user):
                # The organisation signs in through its identity provider (tandem/sso).
                return None
            if user is None:
                throttle.sign_in_failed(email=email, address=address)
            else:
                throttle.sign_in_succeeded(email=email, address=address)
            return user
        finally:
            throttle.sign_in_release(email=email, address=address)
