"""The API's contract is committed (docs/openapi.json); a change to it must be deliberate."""

import enum
import json
import typing
from collections import defaultdict
from pathlib import Path
from typing import Any

from ninja.openapi.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from config.api import api
from tandem.core.schemas import InputSchema

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def _normalised(schema: object) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False)


def test_openapi_is_3_1_and_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_matches_the_committed_snapshot():
    current = _normalised(api.get_openapi_schema(path_prefix="/api/v1/"))
    committed = _normalised(json.loads(SNAPSHOT.read_text()))
    assert current == committed, (
        "The API changed. If that is intended, run `make openapi` and commit docs/openapi.json."
    )


# --- one name, one shape; every error declared ---------------------------------------------


def _live_schema() -> dict[str, Any]:
    # As served: through JSON, so response statuses are strings as a client sees them.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in _live_schema()["paths"].items()
        for method, operation in item.items()
    ]


def _named_types(annotation: Any, found: dict[str, set[str]], seen: set[Any]) -> None:
    """Every pydantic model and enum an annotation reaches, by the name its component gets."""
    if annotation in seen:
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        seen.add(annotation)
        found[annotation.__name__].add(f"{annotation.__module__}.{annotation.__qualname__}")
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                _named_types(field.annotation, found, seen)
        return
    for argument in typing.get_args(annotation):
        _named_types(argument, found, seen)


def _bound_operations() -> list[Any]:
    return [
        operation
        for bound_router in api._get_bound_routers()
        for path_view in bound_router.path_operations.values()
        for operation in path_view.operations
    ]


def test_no_two_schema_classes_share_a_component_name():
    # given every model and enum an operation takes or answers (ninja's own per-operation
    # wrappers aside: they never become components)
    found: dict[str, set[str]] = defaultdict(set)
    seen: set[Any] = set()
    for operation in _bound_operations():
        for wrapper in (operation.response_models or {}).values():
            if wrapper is not None and hasattr(wrapper, "model_fields"):
                _named_types(wrapper.model_fields["response"].annotation, found, seen)
        for wrapper in operation.models:
            for field in wrapper.model_fields.values():
                _named_types(field.annotation, found, seen)
    # then one name is one class: OpenAPI components are keyed by the class name, so two
    # classes under one name publish one shape for both
    assert len(found) > 150
    assert {name: sorted(paths) for name, paths in found.items() if len(paths) > 1} == {}


def test_every_component_has_the_shape_of_every_operation_that_uses_it():
    # given each operation's own schemas, generated as ninja does for that operation alone
    shapes: dict[str, set[str]] = defaultdict(set)
    answered: set[str] = set()
    for operation in _bound_operations():
        responses = [
            wrapper
            for wrapper in (operation.response_models or {}).values()
            if wrapper is not None and hasattr(wrapper, "model_json_schema")
        ]
        for wrapper in [*responses, *operation.models]:
            generated = wrapper.model_json_schema(
                ref_template="#/components/schemas/{model}",
                by_alias=operation.by_alias if wrapper in responses else True,
                schema_generator=NinjaGenerateJsonSchema,
                mode="serialization" if wrapper in responses else "validation",
            )
            for name, shape in generated.get("$defs", {}).items():
                shapes[name].add(json.dumps(shape, sort_keys=True))
                if wrapper in responses:
                    answered.add(name)
    # then each name has one shape whichever operation uses it
    differing = {name: len(found) for name, found in shapes.items() if len(found) > 1}
    assert differing == {}
    # and what an operation answers is published as that shape (ninja flattens query
    # schemas into parameters, so only answers are compared whole)
    components = _live_schema()["components"]["schemas"]
    for name in answered:
        assert components[name] == json.loads(next(iter(shapes[name]))), name


STANDARD_ERRORS = {"400", "403", "404", "409", "500"}


def test_every_operation_declares_its_error_responses_as_problem_json():
    # given every operation of the published schema
    operations = _operations()
    assert len(operations) > 150
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = set(STANDARD_ERRORS)
        if operation.get("security"):
            expected.add("401")
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        # then each error it can answer is declared
        assert expected <= set(responses), (method, path, sorted(responses))
        # and every error response is a ProblemOut in problem+json; no success is
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/ProblemOut"}
                    }
                }, (method, path, status)
            else:
                assert "application/problem+json" not in response.get("content", {})


def test_problem_out_is_the_shape_the_handlers_send(cast, api_as):
    # given the published ProblemOut and a real problem (a 422 with field errors)
    component = _live_schema()["components"]["schemas"]["ProblemOut"]
    client = api_as(cast.admin)
    response = client.client.generic(
        "POST", f"/api/v1/members/{cast.member.pk}/role", headers=client.headers
    )
    body = response.json()
    # then every key it sends is declared, and every required key is sent
    assert set(body) <= set(component["properties"])
    assert set(component["required"]) <= set(body)
    assert set(component["required"]) == {"type", "title", "status", "detail"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded_integers(
    schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(schema, components)
    found = []
    if schema.get("type") == "integer" and not (
        "minimum" in schema and "maximum" in schema and schema["maximum"] <= 2**63 - 1
    ):
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded_integers(option, components, where, seen)
    for name, child in schema.get("properties", {}).items():
        found += _unbounded_integers(child, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _unbounded_integers(schema[key], components, f"{where}[]", seen)
    return found


def test_every_integer_a_client_sends_is_bounded():
    # given every request body of the published schema
    schema = _live_schema()
    components = schema["components"]["schemas"]
    unbounded = []
    for path, method, operation in _operations():
        for media in operation.get("requestBody", {}).get("content", {}).values():
            unbounded += _unbounded_integers(
                media["schema"], components, f"{method.upper()} {path} body", set()
            )
    # then every integer in them has a minimum and a maximum the database can hold, so an
    # out-of-range number is a 422 from validation, never a database error
    assert unbounded == []


def test_every_json_request_body_is_an_object():
    # ObjectBodyParser refuses any JSON body that is not an object: true only while every
    # operation's body is one (or an optional one).
    schema = _live_schema()
    components = schema["components"]["schemas"]
    shapes = []
    for path, method, operation in _operations():
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if media is not None:
            body = _resolve(media["schema"], components)
            options = [_resolve(option, components) for option in body.get("anyOf", [body])]
            shapes.append(
                (method, path, sorted({option.get("type", "?") for option in options} - {"null"}))
            )
    assert len(shapes) > 60
    assert [shape for shape in shapes if shape[2] != ["object"]] == []


def test_every_model_a_request_body_reaches_is_an_input_schema():
    # given every pydantic model reachable from an operation's body (ninja's wrapper aside)
    found: dict[str, set[str]] = defaultdict(set)
    seen: set[Any] = set()
    for operation in _bound_operations():
        for wrapper in operation.models:
            if wrapper.__ninja_param_source__ == "body":
                for field in wrapper.model_fields.values():
                    _named_types(field.annotation, found, seen)
    models = [model for model in seen if isinstance(model, type) and issubclass(model, BaseModel)]
    # then each takes a JSON object only (ninja's Schema alone takes any value from attributes)
    assert len(models) > 60
    assert sorted(m.__qualname__ for m in models if not issubclass(m, InputSchema)) == []
