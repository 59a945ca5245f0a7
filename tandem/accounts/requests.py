"""The request type a signed-in view receives, so views are typed without casts."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tandem.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest behind `login_required`: `user` is a real User, `htmx` is set."""

    user: User
    htmx: HtmxDetails
