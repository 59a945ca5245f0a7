"""The SCIM 2.0 endpoints (RFC 7644) of one organisation: /scim/v2/<organisation slug>/.

Plain Django views, because SCIM has its own content type (application/scim+json), its own
error shape and its own authentication (the organisation's SCIM bearer tokens, never a
person's session or API token). Each view is thin: authenticate, parse through scim2-models,
call a selector or a service, answer through scim2-models.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    Group,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)

from tandem.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tandem.core.links import absolute_url
from tandem.provisioning import filters, scim, selectors, services
from tandem.provisioning.actors import Provisioner

CONTENT_TYPE = "application/scim+json"
View = Callable[..., HttpResponse]


def _response(
    payload: dict[str, Any] | None,
    status: int = 200,
    *,
    etag: str | None = None,
    location: str | None = None,
) -> HttpResponse:
    response = HttpResponse(
        b"" if payload is None else json.dumps(payload).encode(),
        status=status,
        content_type=CONTENT_TYPE,
    )
    if etag:
        response["ETag"] = etag
    if location:
        response["Location"] = location
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, detail=detail, scim_type=scim_type)
    response = _response(error.model_dump(scim_ctx=Context.DEFAULT), status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
    return response


def _from_scim_exception(exc: SCIMException) -> HttpResponse:
    error = exc.to_error()
    return _response(error.model_dump(scim_ctx=Context.DEFAULT), int(error.status or 400))


def _from_domain_error(exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFound):
        return _error(404, exc.detail)
    if isinstance(exc, Conflict):
        uniqueness = any("in use" in e.message for e in exc.errors)
        return _error(409, exc.detail, "uniqueness" if uniqueness else None)
    if isinstance(exc, Forbidden):
        return _error(403, exc.detail)
    if isinstance(exc, InvalidInput):
        detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail
        return _error(400, detail, "invalidValue")
    return _error(400, exc.detail)


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def scim_endpoint(view: View) -> View:
    """Authenticate with the organisation's SCIM token, and answer every failure in SCIM's
    error format: 401 without a valid token of this organisation, then the view's errors."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = services.scim_token_authenticate(
            raw_token=_bearer(request), organization_slug=org_slug
        )
        if actor is None:
            return _error(401, "A valid SCIM token of this organisation is required.")
        base_url = absolute_url(f"/scim/v2/{org_slug}", request=request)
        try:
            return view(request, actor, base_url, *args, **kwargs)
        except SCIMException as exc:
            return _from_scim_exception(exc)
        except DomainError as exc:
            return _from_domain_error(exc)
        except ValidationError as exc:
            errors = Error.from_validation_errors(exc.errors())
            first = errors[0] if errors else Error(status=400, detail=str(exc))
            return _response(first.model_dump(scim_ctx=Context.DEFAULT), int(first.status or 400))

    return wrapped


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidValueException(detail=f"The body is not JSON: {exc}.") from exc
    if not isinstance(payload, dict):
        raise InvalidValueException(detail="The body must be a JSON object.")
    return payload


def _method_not_allowed(allowed: str) -> HttpResponse:
    response = _error(405, f"Use {allowed} here.")
    response["Allow"] = allowed
    return response


def _response_parameters(query: Any) -> ResponseParameters[Any] | None:
    attributes = query.get("attributes")
    excluded = query.get("excludedAttributes")
    if not attributes and not excluded:
        return None
    return ResponseParameters.model_validate(
        {"attributes": attributes or None, "excludedAttributes": excluded or None}
    )


def _dump(resource: Any, context: Context, request: HttpRequest | None = None) -> dict[str, Any]:
    parameters = _response_parameters(request.GET) if request is not None else None
    return dict(resource.model_dump(scim_ctx=context, response_parameters=parameters))


def _check_if_match(request: HttpRequest, version: str | None) -> None:
    expected = request.headers.get("If-Match")
    if (
        expected
        and expected.strip() != "*"
        and version not in [tag.strip() for tag in expected.split(",")]
    ):
        raise PreconditionFailedException(
            detail="The resource changed since you read it (If-Match does not match its ETag)."
        )


def _not_modified(request: HttpRequest, version: str | None) -> bool:
    tags = request.headers.get("If-None-Match")
    return bool(tags and version in [tag.strip() for tag in tags.split(",")])


# --- discovery ---------------------------------------------------------------------------


