"""Reads never write: a programme with no stored journey reads its default in memory, exactly
what a write later stores; the pair can tick a step of it (which stores it), the managers see
it read-only until they start editing, and the scheduler stores it for the journey nudges."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.journeys import selectors, services
from tandem.journeys.defaults import default_stages
from tandem.journeys.models import Journey, Step, StepCompletion
from tandem.journeys.tests.factories import started_days_ago, state
from tandem.programs.models import Program, ProgramFormat, ProgramStatus
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.resources.models import Resource
from tandem.resources.services import starter_content_load

HTMX = {"HX-Request": "true"}
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _rows(steps: list[Step]) -> list[tuple]:
    """What a journey's steps say, whether stored or in memory."""

    def resources(step: Step) -> list[int]:
        found = step.starter_resources if step.pk is None else step.resources.all()  # type: ignore[attr-defined]
        return sorted(resource.pk for resource in found)

    return [
        (
            step.stage.key,
            step.stage.title,
            step.stage.description,
            step.stage.order,
            step.title,
            step.description,
            step.due_offset_days,
            step.due_at_fraction,
            step.completion,
            step.meetings_count,
            step.order,
            resources(step),
        )
        for step in steps
    ]


def _stored_steps(program: Program) -> list[Step]:
    return list(
        Step.objects.filter(stage__journey__program=program)
        .select_related("stage")
        .prefetch_related("resources")
        .order_by("stage__order", "order")
    )


@pytest.mark.parametrize("program_format", ProgramFormat.values)
@pytest.mark.parametrize("hide_one", [False, True])
def test_the_default_read_in_memory_is_exactly_what_is_stored(
    cast, program_format, hide_one, django_assert_num_queries
):
    # given the organisation's starter pieces (one of them hidden, or not)
    starter_content_load(organization=cast.org)
    if hide_one:
        Resource.objects.filter(starter_key="first-meeting-checklist").update(is_hidden=True)
    Program.objects.filter(pk=cast.program.pk).update(format=program_format)
    program = Program.objects.get(pk=cast.program.pk)
    before = state()
    # when
    with django_assert_num_queries(1):
        in_memory = selectors.default_steps(program=program)
    # then: one query, nothing stored, every default step there
    assert state() == before
    assert [step.title for step in in_memory] == [
        step.title for stage in default_stages(program_format) for step in stage.steps
    ]
    # and: storing it stores exactly that
    services.journey_ensure(program=program)
    assert _rows(_stored_steps(program)) == _rows(in_memory)


def _view_rows(view: selectors.JourneyView) -> list[tuple]:
    return [
        (
            stage.stage.key,
            stage.is_current,
            item.step.title,
            item.due_on,
            item.is_done,
            item.overdue,
            item.due_soon,
            item.status,
            [resource.pk for resource in item.resources],
        )
        for stage in view.stages
        for item in stage.steps
    ]


@pytest.mark.django_db
@EXAMPLES
@given(
    days_in=st.integers(min_value=-5, max_value=400),
    program_format=st.sampled_from(ProgramFormat.values),
)
def test_the_pair_reads_the_same_journey_before_and_after_it_is_stored(
    pair, days_in, program_format
):
    with transaction.atomic():
        try:
            # given a pair `days_in` days into a programme of this format, nothing stored
            Program.objects.filter(pk=pair.cast.program.pk).update(format=program_format)
            started_days_ago(pair.relationship, days_in)
            access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
            before = state()
            # when
            unstored = selectors.journey_for_relationship(access=access)
            panel = selectors.journeys_panel(access=access)
            # then: nothing was written
            assert state() == before
            assert Journey.objects.count() == 0
            # and: once stored, the pair reads the same journey (the same dates and states)
            services.journey_ensure(program=Program.objects.get(pk=pair.cast.program.pk))
            stored = selectors.journey_for_relationship(access=access)
            assert _view_rows(unstored) == _view_rows(stored)
            assert (unstored.done_count, unstored.total_count) == (
                stored.done_count,
                stored.total_count,
            )
            assert [item["text"] for item in panel["next_items"]] == [
                item["text"] for item in selectors.journeys_panel(access=access)["next_items"]
            ]
        finally:
            transaction.set_rollback(True)


def _default_manual_step(program: Program) -> Step:
    return next(step for step in selectors.default_steps(program=program) if not step.is_auto)


