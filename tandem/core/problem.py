"""problem+json (RFC 9457) for every API error.

One shape everywhere: `type`, `title`, `status`, `detail`, and `errors` (a list of
`{field, message[, row]}`) when the problem is about specific inputs.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.db import DatabaseError, DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

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
        # Titles are marked with gettext_noop where they are written (an exception's class
        # attribute exists before any language is active) and translated here, per request.
        "title": gettext(title),
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


class BodyNotAnObject(ValueError):
    """A JSON body that is not an object (nor null), where every operation takes an object."""


class ObjectBodyParser(Parser):
    """ninja's JSON parser, refusing a body that is not a JSON object.

    ninja's Schema validates from attributes, so a body of `693` or `"x"` passed validation as
    an input whose fields all have defaults (every field left "unset"): a PATCH changed nothing
    yet answered 200, an optional-body action ran as if sent nothing. Every request body of
    this API is an object (tests/test_openapi.py checks it), so anything else is refused here.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if data is not None and not isinstance(data, dict):
            raise BodyNotAnObject("The body must be a JSON object.")
        return data


def body_not_an_object(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    message = "Input should be a JSON object"
    return problem_response(
        api,
        request,
        status=422,
        title=gettext_noop("The request is not well-formed"),
        detail=f"body: {message}",
        code="validation",
        errors=[{"field": "body", "message": message}],
    )


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
            title=gettext_noop("The request is not well-formed"),
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
            title=gettext_noop("Not signed in"),
            detail=gettext(
                "Sign in, or send a personal API token as 'Authorization: Bearer <token>'."
            ),
            code="unauthenticated",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BodyNotAnObject):
            return body_not_an_object(api, request)
        return problem_response(
            api,
            request,
            status=exc.status_code,
            title=gettext_noop("Request failed"),
            detail=str(exc),
            code="http-error",
        )

    from django.http import Http404

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(
            api,
            request,
            status=404,
            title=gettext_noop("Not found"),
            detail=gettext("Not found."),
            code="not-found",
        )


# --- failures that are not a domain error ---------------------------------------------------
# Everything below answers problem+json where Django or ninja would have answered HTML (an
# unknown path, a wrong method, a crash) or let a database error through as a 500.

unexpected_logger = logging.getLogger("django.request")
out_of_range_logger = logging.getLogger("tandem.api")


class FieldProblemOut(Schema):
    field: str = Field(description="The input at fault, as a dotted path ('body' for all of it).")
    message: str
    row: int | None = Field(None, description="The 1-based line, for a file with rows.")


