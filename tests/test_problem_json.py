"""Every API error is problem+json with the same shape."""

import json
import logging
import re
from functools import cache

import pytest
from django.apps import apps
from django.db import DataError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.api import api
from tandem.core.pagination import MAX_OFFSET
from tandem.core.params import ID_KEY_PATTERN, MAX_BIGINT
from tandem.participants.models import ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory


def test_unknown_api_path_is_problem_json(cast, api_as):
    response = api_as(cast.member).get("no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://tandem.example/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No API operation at /api/v1/no-such-thing.",
    }


def test_malformed_json_body_is_a_problem(cast, api_as):
    client = api_as(cast.admin)
    response = client.client.post(
        f"/api/v1/members/{cast.member.pk}/role",
        data="{not json",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def test_session_auth_requires_csrf(cast):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.admin)
    # a GET with the session works
    assert browser.get("/api/v1/me").status_code == 200
    # a POST without the CSRF token does not, and changes nothing
    response = browser.post(
        f"/api/v1/members/{cast.member.pk}/role",
        data='{"role": "org_admin"}',
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    cast.member.refresh_from_db()
    assert cast.member.role == "member"


def test_an_action_with_only_optional_fields_accepts_no_body(cast, api_as):
    # given a pending application
    from tandem.participants.models import ParticipantStatus
    from tandem.participants.tests.factories import ParticipantFactory

    application = ParticipantFactory(program=cast.program, status=ParticipantStatus.PENDING)
    client = api_as(cast.manager)
    # when the manager approves it with a bare POST
    response = client.client.generic(
        "POST", f"/api/v1/participants/{application.pk}/approve", headers=client.headers
    )
    # then
    assert response.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (ParticipantStatus.ACTIVE, "")


def test_a_required_body_still_names_its_missing_fields(cast, api_as):
    client = api_as(cast.admin)
    response = client.client.generic(
        "POST", f"/api/v1/members/{cast.member.pk}/role", headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "Field required"}]
    cast.member.refresh_from_db()
    assert cast.member.role == "member"


# --- out-of-range numbers, unknown paths, wrong methods and crashes -------------------------


PROBLEM = "application/problem+json"
METHODS = ["get", "post", "put", "patch", "delete"]
FIXTURE_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@cache
def _operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (path, method, operation)
        for path, item in sorted(schema["paths"].items())
        for method, operation in sorted(item.items())
    ]


def _integer_parameters() -> list[tuple[str, str, str, str, dict]]:
    """(path, method, where, name, schema) of every integer path and query parameter."""
    found = []
    for path, method, operation in _operations():
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            kinds = [schema, *schema.get("anyOf", [])]
            integer = next((kind for kind in kinds if kind.get("type") == "integer"), None)
            if integer is not None:
                found.append((path, method, parameter["in"], parameter["name"], integer))
    return found


def _request(client, method: str, path: str, where: str, name: str, value: int):
    # Every other path parameter gets a valid id: the bad one alone must be the problem.
    url = re.sub(r"\{(\w+)\}", lambda m: str(value) if m[1] == name else "1", path)
    query = {name: value} if where == "query" else {}
    if method == "get":
        return client.client.get(url, query, headers=client.headers)
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return client.client.generic(
        method.upper(), url + suffix, "{}", content_type="application/json", headers=client.headers
    )


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _assert_names_the_parameter(response, name: str) -> None:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (
        "https://tandem.example/problems/validation",
        "The request is not well-formed",
        422,
    )
    assert name in [error["field"] for error in body["errors"]], body


def test_every_integer_parameter_is_bounded_in_the_schema():
    # given every integer path and query parameter of the live schema
    parameters = _integer_parameters()
    # then each has both bounds, within what the database can hold
    assert len(parameters) > 150
    unbounded = [
        (path, method, name)
        for path, method, _, name, schema in parameters
        if not (
            schema.get("minimum", -1) >= 0 and schema.get("maximum", MAX_BIGINT + 1) <= MAX_BIGINT
        )
    ]
    assert unbounded == []


def test_every_integer_parameter_past_its_maximum_is_a_422_naming_it(cast, api_as):
    # given an org admin (validation comes before any guard, so the role does not matter)
    client = api_as(cast.admin)
    before = _row_counts()
    # when each integer parameter of each operation gets 2^63 (one past a bigint) in turn
    for path, method, where, name, schema in _integer_parameters():
        response = _request(client, method, path, where, name, schema["maximum"] + 1)
        # then the answer is a 422 problem naming it, never a 500
        _assert_names_the_parameter(response, name)
    # and nothing was written
    assert _row_counts() == before


