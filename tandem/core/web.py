"""Bridges between the domain's refusals and the HTTP errors Django's HTML views know."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tandem.core.errors import Forbidden, InvalidInput, NotFound
from tandem.core.pagination import SeekPage, seek_link_page


@contextmanager
def guard_as_http() -> Iterator[None]:
    """Run a guard so its NotFound becomes a 404 page and its Forbidden a 403 page."""
    try:
        yield
    except NotFound as error:
        raise Http404(error.detail) from error
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error


def seek_page_for_request(queryset: QuerySet[Any], request: HttpRequest, *, limit: int) -> SeekPage:
    """The page of an HTML list that the request's `after`/`before` link names
    (`core.pagination.seek_link_page`); a cursor the list did not give is a 400 page."""
    try:
        return seek_link_page(queryset, params=request.GET, limit=limit)
    except InvalidInput as error:
        raise BadRequest(error.detail) from error
