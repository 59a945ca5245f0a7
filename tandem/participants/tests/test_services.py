import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, DomainError, FieldError, Forbidden, InvalidInput, NotFound
from tandem.participants import services
from tandem.participants.models import Answer, Participant, ParticipantRole, ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import SkillFactory
from tandem.programs.models import ProgramAccess, ProgramStatus, QuestionAudience, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory


def _answers(participant: Participant) -> dict[int, object]:
    return {a.question_id: a.value for a in Answer.objects.filter(participant=participant)}


# --- enrolment: the happy paths ----------------------------------------------------------


def test_open_programme_enrols_a_mentee_at_once_with_answers(cast):
    # given
    goal = EnrollmentQuestionFactory(
        program=cast.program, prompt="What do you want to learn?", is_required=True
    )
    mentor_only = EnrollmentQuestionFactory(
        program=cast.program, prompt="Years of experience?", audience=QuestionAudience.MENTOR
    )
    # when
    participant = services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTEE,
        answers={str(goal.pk): "  Negotiation  "},
    )
    # then
    participant.refresh_from_db()
    assert participant.program_id == cast.program.pk
    assert participant.user_id == cast.member.pk
    assert participant.role == "mentee"
    assert participant.status == "active"
    assert participant.capacity is None
    assert participant.enrolled_at is not None
    assert _answers(participant) == {goal.pk: "Negotiation"}
    assert not Answer.objects.filter(question=mentor_only).exists()


def test_mentor_capacity_defaults_to_the_programmes(cast):
    # given
    cast.program.default_mentor_capacity = 3
    cast.program.save(update_fields=["default_mentor_capacity"])
    # when
    participant = services.participant_enroll(
        actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTOR
    )
    # then
    participant.refresh_from_db()
    assert (participant.role, participant.status, participant.capacity) == ("mentor", "active", 3)


@pytest.mark.parametrize("capacity", [0, -2])
def test_mentor_capacity_must_be_at_least_one(cast, capacity):
    # when
    with pytest.raises(InvalidInput) as caught:
        services.participant_enroll(
            actor=cast.member,
            program_id=cast.program.pk,
            role=ParticipantRole.MENTOR,
            capacity=capacity,
        )
    # then
    assert caught.value.errors == [
        FieldError("capacity", "A mentor's capacity must be at least 1 mentee.")
    ]
    assert not Participant.objects.filter(user=cast.member).exists()


def test_database_refuses_a_mentor_without_capacity(cast):
    # given a write that skips the service
    # when / then
    with pytest.raises(IntegrityError):
        Participant.objects.create(
            program=cast.program, user=cast.member, role=ParticipantRole.MENTOR, capacity=0
        )


def test_same_person_mentors_in_one_programme_and_is_mentee_in_another(cast):
    # given
    second = ProgramFactory(organization=cast.org, name="Engineering circle")
    # when
    as_mentor = services.participant_enroll(
        actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTOR, capacity=2
    )
    as_mentee = services.participant_enroll(
        actor=cast.member, program_id=second.pk, role=ParticipantRole.MENTEE
    )
    # then
    rows = set(
        Participant.objects.filter(user=cast.member).values_list("program_id", "role", "status")
    )
    assert rows == {
        (cast.program.pk, "mentor", "active"),
        (second.pk, "mentee", "active"),
    }
    assert as_mentor.pk != as_mentee.pk


def test_already_enrolled_is_a_conflict_and_changes_nothing(cast):
    # given
    before = Participant.objects.get(pk=cast.mentee_participant.pk)
    # when
    with pytest.raises(Conflict) as caught:
        services.participant_enroll(
            actor=cast.mentee, program_id=cast.program.pk, role=ParticipantRole.MENTOR, capacity=4
        )
    # then
    assert caught.value.status == 409
    assert str(caught.value) == (
        "You are already in Leadership cohort as a mentee (status: enrolled)."
    )
    after = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (after.role, after.status, after.capacity, after.updated_at) == (
        before.role,
        before.status,
        before.capacity,
        before.updated_at,
    )


def test_concurrent_duplicate_insert_becomes_a_conflict(cast, monkeypatch):
    # given another request inserted the row between our read and our insert
    from tandem.participants import services as module

    original_create = Participant.objects.create

    def create_after_a_racing_insert(**kwargs):
        original_create(program=cast.program, user=cast.member, role=ParticipantRole.MENTEE)
        return original_create(**kwargs)

    monkeypatch.setattr(module.Participant.objects, "create", create_after_a_racing_insert)
    # when
    with pytest.raises(Conflict) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert str(caught.value) == "You are already in Leadership cohort."