@FIXTURE_SETTINGS
@given(
    data=st.data(),
    beyond=st.one_of(
        st.integers(min_value=1, max_value=10**40),
        st.integers(min_value=2**63, max_value=2**64),
    ),
    below=st.integers(min_value=-(10**40), max_value=0),
    above=st.booleans(),
)
def test_any_out_of_range_integer_parameter_is_a_422_naming_it(
    cast, api_as, data, beyond, below, above
):
    # given any integer parameter of any operation, and a value outside its range
    path, method, where, name, schema = data.draw(st.sampled_from(_integer_parameters()))
    value = schema["maximum"] + beyond if above else schema["minimum"] - 1 + below
    client = api_as(cast.member)
    before = _row_counts()
    # when it is sent
    response = _request(client, method, path, where, name, value)
    # then
    _assert_names_the_parameter(response, name)
    assert _row_counts() == before


PAGINATED_AS = [
    ("admin", "/api/v1/members"),
    ("manager", "/api/v1/programs/{program_id}/participants"),
    ("manager", "/api/v1/programs/{program_id}/relationships"),
    ("mentee", "/api/v1/relationships/{relationship_id}/goals"),
    ("mentor", "/api/v1/relationships/{relationship_id}/messages"),
]


@pytest.mark.parametrize(("actor", "path"), PAGINATED_AS)
def test_the_largest_offset_is_an_empty_page_not_an_error(pair, api_as, actor, path):
    # given a list the caller may read
    url = path.format(program_id=pair.cast.program.pk, relationship_id=pair.relationship.pk)
    client = api_as(pair.cast.by_name(actor))
    first = client.get(url)
    assert first.status_code == 200
    # when it is asked for the page at the largest offset, with the largest limit
    response = client.get(url, {"offset": MAX_OFFSET, "limit": 500})
    # then it is an empty page with the same count
    assert response.status_code == 200
    # (seek-paged lists answer `next` too: none after an empty page)
    expected = {"items": [], "count": first.json()["count"]}
    if "next" in first.json():
        expected["next"] = None
    assert response.json() == expected


def test_the_offset_bound_is_the_bigint_limit_less_the_largest_page():
    assert MAX_OFFSET + 500 == MAX_BIGINT


@FIXTURE_SETTINGS
@given(
    offset=st.one_of(
        st.integers(min_value=MAX_OFFSET + 1, max_value=10**30), st.integers(max_value=-1)
    ),
    limit=st.one_of(st.integers(min_value=501, max_value=10**30), st.integers(max_value=0)),
    which=st.sampled_from(["offset", "limit"]),
    index=st.integers(min_value=0),
)
def test_an_out_of_range_offset_or_limit_is_a_422_naming_it(
    pair, api_as, offset, limit, which, index
):
    # given any paginated list the caller may read
    actor, path = PAGINATED_AS[index % len(PAGINATED_AS)]
    url = path.format(program_id=pair.cast.program.pk, relationship_id=pair.relationship.pk)
    # when offset or limit is out of range
    response = api_as(pair.cast.by_name(actor)).get(
        url,
        {"offset": offset if which == "offset" else 0, "limit": limit if which == "limit" else 10},
    )
    # then
    _assert_names_the_parameter(response, which)


SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~", min_size=1, max_size=12)


def _is_an_operation(path: str) -> bool:
    patterns = [re.sub(r"\{\w+\}", "[^/]+", known) for known, _, _ in _operations()]
    return any(re.fullmatch(pattern, path) for pattern in patterns)


@FIXTURE_SETTINGS
@given(
    segments=st.lists(SEGMENT, min_size=1, max_size=4),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    signed_in=st.booleans(),
)
def test_an_unknown_api_path_is_a_problem_json_404_for_any_method(
    cast, api_as, segments, method, signed_in
):
    # given a path under /api/v1/ that names no operation
    path = "/api/v1/zz-" + "/".join(segments)
    assert not _is_an_operation(path)
    client = api_as(cast.member if signed_in else None)
    # when it is called with any method
    response = client.client.generic(method, path, headers=client.headers)
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    if method != "HEAD":
        assert response.json() == {
            "type": "https://tandem.example/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": f"No API operation at {path}.",
        }


