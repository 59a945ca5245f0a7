import pytest

from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.journeys import services
from tandem.journeys.models import Completion, Journey, Stage, StageKey, Step, StepCompletion
from tandem.journeys.tests.factories import library_resource, state, step_named
from tandem.programs.models import ProgramFormat
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.services import relationship_transition


def _shape(program):
    journey = services.journey_ensure(program=program)
    return [
        (
            stage.key,
            [
                (s.title, s.due_offset_days, s.due_at_fraction, s.completion)
                for s in stage.steps.all()
            ],
        )
        for stage in journey.stages.all()
    ]


def test_default_one_to_one_journey(cast):
    # when
    shape = _shape(cast.program)
    # then
    assert [key for key, _ in shape] == [
        "getting-started",
        "setting-goals",
        "working-together",
        "mid-point-review",
        "closing",
    ]
    assert shape[0][1] == [
        ("Sign the mentoring agreement", 7, None, Completion.AGREEMENT_SIGNED),
        ("Hold the first meeting", 14, None, Completion.FIRST_MEETING_HELD),
        ("Share what you hope to get out of the mentoring", 14, None, Completion.MANUAL),
    ]
    assert shape[3][1][0] == (
        "Hold a mid-point review meeting",
        None,
        0.5,
        Completion.MIDPOINT_REVIEW,
    )
    assert shape[4][1][0] == ("Write a closing reflection", None, 1.0, Completion.MANUAL)


@pytest.mark.parametrize("program_format", [f for f in ProgramFormat.values if f != "flash"])
def test_every_long_format_gets_five_stages(cast, program_format):
    program = ProgramFactory(organization=cast.org, format=program_format)
    assert [key for key, _ in _shape(program)] == StageKey.values


def test_flash_gets_a_short_journey(cast):
    # given
    program = ProgramFactory(organization=cast.org, format=ProgramFormat.FLASH)
    # when
    shape = _shape(program)
    # then
    assert [key for key, _ in shape] == ["getting-started", "working-together", "closing"]
    assert max(step[1] for _, steps in shape for step in steps) == 21


def test_journey_ensure_is_idempotent_and_links_starter_resources(cast):
    # given a starter piece in the organisation's library
    from tandem.resources.services import starter_content_load

    starter_content_load(organization=cast.org)
    # when
    first = services.journey_ensure(program=cast.program)
    again = services.journey_ensure(program=cast.program)
    # then
    assert first.pk == again.pk
    assert Journey.objects.count() == 1
    step = step_named(cast.program.pk, "Hold the first meeting")
    assert sorted(r.starter_key for r in step.resources.all()) == [
        "first-meeting-checklist",
        "preparing-for-a-session-as-a-mentee",
    ]


def test_step_create_with_resources(cast):
    # given
    resource = library_resource(cast.admin)
    stage = services.journey_ensure(program=cast.program).stages.get(key="working-together")
    # when
    step = services.step_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        stage_id=stage.pk,
        title="  Practise one open question  ",
        due_at_fraction=0.25,
        resource_ids=[resource.pk],
    )
    # then
    step.refresh_from_db()
    assert (
        step.title,
        step.due_offset_days,
        step.due_at_fraction,
        step.completion,
        step.order,
    ) == ("Practise one open question", None, 0.25, Completion.MANUAL, 3)
    assert list(step.resources.all()) == [resource]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"due_offset_days": 7, "due_at_fraction": 0.5}, "due_offset_days"),
        ({}, "due_offset_days"),
        ({"due_at_fraction": 1.5}, "due_at_fraction"),
        ({"due_offset_days": 7, "completion": "telepathy"}, "completion"),
        ({"due_offset_days": 7, "meetings_count": 0}, "meetings_count"),
        ({"due_offset_days": 7, "title": " "}, "title"),
    ],
)
def test_step_create_refuses_bad_input(cast, values, field):
    # given
    stage = services.journey_ensure(program=cast.program).stages.first()
    before = state()
    arguments = {"title": "Step", **values}
    # when
    with pytest.raises(InvalidInput) as raised:
        services.step_create(
            actor=cast.manager, program_id=cast.program.pk, stage_id=stage.pk, **arguments
        )
    # then
    assert field in [error.field for error in raised.value.errors]
    assert state() == before


