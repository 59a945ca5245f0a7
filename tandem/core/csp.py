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


class ContentSecurityPolicyMiddleware:
    """Adds `POLICY` to each response that does not set a policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        return response