# --- enrolment: when the programme does not take people ----------------------------------


def test_enrolment_window_not_yet_open_says_the_dates(cast):
    # given
    today = timezone.localdate()
    cast.program.enrollment_opens_on = today + datetime.timedelta(days=3)
    cast.program.enrollment_closes_on = today + datetime.timedelta(days=10)
    cast.program.save(update_fields=["enrollment_opens_on", "enrollment_closes_on"])
    opens, closes = cast.program.enrollment_opens_on, cast.program.enrollment_closes_on
    # when
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert caught.value.status == 400
    assert str(caught.value) == (
        f"Enrolment for Leadership cohort opens on {opens.day} {opens:%B %Y} "
        f"and closes on {closes.day} {closes:%B %Y}."
    )
    assert not Participant.objects.filter(user=cast.member).exists()


def test_enrolment_window_closed_says_when(cast):
    # given
    cast.program.enrollment_closes_on = datetime.date(2020, 3, 1)
    cast.program.save(update_fields=["enrollment_closes_on"])
    # when
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert str(caught.value) == "Enrolment for Leadership cohort closed on 1 March 2020."
    assert not Participant.objects.filter(user=cast.member).exists()


def test_archived_programme_takes_nobody(cast):
    # given
    cast.program.status = ProgramStatus.ARCHIVED
    cast.program.save(update_fields=["status"])
    # when
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert str(caught.value) == (
        "Leadership cohort has been archived; it no longer takes participants."
    )
    assert not Participant.objects.filter(user=cast.member).exists()


def test_draft_programme_is_not_found_for_a_member_and_refused_for_its_manager(cast):
    # given
    cast.program.status = ProgramStatus.DRAFT
    cast.program.save(update_fields=["status"])
    # when / then
    with pytest.raises(NotFound):
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.manager, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    assert str(caught.value) == "Leadership cohort is not published yet, so nobody can enrol."
    assert not Participant.objects.filter(user__in=[cast.member, cast.manager]).exists()


def test_other_organisations_programme_is_not_found(cast):
    # when / then
    with pytest.raises(NotFound):
        services.participant_enroll(
            actor=cast.outsider, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    assert not Participant.objects.filter(user=cast.outsider).exists()


# --- answers -----------------------------------------------------------------------------


def _enrol_with(cast, answers):
    with pytest.raises(InvalidInput) as caught:
        services.participant_enroll(
            actor=cast.member,
            program_id=cast.program.pk,
            role=ParticipantRole.MENTEE,
            answers=answers,
        )
    assert not Participant.objects.filter(user=cast.member).exists()
    assert Answer.objects.count() == 0
    return caught.value.errors


def test_a_missing_required_answer_names_the_question(cast):
    # given
    question = EnrollmentQuestionFactory(
        program=cast.program, prompt="What do you want to learn?", is_required=True
    )
    # when
    errors = _enrol_with(cast, {str(question.pk): "   "})
    # then
    assert errors == [
        FieldError(f"answers.{question.pk}", "'What do you want to learn?' is required.")
    ]


def test_a_required_question_for_the_other_role_is_not_asked(cast):
    # given
    EnrollmentQuestionFactory(
        program=cast.program,
        prompt="How many mentees?",
        is_required=True,
        audience=QuestionAudience.MENTOR,
    )
    # when
    participant = services.participant_enroll(
        actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
    )
    # then
    assert Participant.objects.get(pk=participant.pk).status == "active"


def test_each_kind_of_wrong_answer_gets_its_own_error(cast):
    # given
    skill = SkillFactory(organization=cast.org, name="Negotiation")
    foreign_skill = SkillFactory(organization=cast.other_org, name="Espionage")
    single = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Preferred format?",
        kind=QuestionKind.SINGLE_CHOICE,
        choices=["Video", "In person"],
    )
    multiple = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Topics?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["Career", "Craft"],
    )
    scale = EnrollmentQuestionFactory(
        program=cast.program, prompt="Confidence?", kind=QuestionKind.SCALE
    )
    number = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Hours a month?",
        kind=QuestionKind.NUMBER,
        min_value=1,
        max_value=10,
    )
    not_integer = EnrollmentQuestionFactory(
        program=cast.program, prompt="Years here?", kind=QuestionKind.NUMBER
    )
    skills = EnrollmentQuestionFactory(
        program=cast.program, prompt="Skills to grow?", kind=QuestionKind.SKILLS
    )
    # when
    errors = _enrol_with(
        cast,
        {
            str(single.pk): "Phone",
            str(multiple.pk): ["Career", "Cooking"],
            str(scale.pk): 6,
            str(number.pk): 11,
            str(not_integer.pk): 2.5,
            str(skills.pk): [skill.pk, foreign_skill.pk],
        },
    )
    # then
    assert errors == [
        FieldError(
            f"answers.{single.pk}",
            "'Preferred format?': 'Phone' is not one of the options (Video, In person).",
        ),
        FieldError(
            f"answers.{multiple.pk}",
            "'Topics?': 'Cooking' not among the options (Career, Craft).",
        ),
        FieldError(f"answers.{scale.pk}", "'Confidence?' must be a whole number from 1 to 5."),
        FieldError(f"answers.{number.pk}", "'Hours a month?' must be between 1 and 10."),
        FieldError(f"answers.{not_integer.pk}", "'Years here?' must be a whole number."),
        FieldError(
            f"answers.{skills.pk}",
            f"'Skills to grow?': skill {foreign_skill.pk} is not in your organisation's "
            "skill list.",
        ),
    ]


