import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.notifications.emails import TANDEM_BLUE
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import outbox_deliver_batch, outbox_enqueue
from tandem.programs import services
from tandem.programs.models import (
    EnrollmentQuestion,
    MeetingCadence,
    Program,
    ProgramAccess,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
    QuestionAudience,
    QuestionKind,
)
from tandem.programs.selectors import program_for_email, programs_for_email
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory

JAN_1 = datetime.date(2027, 1, 1)
DEC_31 = datetime.date(2027, 12, 31)


def _program_rows() -> list[dict[str, object]]:
    return list(Program.objects.order_by("pk").values())


def _question_rows() -> list[dict[str, object]]:
    return list(EnrollmentQuestion.objects.order_by("pk").values())


def _draft(cast, **overrides):
    fields = {"name": "Spring cohort", "starts_on": JAN_1, "ends_on": DEC_31} | overrides
    return services.program_create(actor=cast.manager, **fields)


# --- create -------------------------------------------------------------------------------


def test_manager_creates_a_draft_with_purpose_defaults_and_becomes_its_manager(cast):
    # when
    program = services.program_create(
        actor=cast.manager,
        name="  New joiners  ",
        purpose=ProgramPurpose.ONBOARDING,
        starts_on=JAN_1,
        ends_on=DEC_31,
        manager_ids=[cast.admin.pk],
    )
    # then
    program.refresh_from_db()
    assert program.name == "New joiners"
    assert program.organization_id == cast.org.pk
    assert program.status == ProgramStatus.DRAFT
    assert program.cadence == MeetingCadence.WEEKLY
    assert program.duration_months == 3
    assert program.created_by_id == cast.manager.pk
    assert set(program.managers.values_list("pk", flat=True)) == {cast.manager.pk, cast.admin.pk}


def test_create_keeps_explicit_cadence_and_duration(cast):
    # when
    program = _draft(
        cast, purpose=ProgramPurpose.ONBOARDING, cadence=MeetingCadence.MONTHLY, duration_months=9
    )
    # then
    program.refresh_from_db()
    assert (program.cadence, program.duration_months) == (MeetingCadence.MONTHLY, 9)


@pytest.mark.parametrize("actor_name", ["member", "mentor", "mentee"])
def test_members_cannot_create_programmes(cast, actor_name):
    # given
    before = _program_rows()
    # when
    with pytest.raises(Forbidden):
        services.program_create(
            actor=cast.by_name(actor_name), name="Mine", starts_on=JAN_1, ends_on=DEC_31
        )
    # then
    assert _program_rows() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"default_mentor_capacity": 0},
            [
                FieldError(
                    "default_mentor_capacity", "The default mentor capacity must be at least 1."
                )
            ],
        ),
        (
            {"starts_on": DEC_31, "ends_on": JAN_1},
            [FieldError("ends_on", "The end date must be on or after the start date.")],
        ),
        (
            {
                "enrollment_opens_on": datetime.date(2026, 12, 1),
                "enrollment_closes_on": datetime.date(2026, 11, 1),
            },
            [
                FieldError(
                    "enrollment_closes_on", "Enrolment must close on or after the day it opens."
                )
            ],
        ),
        (
            {"duration_months": 0},
            [FieldError("duration_months", "The expected duration in months must be at least 1.")],
        ),
        (
            {"max_circle_size": 1},
            [FieldError("max_circle_size", "The maximum circle size must be at least 2.")],
        ),
        ({"name": "   "}, [FieldError("name", "Give the programme a name.")]),
        (
            {"starts_on": None, "ends_on": None},
            [
                FieldError("starts_on", "A cohort needs a start date (or mark it as ongoing)."),
                FieldError("ends_on", "A cohort needs an end date (or mark it as ongoing)."),
            ],
        ),
        (
            {"access": "secret"},
            [
                FieldError(
                    "access",
                    "'secret' is not a way to join. Use one of: open, invitation, application.",
                )
            ],
        ),
    ],
)
def test_create_refuses_invalid_settings_naming_the_field(cast, overrides, expected):
    # given
    before = _program_rows()
    # when
    with pytest.raises(InvalidInput) as caught:
        _draft(cast, **overrides)
    # then
    assert caught.value.errors == expected
    assert _program_rows() == before


