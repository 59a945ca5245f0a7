"""The operators' endpoints: /health/ (readiness), /health/live (liveness), /metrics.

They are answered by `OperationsMiddleware`, near the top of MIDDLEWARE, before the host check,
the HTTPS redirect, sessions and authentication: a load balancer probes by address over plain
HTTP, and none of these answers depends on the host, a session or a user. Nothing here is rate
limited (Tandem throttles sign-in only).
"""

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_prometheus.exports import ExportToDjangoView

from tandem.operations.health import readiness

NO_STORE = "no-store"


def health(request: HttpRequest) -> HttpResponse:
    """200 when every check passes, else 503; the body names each check, ok or fail."""
    report = readiness()
    response = JsonResponse(report.as_json(), status=200 if report.healthy else 503)
    response["Cache-Control"] = NO_STORE
    return response


def live(request: HttpRequest) -> HttpResponse:
    """The process answers: no database, no cache, nothing that could fail but the process."""
    response = JsonResponse({"status": "ok"})
    response["Cache-Control"] = NO_STORE
    return response


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's text format, for a caller with `Authorization: Bearer <METRICS_TOKEN>`.
    Without a token configured the endpoint does not exist (404)."""
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse(status=404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = ExportToDjangoView(request)
    response["Cache-Control"] = NO_STORE
    return response


ROUTES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/health/": health,
    "/health": health,
    "/health/live": live,
    "/metrics": metrics,
}


class OperationsMiddleware:
    """Serves ROUTES (GET and HEAD only) before the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ROUTES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)
