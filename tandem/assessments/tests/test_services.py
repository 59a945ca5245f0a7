import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tandem.assessments import services
from tandem.assessments.models import Competency, Rating, SelfAssessment
from tandem.assessments.tests.factories import BUILTIN_KEYS, all_scores, set_dates, state
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind


def test_the_six_builtins_exist_once_without_organisation_or_programme(db):
    # then
    builtins = list(Competency.objects.filter(program__isnull=True).order_by("order"))
    assert [c.key for c in builtins] == BUILTIN_KEYS
    assert [c.name for c in builtins] == [
        "Communication",
        "Active listening",
        "Empathy",
        "Giving feedback",
        "Receiving feedback",
        "Goal setting",
    ]
    assert all(c.organization_id is None and c.is_active and c.description for c in builtins)


def test_the_builtin_migration_is_idempotent(db):
    # given
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tandem.assessments.migrations.0002_builtin_competencies")
    Competency.objects.filter(key="empathy").update(name="Empathy (edited)")
    # when run again
    migration.create_builtins(apps, None)
    # then nothing is duplicated and an operator's edit stays
    assert Competency.objects.filter(program__isnull=True).count() == 6
    assert Competency.objects.get(key="empathy").name == "Empathy (edited)"


def test_constraints_keep_builtins_and_programme_competencies_apart(cast):
    # then a competency with an organisation but no programme is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        Competency.objects.create(organization=cast.org, key="x", name="X", description="x")
    # and a programme competency needs its organisation
    with pytest.raises(IntegrityError), transaction.atomic():
        Competency.objects.create(program=cast.program, key="y", name="Y", description="y")


def test_score_must_be_1_to_5_in_the_database(pair):
    # given
    assessment = services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    rating = assessment.ratings.first()
    # then
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.filter(pk=rating.pk).update(score=6)


def test_submit_saves_every_rating_and_note(pair):
    # given
    scores = all_scores(pair.relationship, score=2)
    listening = Competency.objects.get(key="active_listening")
    scores[listening.pk] = 4
    # when
    assessment = services.assessment_submit(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=scores,
        notes={listening.pk: "  I interrupt less than I used to.  "},
    )
    # then
    saved = SelfAssessment.objects.get()
    assert (saved.pk, saved.user_id, saved.moment, saved.is_shared) == (
        assessment.pk,
        pair.mentor.pk,
        "start",
        False,
    )
    assert dict(Rating.objects.values_list("competency_id", "score")) == scores
    assert Rating.objects.get(competency=listening).note == "I interrupt less than I used to."
    # (notes are ciphertext in the database: compared in Python)
    assert [r.note for r in Rating.objects.exclude(competency=listening)] == [""] * 5


def test_missing_competencies_are_each_named_and_nothing_is_saved(pair, cast):
    # given a programme competency too, and answers for only four built-ins
    own = services.competency_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        name="Networking",
        description="I build relationships across teams.",
    )
    scores = all_scores(pair.relationship)
    empathy = Competency.objects.get(key="empathy")
    goals = Competency.objects.get(key="goal_setting")
    for competency in (empathy, goals, own):
        del scores[competency.pk]
    before = state()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.assessment_submit(
            actor=pair.mentee, relationship_id=pair.relationship.pk, moment="start", ratings=scores
        )
    # then
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": f"ratings.{empathy.pk}", "message": "Rate yourself on Empathy."},
        {"field": f"ratings.{goals.pk}", "message": "Rate yourself on Goal setting."},
        {"field": f"ratings.{own.pk}", "message": "Rate yourself on Networking."},
    ]
    assert refused.value.detail == (
        "Answer every competency: Empathy, Goal setting, Networking still need a score."
    )
    assert state() == before


def test_out_of_range_unknown_and_long_answers_are_refused(pair, cast):
    # given another programme's competency id and bad values
    scores = all_scores(pair.relationship)
    communication = Competency.objects.get(key="communication")
    scores[communication.pk] = 6
    scores[999999] = 3
    before = state()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.assessment_submit(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            moment="start",
            ratings=scores,
            notes={communication.pk: "x" * 281},
        )
    # then
    assert [e.field for e in refused.value.errors] == [
        f"ratings.{communication.pk}",
        "ratings.999999",
        f"notes.{communication.pk}",
    ]
    assert state() == before