def test_ongoing_programme_needs_no_dates_and_keeps_no_end(cast):
    # when
    program = services.program_create(
        actor=cast.admin, name="Always on", is_ongoing=True, ends_on=DEC_31
    )
    # then
    program.refresh_from_db()
    assert (program.is_ongoing, program.starts_on, program.ends_on) == (True, None, None)


def test_manager_from_another_org_is_refused_without_saying_who_they_are(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(InvalidInput) as caught:
        _draft(cast, manager_ids=[cast.outsider.pk])
    # then
    assert caught.value.errors == [
        FieldError(
            "manager_ids",
            "These ids are not programme managers or organisation admins in your organisation: "
            f"{cast.outsider.pk}.",
        )
    ]
    assert cast.outsider.email not in caught.value.detail
    assert _program_rows() == before


def test_plain_member_cannot_be_made_a_manager(cast):
    # given
    program = _draft(cast)
    # when
    with pytest.raises(InvalidInput) as caught:
        services.program_update(actor=cast.manager, program=program, manager_ids=[cast.member.pk])
    # then
    assert [error.field for error in caught.value.errors] == ["manager_ids"]
    assert list(program.managers.values_list("pk", flat=True)) == [cast.manager.pk]


# --- update -------------------------------------------------------------------------------


def test_update_changes_only_given_fields_and_replaces_managers(cast):
    # given
    program = _draft(cast, description="Old words")
    # when
    services.program_update(
        actor=cast.manager,
        program=program,
        name="Autumn cohort",
        access=ProgramAccess.APPLICATION,
        format=ProgramFormat.GROUP,
        max_circle_size=6,
        manager_ids=[cast.manager.pk, cast.other_manager.pk],
    )
    # then
    program.refresh_from_db()
    assert program.name == "Autumn cohort"
    assert program.description == "Old words"
    assert program.access == ProgramAccess.APPLICATION
    assert (program.format, program.max_circle_size) == (ProgramFormat.GROUP, 6)
    assert set(program.managers.values_list("pk", flat=True)) == {
        cast.manager.pk,
        cast.other_manager.pk,
    }


def test_update_with_an_invalid_field_changes_nothing(cast):
    # given
    program = _draft(cast)
    before = _program_rows()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.program_update(
            actor=cast.manager, program=program, name="Renamed", default_mentor_capacity=0
        )
    # then
    assert [error.field for error in caught.value.errors] == ["default_mentor_capacity"]
    assert _program_rows() == before


def test_update_cannot_leave_a_programme_without_managers(cast):
    # given
    program = _draft(cast)
    # when
    with pytest.raises(InvalidInput) as caught:
        services.program_update(actor=cast.manager, program=program, manager_ids=[])
    # then
    assert caught.value.errors == [
        FieldError("manager_ids", "A programme needs at least one manager.")
    ]
    assert list(program.managers.values_list("pk", flat=True)) == [cast.manager.pk]


@pytest.mark.parametrize("actor_name", ["other_manager", "member", "mentor"])
def test_non_managers_cannot_update_a_published_programme(cast, actor_name):
    # given
    before = _program_rows()
    # when
    with pytest.raises(Forbidden):
        services.program_update(actor=cast.by_name(actor_name), program=cast.program, name="X")
    # then
    assert _program_rows() == before


def test_other_organisation_cannot_update(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(NotFound):
        services.program_update(actor=cast.outsider, program=cast.program, name="Mine now")
    # then
    assert _program_rows() == before


def test_org_admin_edits_any_programme(cast):
    # when
    services.program_update(actor=cast.admin, program=cast.program, duration_months=6)
    # then
    cast.program.refresh_from_db()
    assert cast.program.duration_months == 6


# --- lifecycle ----------------------------------------------------------------------------


def test_publish_moves_a_draft_to_published(cast):
    # given
    program = _draft(cast)
    # when
    services.program_publish(actor=cast.manager, program=program)
    # then
    program.refresh_from_db()
    assert program.status == ProgramStatus.PUBLISHED
    assert program.published_at is not None
    assert program.archived_at is None


def test_publishing_a_published_programme_is_a_conflict(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(Conflict) as caught:
        services.program_publish(actor=cast.manager, program=cast.program)
    # then
    assert caught.value.detail == "'Leadership cohort' is already published."
    assert _program_rows() == before


def test_publish_refuses_a_programme_with_broken_dates(cast):
    # given a draft whose dates were broken outside the services (an old row, the admin)
    program = _draft(cast)
    Program.objects.filter(pk=program.pk).update(ends_on=None)
    before = _program_rows()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.program_publish(actor=cast.manager, program=program)
    # then
    assert caught.value.errors == [
        FieldError("ends_on", "A cohort needs an end date (or mark it as ongoing).")
    ]
    assert _program_rows() == before


def test_archive_sets_archived_at_and_makes_the_programme_read_only(cast):
    # when
    services.program_archive(actor=cast.manager, program=cast.program)
    # then
    cast.program.refresh_from_db()
    assert cast.program.status == ProgramStatus.ARCHIVED
    assert cast.program.archived_at is not None
    assert cast.program.accepts_enrollment_on(datetime.date(2026, 6, 1)) is False
    before = _program_rows()
    with pytest.raises(Conflict) as caught:
        services.program_update(actor=cast.manager, program=cast.program, name="Revived")
    assert caught.value.detail == "'Leadership cohort' is archived, so it can no longer be changed."
    assert _program_rows() == before


def test_a_draft_can_be_archived(cast):
    # given
    program = _draft(cast)
    # when
    services.program_archive(actor=cast.manager, program=program)
    # then
    program.refresh_from_db()
    assert program.status == ProgramStatus.ARCHIVED


@pytest.mark.parametrize(
    ("to_status", "message"),
    [
        (
            ProgramStatus.PUBLISHED,
            "'Leadership cohort' is archived, so it cannot become published; "
            "it can only be duplicated.",
        ),
        (ProgramStatus.ARCHIVED, "'Leadership cohort' is already archived."),
        (
            ProgramStatus.DRAFT,
            "'Leadership cohort' is archived, so it cannot become draft; "
            "it can only be duplicated.",
        ),
    ],
)
def test_archived_programmes_cannot_move_again(cast, to_status, message):
    # given
    services.program_archive(actor=cast.manager, program=cast.program)
    before = _program_rows()
    # when
    with pytest.raises(Conflict) as caught:
        services.program_transition(actor=cast.manager, program=cast.program, to_status=to_status)
    # then
    assert caught.value.detail == message
    assert caught.value.status == 409
    assert _program_rows() == before


def test_published_cannot_go_back_to_draft(cast):
    # when
    with pytest.raises(Conflict) as caught:
        services.program_transition(
            actor=cast.manager, program=cast.program, to_status=ProgramStatus.DRAFT
        )
    # then
    assert caught.value.detail == (
        "'Leadership cohort' is published, so it cannot become draft; it can only become archived."
    )
    cast.program.refresh_from_db()
    assert cast.program.status == ProgramStatus.PUBLISHED


def test_non_manager_cannot_archive(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(Forbidden):
        services.program_archive(actor=cast.other_manager, program=cast.program)
    # then
    assert _program_rows() == before


def test_duplicate_copies_settings_managers_and_questions_but_not_participants(cast):
    # given
    services.program_update(
        actor=cast.admin,
        program=cast.program,
        purpose=ProgramPurpose.LEADERSHIP,
        access=ProgramAccess.APPLICATION,
        enrollment_opens_on=datetime.date(2025, 11, 1),
        enrollment_closes_on=datetime.date(2025, 12, 15),
        default_mentor_capacity=3,
        colour="#aa3366",
        manager_ids=[cast.manager.pk, cast.other_manager.pk],
    )
    first = services.question_create(
        actor=cast.manager,
        program=cast.program,
        prompt="Which area?",
        kind=QuestionKind.SINGLE_CHOICE,
        choices=["Strategy", "People"],
        audience=QuestionAudience.MENTEE,
        is_required=True,
        use_for_matching=True,
    )
    services.question_create(
        actor=cast.manager,
        program=cast.program,
        prompt="Years of experience",
        kind="number",
        min_value=0,
        max_value=40,
    )
    services.program_archive(actor=cast.manager, program=cast.program)
    # when
    copy = services.program_duplicate(actor=cast.admin, program=cast.program)
    # then
    copy.refresh_from_db()
    cast.program.refresh_from_db()
    assert copy.pk != cast.program.pk
    assert copy.name == "Copy of Leadership cohort"
    assert copy.status == ProgramStatus.DRAFT
    assert (copy.archived_at, copy.published_at) == (None, None)
    for field in services.PROGRAM_SETTING_FIELDS:
        if field != "name":
            assert getattr(copy, field) == getattr(cast.program, field), field
    assert set(copy.managers.values_list("pk", flat=True)) == {
        cast.manager.pk,
        cast.other_manager.pk,
        cast.admin.pk,
    }
    assert list(
        copy.questions.values_list(
            "prompt",
            "kind",
            "audience",
            "is_required",
            "use_for_matching",
            "choices",
            "min_value",
            "max_value",
            "position",
        )
    ) == [
        (
            "Which area?",
            "single_choice",
            "mentee",
            True,
            True,
            ["Strategy", "People"],
            None,
            None,
            0,
        ),
        ("Years of experience", "number", "both", False, False, [], 0, 40, 1),
    ]
    assert copy.participants.count() == 0
    assert cast.program.participants.count() == 2
    assert EnrollmentQuestion.objects.get(pk=first.pk).program_id == cast.program.pk


def test_non_manager_cannot_duplicate(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(Forbidden):
        services.program_duplicate(actor=cast.member, program=cast.program)
    # then
    assert _program_rows() == before


def test_duplicate_leaves_out_managers_who_lost_the_role(cast):
    # given
    demoted = UserFactory(organization=cast.org, role=Role.PROGRAM_MANAGER)
    cast.program.managers.add(demoted)
    demoted.role = Role.MEMBER
    demoted.save(update_fields=["role"])
    # when
    copy = services.program_duplicate(actor=cast.manager, program=cast.program)
    # then
    assert list(copy.managers.values_list("pk", flat=True)) == [cast.manager.pk]


# --- questions ----------------------------------------------------------------------------


def test_questions_are_added_at_the_end(cast):
    # given
    program = _draft(cast)
    # when
    first = services.question_create(
        actor=cast.manager, program=program, prompt="Why?", kind="text"
    )
    second = services.question_create(
        actor=cast.manager, program=program, prompt="How sure?", kind="scale"
    )
    # then
    assert list(program.questions.values_list("pk", "position", "min_value", "max_value")) == [
        (first.pk, 0, None, None),
        (second.pk, 1, 1, 5),
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "single_choice", "choices": ["Only one", "  ", ""]},
            [FieldError("choices", "A choice question needs at least two different options.")],
        ),
        (
            {"kind": "multiple_choice", "choices": ["Python", "python "]},
            [FieldError("choices", "Each option must be different from the others.")],
        ),
        (
            {"kind": "number", "min_value": 10, "max_value": 2},
            [FieldError("max_value", "The largest allowed number must not be below the smallest.")],
        ),
        (
            {"kind": "scale", "min_value": 0, "max_value": 10},
            [FieldError("min_value", "A scale always runs from 1 to 5.")],
        ),
        (
            {"kind": "text", "use_for_matching": True},
            [
                FieldError(
                    "use_for_matching",
                    "Free-text answers cannot be compared, so they cannot be used for matching.",
                )
            ],
        ),
        (
            {"kind": "text", "prompt": "  "},
            [FieldError("prompt", "Write the question people will answer.")],
        ),
        (
            {"kind": "essay"},
            [
                FieldError(
                    "kind",
                    "'essay' is not a question kind. Use one of: single_choice, multiple_choice, "
                    "text, scale, number, skills.",
                )
            ],
        ),
    ],
)
def test_question_rules(cast, fields, expected):
    # given
    before = _question_rows()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.question_create(
            actor=cast.manager, program=cast.program, **({"prompt": "Pick"} | fields)
        )
    # then
    assert caught.value.errors == expected
    assert _question_rows() == before


def test_choice_options_are_trimmed_and_blank_ones_dropped(cast):
    # when
    question = services.question_create(
        actor=cast.manager,
        program=cast.program,
        prompt="Format?",
        kind="single_choice",
        choices=[" In person ", "", "Video call"],
        min_value=1,
    )
    # then
    question.refresh_from_db()
    assert (question.choices, question.min_value) == (["In person", "Video call"], None)


def test_unanswered_question_changes_kind_and_drops_unused_settings(cast):
    # given
    question = services.question_create(
        actor=cast.manager,
        program=cast.program,
        prompt="Pick",
        kind="single_choice",
        choices=["A", "B"],
    )
    # when
    services.question_update(actor=cast.manager, question=question, kind="skills")
    # then
    question.refresh_from_db()
    assert (question.kind, question.choices) == ("skills", [])


def test_reorder_needs_exactly_the_programmes_questions(cast):
    # given
    first, second, third = (
        EnrollmentQuestionFactory(program=cast.program, position=index) for index in range(3)
    )
    elsewhere = EnrollmentQuestionFactory(program=ProgramFactory(organization=cast.org))
    before = _question_rows()
    # when / then
    for wrong in (
        [third.pk, first.pk],
        [third.pk, first.pk, second.pk, second.pk],
        [third.pk, first.pk, elsewhere.pk],
    ):
        with pytest.raises(InvalidInput) as caught:
            services.question_reorder(actor=cast.manager, program=cast.program, question_ids=wrong)
        assert [error.field for error in caught.value.errors] == ["question_ids"]
    assert _question_rows() == before


def test_reorder_and_move(cast):
    # given
    first, second, third = (
        EnrollmentQuestionFactory(program=cast.program, position=index) for index in range(3)
    )
    # when
    services.question_reorder(
        actor=cast.manager, program=cast.program, question_ids=[third.pk, first.pk, second.pk]
    )
    # then
    assert list(cast.program.questions.values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]
    # when moved up, first goes before third; moving the top one up changes nothing
    services.question_move(actor=cast.manager, question=first, direction="up")
    services.question_move(actor=cast.manager, question=first, direction="up")
    services.question_move(actor=cast.manager, question=third, direction="down")
    assert list(cast.program.questions.values_list("pk", "position")) == [
        (first.pk, 0),
        (second.pk, 1),
        (third.pk, 2),
    ]


def test_delete_removes_the_question_and_closes_the_gap(cast):
    # given
    first, second, third = (
        EnrollmentQuestionFactory(program=cast.program, position=index) for index in range(3)
    )
    # when
    services.question_delete(actor=cast.manager, question=second)
    # then
    assert list(cast.program.questions.values_list("pk", "position")) == [
        (first.pk, 0),
        (third.pk, 1),
    ]


def test_archived_programme_form_is_read_only(cast):
    # given
    question = EnrollmentQuestionFactory(program=cast.program)
    services.program_archive(actor=cast.manager, program=cast.program)
    before = _question_rows()
    # when / then
    with pytest.raises(Conflict):
        services.question_create(
            actor=cast.manager, program=cast.program, prompt="Late?", kind="text"
        )
    with pytest.raises(Conflict):
        services.question_update(actor=cast.manager, question=question, prompt="Changed")
    with pytest.raises(Conflict):
        services.question_delete(actor=cast.manager, question=question)
    with pytest.raises(Conflict):
        services.question_reorder(
            actor=cast.manager, program=cast.program, question_ids=[question.pk]
        )
    assert _question_rows() == before


@pytest.mark.parametrize(("actor_name", "error"), [("member", Forbidden), ("outsider", NotFound)])
def test_question_writes_need_a_manager(cast, actor_name, error):
    # given
    question = EnrollmentQuestionFactory(program=cast.program)
    actor = cast.by_name(actor_name)
    before = _question_rows()
    # when / then
    with pytest.raises(error):
        services.question_create(actor=actor, program=cast.program, prompt="Mine?", kind="text")
    with pytest.raises(error):
        services.question_update(actor=actor, question=question, prompt="Changed")
    with pytest.raises(error):
        services.question_delete(actor=actor, question=question)
    assert _question_rows() == before


def test_enrolment_window_decides_whether_a_published_programme_accepts_people(cast):
    # given
    services.program_update(
        actor=cast.manager,
        program=cast.program,
        enrollment_opens_on=datetime.date(2026, 1, 10),
        enrollment_closes_on=datetime.date(2026, 1, 20),
    )
    cast.program.refresh_from_db()
    # then
    assert [
        cast.program.accepts_enrollment_on(datetime.date(2026, 1, day)) for day in (9, 10, 20, 21)
    ] == [False, True, True, False]


# --- colour -------------------------------------------------------------------------------


def test_the_database_refuses_a_colour_that_is_not_hex(cast):
    # given the programme's row, written past the service
    before = _program_rows()
    # when / then (a regex CHECK, on SQLite and PostgreSQL alike)
    for colour in ("#12345g", "red", "0d6efd1", "#0d6ef"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Program.objects.filter(pk=cast.program.pk).update(colour=colour)
    Program.objects.filter(pk=cast.program.pk).update(colour="#A0B1C2")
    assert Program.objects.get(pk=cast.program.pk).colour == "#A0B1C2"
    assert len(_program_rows()) == len(before)


def test_update_with_a_bad_colour_names_the_field_and_changes_nothing(cast):
    # given
    before = _program_rows()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.program_update(
            actor=cast.manager, program=cast.program, name="Renamed", colour="blue"
        )
    # then
    assert refused.value.errors == [FieldError("colour", "Use a hex colour like #0d6efd.")]
    assert _program_rows() == before


def test_an_email_about_the_programme_is_dressed_in_its_colour(cast):
    # given
    program = services.program_update(actor=cast.manager, program=cast.program, colour="#1A7F37")
    outbox_enqueue(
        key="test:colour:1",
        rule="test",
        recipient=cast.mentee,
        category=NotificationCategory.REMINDERS,
        subject="Your meeting is tomorrow",
        text="See you at 10:00.",
        program=program_for_email(program),
    )
    # when
    outbox_deliver_batch(worker_id="w1")
    # then
    (message,) = mail.outbox
    ((html, _),) = message.alternatives
    assert "background:#1a7f37" in html
    assert TANDEM_BLUE not in html


def test_an_email_keeps_the_programme_as_it_was_when_it_was_owed(cast):
    # given a message owed while the programme had its first name and colour
    program = services.program_update(
        actor=cast.manager, program=cast.program, name="Leadership cohort", colour="#1A7F37"
    )
    outbox_enqueue(
        key="test:renamed:1",
        rule="test",
        recipient=cast.mentee,
        category=NotificationCategory.REMINDERS,
        subject="Your meeting is tomorrow",
        text="See you at 10:00.",
        program=program_for_email(program),
    )
    # when the programme is renamed and recoloured before the email leaves
    services.program_update(
        actor=cast.manager, program=cast.program, name="Leaders 2027", colour="#AA3300"
    )
    outbox_deliver_batch(worker_id="w1")
    # then the email is the one that was owed (a retry would send the same)
    (message,) = mail.outbox
    ((html, _),) = message.alternatives
    assert "\n--\nLeadership cohort · Tandem\n" in message.body
    assert "background:#1a7f37" in html
    assert "Leaders 2027" not in message.body + html


def test_programs_for_email_reads_each_programme_once_and_leaves_out_unknown_ids(
    cast, django_assert_num_queries
):
    # given
    other = ProgramFactory(organization=cast.org, name="Reverse mentoring", colour="#123456")
    missing = other.pk + 1000
    # when
    with django_assert_num_queries(1):
        found = programs_for_email(program_ids=[other.pk, cast.program.pk, other.pk, missing])
    # then
    assert found == {
        cast.program.pk: program_for_email(Program.objects.get(pk=cast.program.pk)),
        other.pk: program_for_email(other),
    }
    assert found[other.pk].name == "Reverse mentoring"
    assert found[other.pk].colour == "#123456"


def test_programs_for_email_of_no_ids_asks_nothing(db, django_assert_num_queries):
    # when
    with django_assert_num_queries(0):
        found = programs_for_email(program_ids=[])
    # then
    assert found == {}