def test_the_api_root_is_a_problem_json_404(cast, api_as):
    response = api_as(cast.member).get("/api/v1/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "No API operation at /api/v1/."


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v1/me", "DELETE"), ("/api/v1/tokens", "PUT"), ("/api/v1/programs", "DELETE")],
)
def test_a_method_an_operation_does_not_serve_is_a_problem_json_405(cast, api_as, path, method):
    # given a known path and a method it does not serve
    client = api_as(cast.admin)
    allowed = sorted(m.upper() for p, m, _ in _operations() if p == path)
    before = _row_counts()
    # when
    response = client.client.generic(method, path, headers=client.headers)
    # then
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert sorted(response["Allow"].split(", ")) == allowed
    body = response.json()
    assert (body["status"], body["title"]) == (405, "Method not allowed")
    assert _row_counts() == before


def _crash(*args, **kwargs):
    raise RuntimeError("a bug")


def test_an_unhandled_exception_is_a_problem_json_500_and_is_logged(
    cast, api_as, monkeypatch, caplog
):
    # given an operation whose code crashes
    from tandem.accounts import api as accounts_api

    monkeypatch.setattr(accounts_api.selectors, "user_list_for_org_admin", _crash)
    client = api_as(cast.admin)
    client.client.raise_request_exception = False
    # when it is called
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("members")
    # then the client gets a problem, not Django's HTML page
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://tandem.example/problems/internal",
        "title": "Internal server error",
        "status": 500,
        "detail": "Something went wrong on our side; it has been logged.",
    }
    # and the crash is logged with its traceback
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /api/v1/members"
    assert record.exc_info[0] is RuntimeError


def test_the_test_client_still_sees_the_crash(cast, api_as, monkeypatch):
    # given the same crash, with the test client's default of re-raising
    from tandem.accounts import api as accounts_api

    monkeypatch.setattr(accounts_api.selectors, "user_list_for_org_admin", _crash)
    # then a test that hits a bug fails loudly
    with pytest.raises(RuntimeError, match="a bug"):
        api_as(cast.admin).get("members")


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        DataError("integer out of range"),
    ],
)
def test_a_database_range_error_is_a_problem_json_422(cast, api_as, monkeypatch, error, caplog):
    # given a query that the database refuses as out of range (a bound missing in a schema)
    from tandem.accounts import api as accounts_api

    def out_of_range(*args, **kwargs):
        raise error

    monkeypatch.setattr(accounts_api.selectors, "user_list_for_org_admin", out_of_range)
    # when
    with caplog.at_level(logging.WARNING, logger="tandem.api"):
        response = api_as(cast.admin).get("members")
    # then a 422 problem, logged as a warning so the bound gets added
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://tandem.example/problems/out-of-range",
        "title": "The request is not well-formed",
        "status": 422,
        "detail": "A value is outside the range that can be stored.",
    }
    assert [r.levelname for r in caplog.records if r.name == "tandem.api"] == ["WARNING"]


def test_a_page_outside_the_api_keeps_django_s_html_404(cast):
    # The HTML pages keep Django's handling: only /api/v1/ answers problem+json.
    client = Client(raise_request_exception=False)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _json_body_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, method, operation in _operations()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


NOT_AN_OBJECT = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.booleans(),
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
)


@FIXTURE_SETTINGS
@given(data=st.data(), body=NOT_AN_OBJECT)
def test_a_json_body_that_is_not_an_object_is_a_422_and_changes_nothing(pair, api_as, data, body):
    # given any operation that takes a JSON body, on the pair's real objects
    path, method = data.draw(st.sampled_from(_json_body_operations()))
    url = re.sub(r"\{(\w+)\}", "1", path).replace(
        "/relationships/1/", f"/relationships/{pair.relationship.pk}/"
    )
    client = api_as(pair.cast.admin)
    before = _row_counts()
    # when its body is a number, a string, a boolean or a list
    response = client.client.generic(
        method.upper(),
        url,
        json.dumps(body),
        content_type="application/json",
        headers=client.headers,
    )
    # then it is refused as malformed, before anything runs
    assert response.status_code == 422, (method, url, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://tandem.example/problems/validation",
        "title": "The request is not well-formed",
        "status": 422,
        "detail": "body: Input should be a JSON object",
        "errors": [{"field": "body", "message": "Input should be a JSON object"}],
    }
    assert _row_counts() == before


