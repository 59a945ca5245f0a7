"""Which pages the service worker may keep for use without a signal, and for whom.

A page opts in with `keep_offline`: its response carries `Tandem-Offline` with the person's
offline key, and the service worker (templates/pwa/sw.js) stores only such responses, in a
cache named after that key. Pages that never opt in (the journal, messages, every manager's
page) are never stored. The key is an HMAC of the user's id: stable for a person, unguessable,
and it tells nothing about who they are to whoever reads the cache's name.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

HEADER = "Tandem-Offline"


def offline_key(user: Any) -> str:
    """The name under which this person's pages are cached and their offline captures queued."""
    return salted_hmac("tandem.pwa.offline_key", str(user.pk)).hexdigest()[:32]


def keep_offline(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a signed-in person's page (the pair's hub, meeting mode) as one the service worker
    keeps for them, network first. Only successful pages for a signed-in person are marked."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated:
            response[HEADER] = offline_key(request.user)
        return response

    return wrapped