def test_scale_below_one_and_number_below_minimum(cast):
    # given
    scale = EnrollmentQuestionFactory(
        program=cast.program, prompt="Confidence?", kind=QuestionKind.SCALE
    )
    number = EnrollmentQuestionFactory(
        program=cast.program, prompt="Hours?", kind=QuestionKind.NUMBER, min_value=2
    )
    # when
    errors = _enrol_with(cast, {scale.pk: 0, number.pk: 1})
    # then
    assert errors == [
        FieldError(f"answers.{scale.pk}", "'Confidence?' must be a whole number from 1 to 5."),
        FieldError(f"answers.{number.pk}", "'Hours?' must be at least 2."),
    ]


def test_an_answer_to_a_question_not_on_the_form_is_refused(cast):
    # given
    elsewhere = EnrollmentQuestionFactory(program=ProgramFactory(organization=cast.org))
    # when
    errors = _enrol_with(cast, {str(elsewhere.pk): "hello"})
    # then
    assert errors == [
        FieldError(
            f"answers.{elsewhere.pk}",
            f"Question {elsewhere.pk} is not on Leadership cohort's form for mentees.",
        )
    ]


def test_valid_answers_of_every_kind_are_stored_typed(cast):
    # given
    skill = SkillFactory(organization=cast.org, name="Negotiation")
    single = EnrollmentQuestionFactory(
        program=cast.program, kind=QuestionKind.SINGLE_CHOICE, choices=["Video", "In person"]
    )
    multiple = EnrollmentQuestionFactory(
        program=cast.program, kind=QuestionKind.MULTIPLE_CHOICE, choices=["Career", "Craft"]
    )
    scale = EnrollmentQuestionFactory(program=cast.program, kind=QuestionKind.SCALE)
    number = EnrollmentQuestionFactory(
        program=cast.program, kind=QuestionKind.NUMBER, min_value=1, max_value=10
    )
    skills = EnrollmentQuestionFactory(program=cast.program, kind=QuestionKind.SKILLS)
    optional = EnrollmentQuestionFactory(program=cast.program, kind=QuestionKind.TEXT)
    # when
    participant = services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTEE,
        answers={
            single.pk: "Video",
            multiple.pk: ["Craft", "Career", "Craft"],
            scale.pk: 5,
            number.pk: 10,
            skills.pk: [skill.pk],
            optional.pk: "",
        },
    )
    # then
    assert _answers(participant) == {
        single.pk: "Video",
        multiple.pk: ["Craft", "Career"],
        scale.pk: 5,
        number.pk: 10,
        skills.pk: [skill.pk],
    }


# --- application and invitation ----------------------------------------------------------


def test_application_needs_a_motivation(cast):
    # given
    cast.program.access = ProgramAccess.APPLICATION
    cast.program.save(update_fields=["access"])
    # when
    with pytest.raises(InvalidInput) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert caught.value.errors == [
        FieldError(
            "motivation",
            "Tell Leadership cohort's managers why you want to join: applications need a "
            "motivation.",
        )
    ]
    assert not Participant.objects.filter(user=cast.member).exists()


def test_application_is_pending_then_approved(cast):
    # given
    cast.program.access = ProgramAccess.APPLICATION
    cast.program.save(update_fields=["access"])
    applied = services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTEE,
        motivation="I lead a team from next month.",
    )
    assert Participant.objects.get(pk=applied.pk).status == "pending"
    # when
    services.participant_approve(actor=cast.manager, participant_id=applied.pk, note="Welcome")
    # then
    row = Participant.objects.get(pk=applied.pk)
    assert row.status == "active"
    assert row.decided_by_id == cast.manager.pk
    assert row.decision_note == "Welcome"
    assert row.decided_at is not None
    assert row.enrolled_at == row.decided_at
    assert row.motivation == "I lead a team from next month."