@scim_endpoint
def service_provider_config(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed("GET")
    config = scim.service_provider_config(base)
    return _response(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _listing(model: Any, items: list[Any]) -> dict[str, Any]:
    listing: ListResponse[Any] = ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE)


@scim_endpoint
def resource_types(
    request: HttpRequest, actor: Provisioner, base: str, name: str = ""
) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed("GET")
    types = scim.resource_types(base)
    if not name:
        return _response(_listing(ResourceType, types))
    for resource_type in types:
        if resource_type.id == name:
            return _response(resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No resource type is named {name!r}.")


@scim_endpoint
def schemas(request: HttpRequest, actor: Provisioner, base: str, uri: str = "") -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed("GET")
    published = scim.schemas(base)
    if not uri:
        return _response(_listing(Schema, published))
    for schema in published:
        if schema.id == uri:
            return _response(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No schema has the id {uri!r}.")


@csrf_exempt
def not_found(request: HttpRequest, org_slug: str, rest: str = "") -> HttpResponse:
    """Anything else under the base URL: SCIM's 404 (after the token is checked)."""
    return _unknown(request, org_slug=org_slug)


@scim_endpoint
def _unknown(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    raise NotFoundException(detail=f"{request.path} is not a SCIM endpoint of Tandem.")


# --- listing -----------------------------------------------------------------------------


def _page(query: dict[str, str]) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = query.get(name, "")
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise InvalidValueException(
                detail=f"{name} must be a whole number, not {raw!r}."
            ) from exc

    start = max(number("startIndex", 1), 1)
    count = min(max(number("count", scim.DEFAULT_COUNT), 0), scim.MAX_COUNT)
    return start, count


def _ordered(
    query: dict[str, str], queryset: QuerySet[Any], columns: dict[str, filters.Column], urn: str
) -> QuerySet[Any]:
    sort_by = query.get("sortBy", "")
    if not sort_by:
        return queryset.order_by("pk")
    field = filters.sort_field(sort_by, columns=columns, resource_urn=urn)
    descending = query.get("sortOrder", "ascending").lower() == "descending"
    return queryset.order_by(f"-{field}" if descending else field, "pk")


def _list(
    query: dict[str, str], model: Any, queryset: QuerySet[Any], render: Callable[[Any], Any]
) -> HttpResponse:
    start, count = _page(query)
    total = queryset.count()
    rows = list(queryset[start - 1 : start - 1 + count]) if count else []
    parameters = _response_parameters(query)
    listing: ListResponse[Any] = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[render(row) for row in rows] if count else None,
    )
    payload = listing.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters)
    return _response(payload)


# --- Users -------------------------------------------------------------------------------


def _user_answer(
    request: HttpRequest, actor: Provisioner, base: str, user_id: int, status: int = 200
) -> HttpResponse:
    person = selectors.scim_user_get(organization_id=actor.organization_id, user_id=str(user_id))
    resource = scim.user_resource(person, base)
    return _response(
        _dump(resource, Context.RESOURCE_QUERY_RESPONSE, request),
        status,
        etag=resource.meta.version,
        location=resource.meta.location if status == 201 else None,
    )


def _query(request: HttpRequest) -> dict[str, str]:
    """The query of a listing: GET's parameters, or the SearchRequest of POST /.search."""
    if request.method == "GET":
        return {key: request.GET[key] for key in request.GET}
    search: SearchRequest[Any] = SearchRequest.model_validate(
        _body(request), scim_ctx=Context.SEARCH_REQUEST
    )
    query = {
        "filter": str(search.filter) if search.filter else "",
        "sortBy": str(search.sort_by) if search.sort_by else "",
        "sortOrder": search.sort_order.value if search.sort_order else "",
        "startIndex": str(search.start_index or ""),
        "count": "" if search.count is None else str(search.count),
        "attributes": ",".join(str(a) for a in search.attributes or []),
        "excludedAttributes": ",".join(str(a) for a in search.excluded_attributes or []),
    }
    return {key: value for key, value in query.items() if value}


def _user_listing(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    query = _query(request)
    queryset = selectors.scim_user_queryset(organization_id=actor.organization_id)
    if query.get("filter"):
        queryset = queryset.filter(filters.user_filter(query["filter"])).distinct()
    queryset = _ordered(query, queryset, filters.USER_COLUMNS, filters.USER_URN)
    return _list(query, scim.ScimUser, queryset, lambda person: scim.user_resource(person, base))


@scim_endpoint
def users_search(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed("POST")
    return _user_listing(request, actor, base)


@scim_endpoint
def groups_search(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed("POST")
    return _group_listing(request, actor, base)


@scim_endpoint
def root_search(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    """POST /.search over every resource type at once: not offered (RFC 7644 §3.4.3 allows
    501); search /Users/.search or /Groups/.search."""
    return _error(
        501,
        "Search /Users/.search or /Groups/.search; Tandem does not search "
        "several resource types at once.",
    )


@scim_endpoint
def users(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    if request.method == "GET":
        return _user_listing(request, actor, base)
    if request.method == "POST":
        resource = scim.ScimUser.model_validate(
            scim.with_manager_reference(_body(request), base),
            scim_ctx=Context.RESOURCE_CREATION_REQUEST,
        )
        person = services.scim_user_create(actor=actor, fields=scim.person_fields(resource))
        return _user_answer(request, actor, base, person.pk, status=201)
    return _method_not_allowed("GET, POST")


@scim_endpoint
def user_detail(request: HttpRequest, actor: Provisioner, base: str, user_id: str) -> HttpResponse:
    with transaction.atomic():
        person = selectors.scim_user_get(organization_id=actor.organization_id, user_id=user_id)
        current = scim.user_resource(person, base)
        if request.method == "GET":
            if _not_modified(request, current.meta.version):
                return _response(None, 304, etag=current.meta.version)
            return _user_answer(request, actor, base, person.pk)
        if request.method not in ("PUT", "PATCH", "DELETE"):
            return _method_not_allowed("GET, PUT, PATCH, DELETE")
        _check_if_match(request, current.meta.version)
        if request.method == "DELETE":
            services.scim_user_delete(actor=actor, user=person)
            return HttpResponse(status=204)
        if request.method == "PUT":
            resource = scim.ScimUser.model_validate(
                scim.with_manager_reference(_body(request), base),
                scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
            )
        else:
            patch = PatchOp[scim.ScimUser].model_validate(
                _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )
            resource = current
            patch.patch(resource)
        services.scim_user_replace(actor=actor, user=person, fields=scim.person_fields(resource))
    return _user_answer(request, actor, base, person.pk)


# --- Groups ------------------------------------------------------------------------------


def _group_answer(
    request: HttpRequest, actor: Provisioner, base: str, group_id: int, status: int = 200
) -> HttpResponse:
    group = selectors.scim_group_get(organization_id=actor.organization_id, group_id=str(group_id))
    resource = scim.group_resource(group, base)
    return _response(
        _dump(resource, Context.RESOURCE_QUERY_RESPONSE, request),
        status,
        etag=resource.meta.version if resource.meta else None,
        location=resource.meta.location if resource.meta and status == 201 else None,
    )


def _group_listing(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    query = _query(request)
    queryset = selectors.scim_group_queryset(organization_id=actor.organization_id)
    if query.get("filter"):
        queryset = queryset.filter(filters.group_filter(query["filter"])).distinct()
    queryset = _ordered(query, queryset, filters.GROUP_COLUMNS, filters.GROUP_URN)
    return _list(query, Group, queryset, lambda group: scim.group_resource(group, base))


@scim_endpoint
def groups(request: HttpRequest, actor: Provisioner, base: str) -> HttpResponse:
    if request.method == "GET":
        return _group_listing(request, actor, base)
    if request.method == "POST":
        resource = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        group = services.scim_group_create(actor=actor, fields=scim.group_fields(resource))
        return _group_answer(request, actor, base, group.pk, status=201)
    return _method_not_allowed("GET, POST")


@scim_endpoint
def group_detail(
    request: HttpRequest, actor: Provisioner, base: str, group_id: str
) -> HttpResponse:
    with transaction.atomic():
        group = selectors.scim_group_get(organization_id=actor.organization_id, group_id=group_id)
        current = scim.group_resource(group, base)
        version = current.meta.version if current.meta else None
        if request.method == "GET":
            if _not_modified(request, version):
                return _response(None, 304, etag=version)
            return _group_answer(request, actor, base, group.pk)
        if request.method not in ("PUT", "PATCH", "DELETE"):
            return _method_not_allowed("GET, PUT, PATCH, DELETE")
        _check_if_match(request, version)
        if request.method == "DELETE":
            services.scim_group_delete(actor=actor, group=group)
            return HttpResponse(status=204)
        if request.method == "PUT":
            resource = Group.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
        else:
            patch = PatchOp[Group].model_validate(
                _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )
            resource = current
            patch.patch(resource)
        services.scim_group_replace(actor=actor, group=group, fields=scim.group_fields(resource))
    return _group_answer(request, actor, base, group.pk)
