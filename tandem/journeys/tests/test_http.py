import re

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.journeys.models import StepCompletion
from tandem.journeys.services import step_complete
from tandem.journeys.tests.factories import started_days_ago, state, step_named

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_editor_api_authorization_matrix(cast, api_as, actor_name):
    # given
    actor = cast.by_name(actor_name)
    stage_id = step_named(cast.program.pk, "Set at least one goal").stage_id
    before = state()
    # when
    read = api_as(actor).get(f"programs/{cast.program.pk}/journey")
    write = api_as(actor).put(
        f"programs/{cast.program.pk}/journey/stages/{stage_id}", {"title": "Goals"}
    )
    # then
    expected = {"anonymous": 401, "outsider": 404, "manager": 200, "admin": 200}.get(
        actor_name, 403
    )
    assert (read.status_code, write.status_code) == (expected, expected)
    if expected == 200:
        assert [s["key"] for s in write.json()["stages"]][1] == "setting-goals"
        assert write.json()["stages"][1]["title"] == "Goals"
    else:
        assert state() == before


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_editor_page_authorization_matrix(client, cast, actor_name):
    # given
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    step = step_named(cast.program.pk, "Set at least one goal")
    before = state()
    # when
    page = client.get(reverse("journeys:editor", args=[cast.program.pk]))
    post = client.post(
        reverse("journeys:step_delete", args=[cast.program.pk, step.pk]), headers=HTMX
    )
    # then
    if actor is None:
        assert (page.status_code, post.status_code) == (302, 302)
    else:
        expected = {"outsider": 404, "manager": 200, "admin": 200}.get(actor_name, 403)
        assert (page.status_code, post.status_code) == (expected, expected)
    if actor_name in ("manager", "admin"):
        assert b"Set at least one goal" in page.content
        assert b"Set at least one goal" not in post.content
    else:
        assert state() == before


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_pair_journey_authorization_matrix(client, api_as, pair, actor_name):
    # given
    actor = pair.by_name(actor_name)
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    rid = pair.relationship.pk
    base = f"relationships/{rid}/journey"
    # when
    read = api_as(actor).get(base)
    tick = api_as(actor).post(f"{base}/steps/{step.pk}/complete")
    if actor is not None:
        client.force_login(actor)
    page = client.get(reverse("journeys:relationship", args=[rid]))
    # then
    is_party = actor_name in ("mentor", "mentee")
    expected = 200 if is_party else (401 if actor is None else 404)
    assert (read.status_code, tick.status_code) == (expected, expected)
    assert page.status_code == (200 if is_party else (302 if actor is None else 404))
    assert StepCompletion.objects.count() == (1 if is_party else 0)
    if is_party:
        assert read.json()["current_stage"] == "getting-started"
        assert tick.json()["step_id"] == step.pk


def test_auto_step_answers_409_and_untick_204(api_as, pair):
    # given
    rid = pair.relationship.pk
    sign = step_named(pair.cast.program.pk, "Sign the mentoring agreement")
    manual = step_named(pair.cast.program.pk, "Agree how you will track progress")
    api = api_as(pair.mentee)
    # when
    refused = api.post(f"relationships/{rid}/journey/steps/{sign.pk}/complete")
    api.post(f"relationships/{rid}/journey/steps/{manual.pk}/complete")
    untick = api.delete(f"relationships/{rid}/journey/steps/{manual.pk}/complete")
    # then
    assert refused.status_code == 409
    assert refused.json()["status"] == 409
    assert untick.status_code == 204
    assert StepCompletion.objects.count() == 0


def test_pair_page_tick_with_htmx(client, pair):
    # given
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    client.force_login(pair.mentor)
    url = reverse("journeys:step_toggle", args=[pair.relationship.pk, step.pk])
    # when
    response = client.post(url, {"done": "1"}, headers=HTMX)
    # then
    assert response.status_code == 200
    assert b'id="journey"' in response.content
    assert StepCompletion.objects.filter(step=step, completed_by=pair.mentor).count() == 1
    # and an auto step refused inline with 200
    sign = step_named(pair.cast.program.pk, "Sign the mentoring agreement")
    refused = client.post(
        reverse("journeys:step_toggle", args=[pair.relationship.pk, sign.pk]),
        {"done": "1"},
        headers=HTMX,
    )
    assert refused.status_code == 200
    assert b"completes itself" in refused.content


def test_editor_step_create_inline_error(client, cast):
    # given
    step = step_named(cast.program.pk, "Set at least one goal")
    client.force_login(cast.manager)
    prefix = f"new-step-{step.stage_id}"
    before = state()
    # when both due fields are given
    response = client.post(
        reverse("journeys:step_create", args=[cast.program.pk, step.stage_id]),
        {
            f"{prefix}-title": "Read",
            f"{prefix}-due_offset_days": "3",
            f"{prefix}-due_at_percent": "50",
            f"{prefix}-completion": "manual",
            f"{prefix}-meetings_count": "1",
        },
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert b"not both" in response.content
    assert state() == before


def test_page_query_budgets(client, pair, django_assert_max_num_queries):
    # given
    step_named(pair.cast.program.pk, "Set at least one goal")
    client.force_login(pair.mentee)
    # then: session, user, unread count, guard, steps with the pair's ticks, resources, signals
    with django_assert_max_num_queries(7):
        assert (
            client.get(reverse("journeys:relationship", args=[pair.relationship.pk])).status_code
            == 200
        )
    client.force_login(pair.cast.manager)
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("journeys:editor", args=[pair.cast.program.pk])).status_code == 200
        )


EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b1b\u2b1c\u2705]")
MARKED_STEP = re.compile(
    r'data-testid="(?:journey|panel)-step".*?data-status="(\w+)".*?'
    r'<span class="visually-hidden">([^<]+)</span>.*?([A-Z][^<]+?)\s*</',
    re.S,
)


def test_step_markers_say_the_status_in_words_not_emoji(client, pair):
    # given a relationship ten days in: the agreement (due day 7) is late, the first meeting
    # (day 14) due soon, a goal (day 30) still to do, and one manual step ticked
    started_days_ago(pair.relationship, 10)
    program_id = pair.cast.program.pk
    share = step_named(program_id, "Share what you hope to get out of the mentoring")
    step_complete(actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=share.pk)
    client.force_login(pair.mentor)
    # when
    journey = client.get(reverse("journeys:relationship", args=[pair.relationship.pk]))
    hub = client.get(f"/relationships/{pair.relationship.pk}/")
    # then auto steps carry a marker whose hidden word is their status (the manual ones are
    # checkboxes, which say it themselves)
    journey_html, hub_html = journey.content.decode(), hub.content.decode()
    assert MARKED_STEP.findall(journey_html) == [
        ("overdue", "Overdue", "Sign the mentoring agreement"),
        ("due", "Due soon", "Hold the first meeting"),
        ("todo", "To do", "Set at least one goal"),
        ("todo", "To do", "Hold three meetings"),
        ("todo", "To do", "Hold a mid-point review meeting"),
        ("todo", "To do", "Give each other feedback"),
        ("todo", "To do", "Complete the relationship"),
    ]
    assert f'id="tick-{share.pk}" checked' in journey_html
    # and the hub's panel marks every step of the current stage, the ticked one as done
    assert MARKED_STEP.findall(hub_html) == [
        ("overdue", "Overdue", "Sign the mentoring agreement"),
        ("due", "Due soon", "Hold the first meeting"),
        ("done", "Done", "Share what you hope to get out of the mentoring"),
    ]
    # and neither page draws a status with an emoji
    assert EMOJI.findall(journey_html) == []
    assert EMOJI.findall(hub_html) == []