def test_application_declined_with_a_note_and_cannot_reapply(cast):
    # given
    cast.program.access = ProgramAccess.APPLICATION
    cast.program.save(update_fields=["access"])
    applied = services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTEE,
        motivation="Growth",
    )
    # when
    services.participant_decline(actor=cast.admin, participant_id=applied.pk, note="Full")
    # then
    row = Participant.objects.get(pk=applied.pk)
    assert (row.status, row.decision_note, row.decided_by_id) == ("declined", "Full", cast.admin.pk)
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.member,
            program_id=cast.program.pk,
            role=ParticipantRole.MENTEE,
            motivation="Again",
        )
    assert str(caught.value) == (
        "Your application to Leadership cohort was declined. Ask its managers if you would "
        "like to apply again."
    )
    assert Participant.objects.get(pk=applied.pk).status == "declined"


def test_approving_an_active_participant_is_an_invalid_transition(cast):
    # when
    with pytest.raises(Conflict) as caught:
        services.participant_approve(actor=cast.manager, participant_id=cast.mentee_participant.pk)
    # then
    assert str(caught.value) == (
        f"{cast.mentee} cannot be approved in Leadership cohort: their status is 'enrolled'. "
        "Only participants who are 'awaiting approval' can be approved."
    )
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.status, row.decided_at, row.decided_by_id) == ("active", None, None)


def test_a_participant_cannot_approve_themself(cast):
    # given
    pending = ParticipantFactory(
        program=cast.program, user=cast.member, status=ParticipantStatus.PENDING
    )
    # when
    with pytest.raises(Forbidden):
        services.participant_approve(actor=cast.member, participant_id=pending.pk)
    # then
    assert Participant.objects.get(pk=pending.pk).status == "pending"


def test_invitation_only_refuses_people_without_an_invitation(cast):
    # given
    cast.program.access = ProgramAccess.INVITATION
    cast.program.save(update_fields=["access"])
    # when
    with pytest.raises(DomainError) as caught:
        services.participant_enroll(
            actor=cast.member, program_id=cast.program.pk, role=ParticipantRole.MENTEE
        )
    # then
    assert str(caught.value) == (
        "Leadership cohort is by invitation only. Ask its managers if you would like to join."
    )
    assert not Participant.objects.filter(user=cast.member).exists()


def test_invitation_only_manager_invites_and_the_person_completes(cast):
    # given
    cast.program.access = ProgramAccess.INVITATION
    cast.program.save(update_fields=["access"])
    question = EnrollmentQuestionFactory(program=cast.program, prompt="Why?", is_required=True)
    invited = services.participant_add(
        actor=cast.manager,
        program_id=cast.program.pk,
        email="MEMBER@northwind.test",
        role=ParticipantRole.MENTOR,
    )
    row = Participant.objects.get(pk=invited.pk)
    assert (row.user_id, row.status, row.role, row.capacity, row.enrolled_at) == (
        cast.member.pk,
        "invited",
        "mentor",
        1,
        None,
    )
    # when the person tries another role, then in the invited role
    with pytest.raises(InvalidInput) as caught:
        services.participant_enroll(
            actor=cast.member,
            program_id=cast.program.pk,
            role=ParticipantRole.MENTEE,
            answers={question.pk: "To learn"},
        )
    assert caught.value.errors == [
        FieldError(
            "role",
            "You were invited to Leadership cohort as a mentor; enrol in that role or ask its "
            "managers to change the invitation.",
        )
    ]
    services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTOR,
        capacity=3,
        answers={question.pk: "To give back"},
    )
    # then
    row = Participant.objects.get(pk=invited.pk)
    assert (row.status, row.role, row.capacity) == ("active", "mentor", 3)
    assert row.enrolled_at is not None
    assert _answers(row) == {question.pk: "To give back"}
    assert Participant.objects.filter(user=cast.member).count() == 1


# --- withdrawal and coming back ----------------------------------------------------------


