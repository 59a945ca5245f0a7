"""The request type a signed-in view receives, so views are typed without casts."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tandem.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest behind `login_required`: `user` is a real User, `htmx` is set."""

    user: User
    htmx: HtmxDetails


def signed_in_user(request: HttpRequest) -> User:
    """The User behind a view that `login_required` already guards (typed, never anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