def test_a_deactivated_programme_competency_is_not_asked(pair, cast):
    # given
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Networking", description="I connect."
    )
    services.competency_update(
        actor=cast.manager, program_id=cast.program.pk, competency_id=own.pk, is_active=False
    )
    # when
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    # then
    assert Rating.objects.count() == 6
    assert not Rating.objects.filter(competency=own).exists()


def test_a_second_submission_of_the_same_moment_is_a_conflict(pair):
    # given
    kwargs = {
        "actor": pair.mentee,
        "relationship_id": pair.relationship.pk,
        "moment": "start",
        "ratings": all_scores(pair.relationship),
    }
    services.assessment_submit(**kwargs)
    before = state()
    # when
    with pytest.raises(Conflict, match="already took the starting self-assessment"):
        services.assessment_submit(**{**kwargs, "ratings": all_scores(pair.relationship, 5)})
    # then
    assert state() == before


def test_taking_it_goes_on_the_timeline_without_a_score_or_a_note(pair):
    # given
    relationship = pair.relationship
    relationship.refresh_from_db()
    activity_before = relationship.last_activity_at
    communication = Competency.objects.get(key="communication")
    # when the mentee takes the start with low scores and a private note
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=relationship.pk,
        moment="start",
        ratings=all_scores(relationship, score=1),
        notes={communication.pk: "I freeze when my manager asks me a question"},
    )
    # then the pair's timeline says that she took it, and nothing of what she answered
    event = RelationshipEvent.objects.get(kind=RelationshipEventKind.ASSESSMENT_TAKEN)
    assert (event.relationship_id, event.actor_id, event.summary) == (
        relationship.pk,
        pair.mentee.pk,
        f"{pair.mentee.get_full_name()} completed the starting self-assessment",
    )
    assert not any(character.isdigit() for character in event.summary)
    # and the relationship's last activity moved to it
    relationship.refresh_from_db()
    assert activity_before < relationship.last_activity_at == event.created_at


def test_the_closing_one_is_named_on_the_timeline(pair):
    # given the last fifth of the relationship
    set_dates(pair.relationship, started_days_ago=300, duration_days=365)
    # when
    services.assessment_submit(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        moment="end",
        ratings=all_scores(pair.relationship, score=5),
    )
    # then
    assert list(
        RelationshipEvent.objects.filter(kind=RelationshipEventKind.ASSESSMENT_TAKEN).values_list(
            "actor_id", "summary"
        )
    ) == [(pair.mentor.pk, f"{pair.mentor.get_full_name()} completed the closing self-assessment")]


def test_each_person_takes_their_own(pair):
    # when
    for user in (pair.mentee, pair.mentor):
        services.assessment_submit(
            actor=user,
            relationship_id=pair.relationship.pk,
            moment="start",
            ratings=all_scores(pair.relationship),
        )
    # then
    assert sorted(SelfAssessment.objects.values_list("user_id", flat=True)) == sorted(
        [pair.mentee.pk, pair.mentor.pk]
    )


@pytest.mark.parametrize("name", ["manager", "admin", "other_mentor", "member", "outsider"])
def test_only_the_pair_submits(pair, name):
    # given
    before = state()
    # then
    with pytest.raises(NotFound):
        services.assessment_submit(
            actor=pair.by_name(name),
            relationship_id=pair.relationship.pk,
            moment="start",
            ratings=all_scores(pair.relationship),
        )
    assert state() == before


def test_share_tells_the_partner_and_unshare_makes_it_private(pair):
    # given
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    already = set(Notification.objects.values_list("pk", flat=True))
    # when
    services.assessment_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, moment="start"
    )
    # then
    assert SelfAssessment.objects.get().is_shared is True
    note = Notification.objects.exclude(pk__in=already).get()
    assert note.user_id == pair.mentor.pk
    name = pair.mentee.get_full_name() or pair.mentee.get_short_name()
    assert note.title == f"{name} shared their starting self-assessment"
    assert note.url == f"/relationships/{pair.relationship.pk}/assessment/"
    # when
    services.assessment_unshare(
        actor=pair.mentee, relationship_id=pair.relationship.pk, moment="start"
    )
    # then
    assert SelfAssessment.objects.get().is_shared is False