def test_step_create_refuses_another_organisations_resource(cast):
    # given
    foreign = library_resource(cast.outsider)
    stage = services.journey_ensure(program=cast.program).stages.first()
    before = state()
    # when / then
    with pytest.raises(InvalidInput):
        services.step_create(
            actor=cast.manager,
            program_id=cast.program.pk,
            stage_id=stage.pk,
            title="Read",
            due_offset_days=3,
            resource_ids=[foreign.pk],
        )
    assert state() == before


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("member", Forbidden),
        ("mentor", Forbidden),
        ("other_manager", Forbidden),
        ("outsider", NotFound),
    ],
)
def test_editing_is_for_managers(cast, name, error):
    # given
    stage = services.journey_ensure(program=cast.program).stages.first()
    before = state()
    # when / then
    with pytest.raises(error):
        services.stage_update(
            actor=cast.by_name(name), program_id=cast.program.pk, stage_id=stage.pk, title="Hello"
        )
    assert state() == before


def test_stage_move_delete_and_recreate(cast):
    # given
    journey = services.journey_ensure(program=cast.program)
    goals = journey.stages.get(key="setting-goals")
    # when
    services.stage_move(
        actor=cast.admin, program_id=cast.program.pk, stage_id=goals.pk, direction="up"
    )
    # then
    assert list(
        Stage.objects.filter(journey=journey).order_by("order").values_list("key", "order")
    ) == [
        ("setting-goals", 1),
        ("getting-started", 2),
        ("working-together", 3),
        ("mid-point-review", 4),
        ("closing", 5),
    ]
    # when the mid-point stage is removed and added back
    mid = journey.stages.get(key="mid-point-review")
    services.stage_delete(actor=cast.manager, program_id=cast.program.pk, stage_id=mid.pk)
    with pytest.raises(Conflict):
        services.stage_create(actor=cast.manager, program_id=cast.program.pk, key="closing")
    services.stage_create(actor=cast.manager, program_id=cast.program.pk, key="mid-point-review")
    # then it goes back before closing, empty
    assert list(
        Stage.objects.filter(journey=journey).order_by("order").values_list("key", flat=True)
    ) == [
        "setting-goals",
        "getting-started",
        "working-together",
        "mid-point-review",
        "closing",
    ]
    assert Step.objects.filter(stage__journey=journey, stage__key="mid-point-review").count() == 0


def test_step_move_and_update_to_auto_drops_ticks(pair):
    # given a ticked manual step
    program_id = pair.cast.program.pk
    hopes = step_named(program_id, "Share what you hope to get out of the mentoring")
    services.step_complete(
        actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=hopes.pk
    )
    # when
    services.step_move(
        actor=pair.cast.manager, program_id=program_id, step_id=hopes.pk, direction="up"
    )
    services.step_update(
        actor=pair.cast.manager,
        program_id=program_id,
        step_id=hopes.pk,
        title="Hopes shared",
        due_offset_days=10,
        completion=Completion.FIRST_MEETING_HELD,
    )
    # then
    hopes.refresh_from_db()
    assert (hopes.title, hopes.order, hopes.completion, hopes.due_offset_days) == (
        "Hopes shared",
        2,
        Completion.FIRST_MEETING_HELD,
        10,
    )
    assert StepCompletion.objects.count() == 0


def test_reset_to_default(cast):
    # given an edited journey
    journey = services.journey_ensure(program=cast.program)
    services.stage_delete(
        actor=cast.manager, program_id=cast.program.pk, stage_id=journey.stages.first().pk
    )
    # when
    services.journey_reset_to_default(actor=cast.manager, program_id=cast.program.pk)
    # then
    assert (
        list(Stage.objects.filter(journey=journey).values_list("key", flat=True)) == StageKey.values
    )
    assert Step.objects.filter(stage__journey=journey).count() == 11


