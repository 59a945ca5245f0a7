"""The one way Tandem builds an absolute URL (a link in an email, a calendar feed's address,
an invitation, a password reset, the meeting page named in an .ics file).

With a request, the link uses the scheme and host the person reached Tandem at (Django checks
that host against `ALLOWED_HOSTS`), so a page shows the address in the browser's bar. Without
one (a task sending an email, a calendar file sent by the outbox), it uses `SITE_URL`, the
address people reach Tandem at, from the environment (`make demo` sets it from `PORT`).
Nothing else reads `SITE_URL` or calls `build_absolute_uri`:
`tests/test_absolute_links.py` greps the code for it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def site_url() -> str:
    """The configured address of the site, without a trailing slash."""
    return str(settings.SITE_URL).rstrip("/")


def site_host() -> str:
    """The host name of `SITE_URL` (for Message-IDs), or `tandem.invalid` when it has none."""
    return urlsplit(site_url()).hostname or "tandem.invalid"


def absolute_url(
    path: str, *, request: HttpRequest | None = None, base_url: str | None = None
) -> str:
    """`path` (starting with "/") made absolute: on the request's own scheme and host when there
    is a request, else on `base_url` (one a request chose earlier and handed down), else on
    `SITE_URL`. An empty path stays empty; an already absolute URL is returned as it is."""
    if not path or path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    if request is not None:
        return request.build_absolute_uri(path)
    base = base_url.rstrip("/") if base_url else site_url()
    return base + path