class ProblemOut(Schema):
    """What every API error answers (RFC 9457), as `application/problem+json`."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int = Field(description="The HTTP status, repeated.")
    detail: str
    errors: list[FieldProblemOut] = Field(
        default_factory=list, description="Each input at fault; absent when none is."
    )


# What an operation can answer besides its success, and when. Every authenticated operation can
# be refused (401), and any service may raise each domain error (400, 403, 404, 409); an
# operation with inputs can get malformed ones (422); 500 is what a bug looks like, in the same
# shape. Declared once here rather than on ~180 decorators so that no operation can miss one.
PROBLEM_DESCRIPTIONS = {
    400: "A field or row breaks a rule (`InvalidInput`).",
    401: "Not signed in: no session and no valid personal token.",
    403: "The caller may see this but their role may not do it (`Forbidden`).",
    404: "Missing, or not the caller's to know about (`NotFound`).",
    409: "A duplicate, or a transition the current state does not allow (`Conflict`).",
    422: "The path, query or body is not well-formed, or a number is out of range.",
    500: "An unexpected failure (a bug); it is logged.",
}


def _problem_statuses(operation: dict[str, Any]) -> list[int]:
    statuses = [400, 403, 404, 409, 500]
    if operation.get("security"):
        statuses.append(401)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    return sorted(statuses)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare every error status of every operation as a ProblemOut in `application/problem+json`.

    Statuses an operation declares itself are kept, but any error (4xx/5xx) response is moved to
    the problem+json media type, which is what the API actually sends.
    """
    problem_schema = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(problem_schema.pop("$defs", {}))
    components["ProblemOut"] = problem_schema
    reference = {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status in _problem_statuses(operation):
                # ninja keys responses by int; so do we, or 404 and "404" would both appear.
                responses.setdefault(status, {"description": PROBLEM_DESCRIPTIONS[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {PROBLEM_CONTENT_TYPE: reference}
    return schema


def install_failure_handlers(api: NinjaAPI) -> None:
    """problem+json for what is not a domain error: database range errors, and any crash."""

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The schemas bound every number, so reaching here means one bound is missing: the
        # client still gets a 422, and the log names the request so the bound can be added.
        out_of_range_logger.warning(
            "Out-of-range value reached the database: %s %s",
            request.method,
            request.path,
            exc_info=exc,
        )
        return problem_response(
            api,
            request,
            status=422,
            title=gettext_noop("The request is not well-formed"),
            detail=gettext("A value is outside the range that can be stored."),
            code="out-of-range",
        )

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(
            api,
            request,
            status=403,
            title=gettext_noop("Not allowed"),
            detail=str(exc) or gettext("Not allowed."),
            code="forbidden",
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged and signalled the way Django does for its own 500s, so error mails, error
        # trackers and the test client (which re-raises it) still see the crash.
        unexpected_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        got_request_exception.send(sender=None, request=request)
        response = problem_response(
            api,
            request,
            status=500,
            title=gettext_noop("Internal server error"),
            detail=gettext("Something went wrong on our side; it has been logged."),
            code="internal",
        )
        # Django would log the 500 again, without the traceback; it was logged above.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    @api.exception_handler(DatabaseError)
    def lock_failure(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
        # A deadlock, serialization failure or lock timeout that no use case retried: the
        # request lost a race, it is not broken, so 409 "try again" rather than a 500. Any
        # other database error is a bug, answered like every other crash.
        if not is_lock_failure(exc):
            return unexpected(request, exc)
        return problem_response(
            api,
            request,
            status=409,
            title=gettext_noop("Try again"),
            detail=gettext(TRY_AGAIN),
            code="try-again",
        )


class ProblemJsonAPI(NinjaAPI):
    """A NinjaAPI whose every answer outside its operations is problem+json too.

    Django would answer an unknown path under the API's prefix with its HTML 404 page, and
    ninja a known path with a method it does not serve with a plain-text 405: both are turned
    into problems here, and the published schema declares the error responses (see
    `document_problems`). A JSON body that is not an object is refused (`ObjectBodyParser`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", ObjectBodyParser())
        super().__init__(*args, **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_problems(super().get_openapi_schema(*args, **kwargs))

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = self._problem_view(url.callback)

        @csrf_exempt
        def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return self._unknown_path(request)

        # Last, so it only answers what no operation (and no docs page) matched.
        urls.append(re_path(r"^.*$", unknown_path, name="unknown-path"))
        return urls

    def _problem_view(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def problem_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                # ninja's root view raises it outside any operation's handlers.
                return self._unknown_path(request)
            if response.status_code == 405 and response.get("Content-Type") != (
                PROBLEM_CONTENT_TYPE
            ):
                allowed = response["Allow"]
                problem = problem_response(
                    self,
                    request,
                    status=405,
                    title=gettext_noop("Method not allowed"),
                    detail=gettext("%(method)s is not allowed here; allowed: %(allowed)s.")
                    % {"method": request.method, "allowed": allowed},
                    code="method-not-allowed",
                )
                problem["Allow"] = allowed
                return problem
            return response

        return problem_view

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        return problem_response(
            self,
            request,
            status=404,
            title=gettext_noop("Not found"),
            detail=gettext("No API operation at %(path)s.") % {"path": request.path},
            code="not-found",
        )