def test_sharing_a_moment_not_taken_is_not_found(pair):
    with pytest.raises(NotFound, match="not taken the closing self-assessment"):
        services.assessment_share(
            actor=pair.mentee, relationship_id=pair.relationship.pk, moment="end"
        )


def test_sharing_someone_elses_answers_is_impossible(pair):
    # given the mentee took it; the mentor tries to share "start" (theirs, not taken)
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    with pytest.raises(NotFound):
        services.assessment_share(
            actor=pair.mentor, relationship_id=pair.relationship.pk, moment="start"
        )
    assert SelfAssessment.objects.get().is_shared is False


def test_programme_competency_create_update_delete(cast):
    # when
    own = services.competency_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        name=" Stakeholder management ",
        description="I keep the people my work affects informed.",
    )
    # then
    assert (own.key, own.name, own.organization_id, own.program_id, own.order) == (
        "stakeholder_management",
        "Stakeholder management",
        cast.org.pk,
        cast.program.pk,
        100,
    )
    # when
    updated = services.competency_update(
        actor=cast.admin, program_id=cast.program.pk, competency_id=own.pk, name="Stakeholders"
    )
    # then
    assert Competency.objects.get(pk=own.pk).name == updated.name == "Stakeholders"
    # when
    services.competency_delete(actor=cast.manager, program_id=cast.program.pk, competency_id=own.pk)
    # then
    assert not Competency.objects.filter(pk=own.pk).exists()


def test_a_programme_competency_named_like_a_builtin_gets_its_own_key(cast):
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Empathy", description="Ours."
    )
    assert own.key == "empathy_2"


def test_a_duplicate_name_is_a_conflict(cast):
    services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Networking", description="I connect."
    )
    before = state()
    with pytest.raises(Conflict):
        services.competency_create(
            actor=cast.manager, program_id=cast.program.pk, name="networking", description="x"
        )
    assert state() == before


def test_a_rated_competency_cannot_be_deleted_only_deactivated(pair, cast):
    # given
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Networking", description="I connect."
    )
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    before = state()
    # then
    with pytest.raises(Conflict, match="deactivate it instead"):
        services.competency_delete(
            actor=cast.manager, program_id=cast.program.pk, competency_id=own.pk
        )
    assert state() == before


def test_builtins_cannot_be_changed_through_a_programme(cast):
    empathy = Competency.objects.get(key="empathy")
    with pytest.raises(NotFound):
        services.competency_update(
            actor=cast.manager, program_id=cast.program.pk, competency_id=empathy.pk, name="E"
        )


@pytest.mark.parametrize(
    ("name", "error"), [("mentor", Forbidden), ("other_manager", Forbidden), ("outsider", NotFound)]
)
def test_only_managers_manage_competencies(cast, name, error):
    before = state()
    with pytest.raises(error):
        services.competency_create(
            actor=cast.by_name(name), program_id=cast.program.pk, name="N", description="D"
        )
    assert state() == before


def test_competency_fields_are_checked(cast):
    with pytest.raises(InvalidInput) as refused:
        services.competency_create(
            actor=cast.manager, program_id=cast.program.pk, name=" ", description=""
        )
    assert [e.field for e in refused.value.errors] == ["name", "description"]
    assert Competency.objects.filter(program=cast.program).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL only")
def test_sharing_locks_the_assessment_row_alone(pair):
    # given a submitted self-assessment (its model's ordering joins the relationship and user)
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship),
    )
    # when it is shared
    with CaptureQueriesContext(connection) as queries:
        services.assessment_share(
            actor=pair.mentee, relationship_id=pair.relationship.pk, moment="start"
        )
    # then the assessment's lock joins nothing, so it locks no relationship or user row
    locks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "assessments_selfassessment"') and " FOR UPDATE" in q["sql"]
    ]
    assert len(locks) == 1
    assert " JOIN " not in locks[0]
    assert SelfAssessment.objects.get().is_shared is True
