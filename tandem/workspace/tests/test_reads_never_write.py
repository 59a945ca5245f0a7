"""Reads never write: every page and API endpoint a pair can GET about their relationship leaves
every table as it was, while the pages still show the draft agreement and the journey (read in
memory until a write stores them).

The matrix is not a hand-kept list: it walks the URL configuration and the OpenAPI document for
every GET route whose only parameter is the relationship, so a page added later is covered.
"""

import re
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.agreements.models import DEFAULT_CONFIDENTIALITY
from tandem.meetings.tests.factories import schedule

# Pages every fresh pair has; the walk must find them (it finds more).
EXPECTED_PAGES = {
    "/relationships/{relationship_id}/",
    "/relationships/{relationship_id}/agreement/",
    "/relationships/{relationship_id}/journey/",
    "/relationships/{relationship_id}/goals/",
    "/relationships/{relationship_id}/meetings/",
}
MEETING_MODE = "/relationships/{relationship_id}/meetings/{meeting_id}/mode/"
EXPECTED_ENDPOINTS = {
    "/api/v1/relationships/{relationship_id}/agreement",
    "/api/v1/relationships/{relationship_id}/journey",
}


# The managers' pages about a pair (relationship health, docs/decisions/0008): the pair is
# refused, by design; a refusal writes nothing either.
MANAGERS_ONLY = {
    "/relationships/{relationship_id}/health/",
    "/api/v1/relationships/{relationship_id}/health",
}


# Visits that record something on purpose, through a service the view calls (not a selector):
# opening the message thread marks it read for the reader.
RECORDED_ON_PURPOSE = {"conversations.MessageRead"}


def _row_counts() -> dict[str, int]:
    """How many rows every table of the project holds (but those recorded on purpose)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in RECORDED_ON_PURPOSE
    }


def _page_routes(parameters: list[str]) -> list[str]:
    """Every HTML route whose parameters are `parameters`, as "/.../{relationship_id}/..."."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                names = re.findall(r"<(?:\w+:)?(\w+)>", route)
                if names == parameters and not route.startswith("api/"):
                    found.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _api_routes(client: Any) -> list[str]:
    """Every API GET whose only path parameter is `relationship_id`."""
    document = client.get("/api/v1/openapi.json").json()
    routes = []
    for path, operations in document["paths"].items():
        if "get" in operations and re.findall(r"{(\w+)}", path) == ["relationship_id"]:
            routes.append(path)
    return sorted(routes)


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_every_get_of_a_fresh_pair_writes_nothing(pair, client, api_as, side):
    # given a fresh pair with a meeting booked: no agreement, template or journey stored
    user = getattr(pair, side)
    meeting = schedule(pair.relationship, actor=pair.mentor)
    client.force_login(user)
    api = api_as(user)
    pages = _page_routes(["relationship_id"])
    meeting_pages = _page_routes(["relationship_id", "meeting_id"])
    endpoints = _api_routes(api)
    assert set(pages) >= EXPECTED_PAGES
    assert MEETING_MODE in meeting_pages
    assert set(endpoints) >= EXPECTED_ENDPOINTS
    ids = {"relationship_id": pair.relationship.pk, "meeting_id": meeting.pk}
    before = _row_counts()
    # when: every page and every endpoint is read
    answers = {route: client.get(route.format(**ids)) for route in pages + meeting_pages}
    answers |= {route: api.get(route.format(**ids)) for route in endpoints}
    # then: each read answered (a POST-only route answers 405, a managers' page 403) and no
    # table changed
    statuses = {route: response.status_code for route, response in answers.items()}
    assert {route: statuses[route] for route in MANAGERS_ONLY} == dict.fromkeys(MANAGERS_ONLY, 403)
    assert {
        route: status
        for route, status in statuses.items()
        if status not in (200, 405) and route not in MANAGERS_ONLY
    } == {}
    assert {route for route, status in statuses.items() if status == 200} >= (
        EXPECTED_PAGES | EXPECTED_ENDPOINTS | {MEETING_MODE}
    )
    assert _row_counts() == before
    # and: the pages show the draft agreement and the default journey
    hub = answers["/relationships/{relationship_id}/"].content.decode()
    assert "Draft" in hub
    assert "Sign the mentoring agreement" in hub
    agreement_page = answers["/relationships/{relationship_id}/agreement/"].content.decode()
    assert DEFAULT_CONFIDENTIALITY.split(".")[0] in agreement_page
    journey_page = answers["/relationships/{relationship_id}/journey/"].content.decode()
    assert "Sign the mentoring agreement" in journey_page
    assert "Tick it on the journey page" in answers[MEETING_MODE].content.decode()
    agreement = answers["/api/v1/relationships/{relationship_id}/agreement"].json()
    assert (agreement["status"], agreement["version"], agreement["signed_versions"]) == (
        "draft",
        1,
        [],
    )
    journey = answers["/api/v1/relationships/{relationship_id}/journey"].json()
    assert journey["total_count"] > 0
    assert all(stage["id"] is None for stage in journey["stages"])