def _tick_default(client, pair, step: Step, **overrides):
    data = {"done": "1", "stage": step.stage.key, "order": step.order, "title": step.title}
    data.update(overrides)
    return client.post(
        reverse("journeys:step_toggle", args=[pair.relationship.pk, 0]), data, headers=HTMX
    )


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_ticking_a_step_of_the_default_stores_the_journey_then_ticks(pair, client, actor_name):
    # given the pair reads the default journey (nothing stored)
    actor = pair.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    step = _default_manual_step(pair.cast.program)
    before = state()
    events = RelationshipEvent.objects.count()
    # when
    response = _tick_default(client, pair, step)
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 200
        stored = Step.objects.get(
            stage__journey__program=pair.cast.program, stage__key=step.stage.key, order=step.order
        )
        assert stored.title == step.title
        tick = StepCompletion.objects.get()
        assert (tick.relationship_id, tick.step_id, tick.completed_by_id) == (
            pair.relationship.pk,
            stored.pk,
            actor.pk,
        )
        assert RelationshipEvent.objects.count() == events + 1
        assert RelationshipEvent.objects.latest("pk").kind == (
            RelationshipEventKind.JOURNEY_STEP_TICKED
        )
        assert f'id="step-{stored.pk}"' in response.content.decode()
    else:
        assert response.status_code in (302, 404)
        assert state() == before


def test_a_stale_or_auto_step_of_the_default_is_refused_and_stores_nothing(pair, client):
    # given
    client.force_login(pair.mentee)
    program = pair.cast.program
    manual = _default_manual_step(program)
    auto = next(step for step in selectors.default_steps(program=program) if step.is_auto)
    before = state()
    # when: a title that is not there (the journey changed), then an auto step
    stale = _tick_default(client, pair, manual, title="Not a step any more")
    refused = _tick_default(client, pair, auto)
    # then: the refusal shows on the page, and nothing was stored (not even the journey)
    assert stale.status_code == 200
    assert "This step is no longer in the journey: reload the page." in stale.content.decode()
    assert refused.status_code == 200
    assert "cannot be ticked by hand" in refused.content.decode()
    assert state() == before


def test_unticking_a_step_of_the_default_changes_nothing(pair, client):
    # given
    client.force_login(pair.mentor)
    before = state()
    # when
    response = _tick_default(client, pair, _default_manual_step(pair.cast.program), done="0")
    # then
    assert response.status_code == 200
    assert state() == before


# --- the managers --------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_the_editor_shows_the_default_read_only_and_stores_nothing(
    cast, client, api_as, actor_name
):
    # given
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    before = state()
    # when
    page = client.get(reverse("journeys:editor", args=[cast.program.pk]))
    api = api_as(actor).get(f"programs/{cast.program.pk}/journey")
    # then: nobody's read stores anything
    assert state() == before
    if actor_name in ("manager", "admin"):
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-testid="journey-customise"' in html
        assert 'data-testid="journey-reset"' not in html
        body = api.json()
        assert api.status_code == 200
        assert body["program_id"] == cast.program.pk
        defaults = selectors.default_journey_stages(program=cast.program)
        assert [(s["id"], s["key"], s["title"]) for s in body["stages"]] == [
            (None, stage.key, stage.title) for stage, _ in defaults
        ]
        assert [
            (step["id"], step["title"], step["order"])
            for stage in body["stages"]
            for step in stage["steps"]
        ] == [(None, step.title, step.order) for _, steps in defaults for step in steps]
    else:
        assert api.status_code != 200


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_start_editing_stores_the_default_for_the_managers_only(cast, client, actor_name):
    # given
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    before = state()
    # when
    response = client.post(reverse("journeys:customise", args=[cast.program.pk]), headers=HTMX)
    # then
    if actor_name in ("manager", "admin"):
        assert response.status_code == 200
        assert 'data-testid="journey-reset"' in response.content.decode()
        assert _rows(_stored_steps(cast.program)) == _rows(
            selectors.default_steps(program=cast.program)
        )
        # and: doing it again changes nothing
        again = state()
        client.post(reverse("journeys:customise", args=[cast.program.pk]), headers=HTMX)
        assert state() == again
    else:
        assert response.status_code in (302, 403, 404)
        assert state() == before


def test_an_archived_programme_cannot_start_editing(cast, client):
    # given
    Program.objects.filter(pk=cast.program.pk).update(status=ProgramStatus.ARCHIVED)
    client.force_login(cast.manager)
    before = state()
    # when
    page = client.get(reverse("journeys:editor", args=[cast.program.pk]))
    response = client.post(reverse("journeys:customise", args=[cast.program.pk]), headers=HTMX)
    # then
    assert 'data-testid="journey-customise"' not in page.content.decode()
    assert "archived" in response.content.decode()
    assert state() == before


# --- the scheduler ---------------------------------------------------------------------------


def test_the_scheduler_stores_the_journey_of_programmes_with_active_pairs(pair, capsys):
    # given a programme with active pairs and no stored journey
    assert Journey.objects.count() == 0
    # when
    call_command("run_scheduler", "--once")
    # then: its default is stored, so the journey nudges see it
    assert list(Journey.objects.values_list("program_id", flat=True)) == [pair.cast.program.pk]
    assert _rows(_stored_steps(pair.cast.program)) == _rows(
        selectors.default_steps(program=pair.cast.program)
    )