def test_withdraw_and_enrol_again_reopens_the_same_row(cast):
    # given
    question = EnrollmentQuestionFactory(program=cast.program, prompt="Goal?")
    services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTEE,
        answers={question.pk: "First goal"},
    )
    row = Participant.objects.get(user=cast.member)
    # when
    services.participant_withdraw(actor=cast.member, participant_id=row.pk, reason="Too busy")
    # then
    withdrawn = Participant.objects.get(pk=row.pk)
    assert (withdrawn.status, withdrawn.withdrawal_reason) == ("withdrawn", "Too busy")
    assert withdrawn.withdrawn_at is not None
    # when they come back as a mentor
    again = services.participant_enroll(
        actor=cast.member,
        program_id=cast.program.pk,
        role=ParticipantRole.MENTOR,
        capacity=2,
        answers={question.pk: "Second goal"},
    )
    # then
    assert again.pk == row.pk
    reopened = Participant.objects.get(pk=row.pk)
    assert (reopened.status, reopened.role, reopened.capacity) == ("active", "mentor", 2)
    assert (reopened.withdrawn_at, reopened.withdrawal_reason) == (None, "")
    assert _answers(reopened) == {question.pk: "Second goal"}
    assert Participant.objects.filter(user=cast.member).count() == 1


def test_withdrawing_twice_is_an_invalid_transition(cast):
    # given
    services.participant_withdraw(actor=cast.mentee, participant_id=cast.mentee_participant.pk)
    first = Participant.objects.get(pk=cast.mentee_participant.pk)
    # when
    with pytest.raises(Conflict) as caught:
        services.participant_withdraw(
            actor=cast.manager, participant_id=cast.mentee_participant.pk, reason="again"
        )
    # then
    assert str(caught.value) == (
        f"{cast.mentee} cannot be withdrawn in Leadership cohort: their status is 'withdrawn'. "
        "Only participants who are 'invited' or 'awaiting approval' or 'enrolled' can be "
        "withdrawn."
    )
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.withdrawn_at, row.withdrawal_reason) == (first.withdrawn_at, "")


def test_someone_else_cannot_withdraw_a_participant(cast):
    # when / then
    with pytest.raises(NotFound):
        services.participant_withdraw(actor=cast.mentor, participant_id=cast.mentee_participant.pk)
    assert Participant.objects.get(pk=cast.mentee_participant.pk).status == "active"


# --- a manager places people directly ----------------------------------------------------


def test_manager_adds_someone_to_an_open_programme_as_active(cast):
    # when
    added = services.participant_add(
        actor=cast.manager,
        program_id=cast.program.pk,
        user_id=cast.member.pk,
        role=ParticipantRole.MENTOR,
        capacity=2,
    )
    # then
    row = Participant.objects.get(pk=added.pk)
    assert (row.user_id, row.role, row.status, row.capacity) == (
        cast.member.pk,
        "mentor",
        "active",
        2,
    )
    assert row.enrolled_at is not None


def test_manager_cannot_add_someone_already_enrolled(cast):
    # when
    with pytest.raises(Conflict) as caught:
        services.participant_add(
            actor=cast.manager,
            program_id=cast.program.pk,
            email=cast.mentor.email,
            role=ParticipantRole.MENTEE,
        )
    # then
    assert str(caught.value) == (
        f"{cast.mentor} is already enrolled in Leadership cohort as a mentor."
    )
    assert Participant.objects.get(pk=cast.mentor_participant.pk).role == "mentor"


def test_manager_cannot_add_someone_from_another_organisation(cast):
    # when
    with pytest.raises(NotFound) as caught:
        services.participant_add(
            actor=cast.manager,
            program_id=cast.program.pk,
            email=cast.outsider.email,
            role=ParticipantRole.MENTEE,
        )
    # then
    assert str(caught.value) == "No one in your organisation has the email admin@globex.test."
    assert not Participant.objects.filter(user=cast.outsider).exists()


def test_another_programme_manager_may_not_add_people(cast):
    # when / then
    with pytest.raises(Forbidden):
        services.participant_add(
            actor=cast.other_manager,
            program_id=cast.program.pk,
            user_id=cast.member.pk,
            role=ParticipantRole.MENTEE,
        )
    assert not Participant.objects.filter(user=cast.member).exists()


def test_manager_adds_back_someone_who_withdrew(cast):
    # given
    services.participant_withdraw(actor=cast.mentee, participant_id=cast.mentee_participant.pk)
    # when
    services.participant_add(
        actor=cast.admin,
        program_id=cast.program.pk,
        user_id=cast.mentee.pk,
        role=ParticipantRole.MENTEE,
    )
    # then
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.status, row.withdrawn_at) == ("active", None)


def test_deactivated_people_cannot_be_added(cast):
    # given
    gone = UserFactory(organization=cast.org, email="gone@northwind.test", is_active=False)
    # when
    with pytest.raises(InvalidInput):
        services.participant_add(
            actor=cast.manager,
            program_id=cast.program.pk,
            email="gone@northwind.test",
            role=ParticipantRole.MENTEE,
        )
    # then
    assert not Participant.objects.filter(user=gone).exists()