def test_step_complete_and_uncomplete(pair):
    # given
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    # when ticked twice
    first = services.step_complete(
        actor=pair.mentor, relationship_id=pair.relationship.pk, step_id=step.pk
    )
    services.step_complete(actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk)
    # then the first tick stays
    assert list(
        StepCompletion.objects.values_list("relationship_id", "step_id", "completed_by_id")
    ) == [(pair.relationship.pk, step.pk, pair.mentor.pk)]
    assert first.completed_by == pair.mentor
    # when
    services.step_uncomplete(
        actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk
    )
    # then
    assert StepCompletion.objects.count() == 0


def _timeline(relationship):
    return list(
        RelationshipEvent.objects.filter(relationship=relationship)
        .exclude(kind=RelationshipEventKind.STATUS_CHANGED)
        .order_by("created_at", "id")
        .values_list("kind", "actor_id", "summary")
    )


def test_a_tick_and_an_untick_go_on_the_pairs_timeline(pair):
    # given
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    relationship = pair.relationship
    relationship.refresh_from_db()
    started_activity = relationship.last_activity_at
    mentor, mentee = pair.mentor.get_full_name(), pair.mentee.get_full_name()
    # when the mentor ticks it, the mentee ticks it again, then unticks it twice
    services.step_complete(actor=pair.mentor, relationship_id=relationship.pk, step_id=step.pk)
    relationship.refresh_from_db()
    ticked_activity = relationship.last_activity_at
    services.step_complete(actor=pair.mentee, relationship_id=relationship.pk, step_id=step.pk)
    for _ in range(2):
        services.step_uncomplete(
            actor=pair.mentee, relationship_id=relationship.pk, step_id=step.pk
        )
    # then one event for the tick that happened and one for the untick; repeats add nothing
    assert _timeline(relationship) == [
        (
            RelationshipEventKind.JOURNEY_STEP_TICKED,
            pair.mentor.pk,
            f"{mentor} ticked a journey step: Agree how you will track progress",
        ),
        (
            RelationshipEventKind.JOURNEY_STEP_UNTICKED,
            pair.mentee.pk,
            f"{mentee} unticked a journey step: Agree how you will track progress",
        ),
    ]
    # and the relationship's last activity moved on with the tick
    assert started_activity < ticked_activity
    assert (
        ticked_activity
        == RelationshipEvent.objects.get(kind=RelationshipEventKind.JOURNEY_STEP_TICKED).created_at
    )
    # and the other pair's timeline is untouched
    assert _timeline(pair.other_relationship) == []


def test_auto_steps_refuse_a_manual_tick(pair):
    # given
    step = step_named(pair.cast.program.pk, "Sign the mentoring agreement")
    # when / then
    with pytest.raises(Conflict) as raised:
        services.step_complete(
            actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk
        )
    assert "completes itself" in raised.value.detail
    assert StepCompletion.objects.count() == 0
    assert _timeline(pair.relationship) == []


def test_ticks_refused_in_a_closed_relationship_and_for_strangers(pair):
    # given
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # when / then
    with pytest.raises(Conflict):
        services.step_complete(
            actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk
        )
    for stranger in (pair.other_mentee, pair.cast.manager):
        with pytest.raises(NotFound):
            services.step_complete(
                actor=stranger, relationship_id=pair.relationship.pk, step_id=step.pk
            )
    assert StepCompletion.objects.count() == 0
    assert _timeline(pair.relationship) == []


def test_a_step_of_another_programme_is_not_found(pair):
    # given
    other = ProgramFactory(organization=pair.cast.org)
    foreign = services.journey_ensure(program=other).stages.first().steps.last()
    # when / then
    with pytest.raises(NotFound):
        services.step_complete(
            actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=foreign.pk
        )
