"""Content-Security-Policy on every response: scripts and style sheets from Tandem alone.

Tandem's pages carry no inline script and no event-handler attribute (the behaviour lives in
static/tandem/tandem.js, hooked on data- attributes; a test keeps it so), so `script-src
'self'` costs nothing and turns an HTML-injection bug into an inert one. Style sheets come from
'self' only (`style-src-elem`), but style *attributes* are allowed: progress bars, a
programme's colour and the matching histogram set widths and colours from data, and an
attribute cannot load anything or run script. Browsers without the CSP 3 `-elem`/`-attr`
directives fall back to `style-src`, which therefore keeps 'unsafe-inline' for them.

The API's interactive docs (/api/v1/docs, django-ninja's Swagger UI) are served from local
static files with their settings in a JSON data block, so the same policy holds there.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


Response = TypeVar("Response", bound=HttpResponseBase)


def allow_forms_to_leave(response: Response) -> Response:
    """The policy for a page whose form continues at another site: single sign-on's "Continue
    with SSO" and "Try sign-in" post to Tandem, which redirects to the identity provider, and
    browsers hold that redirect to the page's `form-action` (Chromium blocks it under 'self').
    The provider is only known after the post, so such a page allows any https target (http
    too where identity providers on http are allowed: development and the tests); every other
    page keeps 'self'."""
    targets = "https:" + (" http:" if settings.SSO_ALLOW_HTTP_ISSUERS else "")
    response["Content-Security-Policy"] = POLICY.replace(
        "form-action 'self'", f"form-action 'self' {targets}"
    )
    return response


class ContentSecurityPolicyMiddleware:
    """Adds `POLICY` to each response that does not set a policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        return response