@pytest.mark.parametrize("body", [None, "", "{}"])
def test_an_optional_body_may_still_be_absent_null_or_empty(cast, api_as, body):
    # given a pending application, whose approval takes an optional body
    application = ParticipantFactory(program=cast.program, status=ParticipantStatus.PENDING)
    client = api_as(cast.manager)
    # when it is approved with no body, a JSON null or an empty object
    extra = {} if body is None else {"data": "null" if body == "" else body}
    response = client.client.generic(
        "POST",
        f"/api/v1/participants/{application.pk}/approve",
        content_type="application/json",
        headers=client.headers,
        **extra,
    )
    # then
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ParticipantStatus.ACTIVE


def _required_json_body_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, method, operation in _operations()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
        and operation["requestBody"].get("required")
    ]


@FIXTURE_SETTINGS
@given(data=st.data())
def test_a_null_body_where_one_is_required_is_a_422_and_changes_nothing(pair, api_as, data):
    # given any operation whose JSON body is required
    path, method = data.draw(st.sampled_from(_required_json_body_operations()))
    url = re.sub(r"\{(\w+)\}", "1", path).replace(
        "/relationships/1/", f"/relationships/{pair.relationship.pk}/"
    )
    client = api_as(pair.cast.admin)
    before = _row_counts()
    # when the body is JSON null
    response = client.client.generic(
        method.upper(), url, "null", content_type="application/json", headers=client.headers
    )
    # then it is refused as malformed, naming the body
    assert response.status_code == 422, (method, url, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"] == [
        {"field": "body", "message": "Input should be a JSON object"}
    ]
    assert _row_counts() == before


ID_KEYED_BODIES = [
    ("/api/v1/relationships/{relationship_id}/assessments", "ratings", 3),
    ("/api/v1/relationships/{relationship_id}/assessments", "notes", "A note"),
    ("/api/v1/resources/1/check", "answers", 1),
]


def _not_an_id_key(key: str) -> bool:
    return re.fullmatch(ID_KEY_PATTERN, key) is None


@FIXTURE_SETTINGS
@given(
    key=st.text(max_size=20).filter(_not_an_id_key) | st.integers(max_value=0).map(str),
    which=st.sampled_from(ID_KEYED_BODIES),
)
def test_an_object_keyed_by_ids_refuses_any_other_key_as_a_422(pair, api_as, key, which):
    # given a body keyed by ids (the schema publishes the keys' pattern), and another key
    path, field, value = which
    url = path.format(relationship_id=pair.relationship.pk)
    client = api_as(pair.mentee)
    before = _row_counts()
    # when it is sent
    response = client.post(url, {"moment": "start", "ratings": {}, field: {key: value}})
    # then it is malformed, named, and nothing changed
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    assert [error["field"].split(".")[0] for error in response.json()["errors"]] == [field]
    assert _row_counts() == before


def test_the_published_pattern_of_id_keys_is_the_validated_one():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]
    assert components["AssessmentSubmitIn"]["properties"]["ratings"]["propertyNames"] == {
        "pattern": ID_KEY_PATTERN
    }
    assert components["CheckIn"]["properties"]["answers"]["propertyNames"] == {
        "pattern": ID_KEY_PATTERN
    }


@cache
def _numeric_body_fields() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        return node

    found = []
    for path, method, operation in _operations():
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        body = resolve(media["schema"])
        for option in [resolve(option) for option in body.get("anyOf", [body])]:
            for name, field in option.get("properties", {}).items():
                kinds = {kind.get("type") for kind in [field, *field.get("anyOf", [])]}
                if kinds & {"integer", "number"}:
                    found.append((path, method, name))
    return found


@FIXTURE_SETTINGS
@given(data=st.data(), value=st.booleans())
def test_a_boolean_where_a_number_is_expected_is_a_422_naming_it(pair, api_as, data, value):
    # given any number field of any JSON body (pydantic alone would read true as 1)
    path, method, name = data.draw(st.sampled_from(_numeric_body_fields()))
    url = re.sub(r"\{(\w+)\}", "1", path).replace(
        "/relationships/1/", f"/relationships/{pair.relationship.pk}/"
    )
    client = api_as(pair.cast.admin)
    before = _row_counts()
    # when it is sent true or false
    response = client.client.generic(
        method.upper(),
        url,
        json.dumps({name: value}),
        content_type="application/json",
        headers=client.headers,
    )
    # then it is malformed, named, and nothing changed
    assert response.status_code == 422, (method, url, response.content[:300])
    assert {"field": name, "message": "Input should be a number"} in response.json()["errors"]
    assert _row_counts() == before
