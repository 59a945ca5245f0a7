"""Bridges between the domain's refusals and the HTTP errors Django's HTML views know."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tandem.core.errors import Forbidden, NotFound


@contextmanager
def guard_as_http() -> Iterator[None]:
    """Run a guard so its NotFound becomes a 404 page and its Forbidden a 403 page."""
    try:
        yield
    except NotFound as error:
        raise Http404(error.detail) from error
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
