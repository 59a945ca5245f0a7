"""problem+json (RFC 9457) for every API error.

One shape everywhere: `type`, `title`, `status`, `detail`, and `errors` (a list of
`{field, message[, row]}`) when the problem is about specific inputs.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tandem.core.errors import DomainError
from tandem.core.transactions import TRY_AGAIN, is_lock_failure

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://tandem.example/problems/"


def problem_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def _field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes locations with where the value came from ("body", "query", the
    # parameter name); a client wants the field as it sent it.
    parts = [str(part) for part in loc]
    while parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "data", "filters"}:
        # The handler's parameter name means nothing to a client; a missing whole body is "body".
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_problem_handlers(api: NinjaAPI) -> None:
    """Register the exception handlers that turn every failure into problem+json."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem_response(
            api,
            request,
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            code=exc.code,
            errors=[error.as_dict() for error in exc.errors],
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _field_path(error.get("loc", ())), "message": error.get("msg", "Invalid.")}
            for error in exc.errors
        ]
        return problem_response(
            api,
            request,
            status=422,
            title="The request is not well-formed",
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
            code="validation",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            api,
            request,
            status=401,
            title="Not signed in",
            detail="Sign in, or send a personal API token as 'Authorization: Bearer <token>'.",
            code="unauthenticated",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(
            api,
            request,
            status=exc.status_code,
            title="Request failed",
            detail=str(exc),
            code="http-error",
        )

    from django.http import Http404

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(
            api, request, status=404, title="Not found", detail="Not found.", code="not-found"
        )

    from django.db import DatabaseError

    @api.exception_handler(DatabaseError)
    def lock_failure(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        # A deadlock, serialization failure or lock timeout that no use case retried: the
        # request lost a race, it is not broken, so 409 "try again" rather than a 500.
        if not is_lock_failure(exc):
            raise exc
        return problem_response(
            api, request, status=409, title="Try again", detail=TRY_AGAIN, code="try-again"
        )
