import csv
import io

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from conftest import ACTOR_NAMES
from tandem.accounts.tests.factories import UserFactory
from tandem.participants.models import Answer, Participant, ParticipantRole, ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory, SkillFactory
from tandem.programs.models import ProgramAccess, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory


def _state() -> tuple[list[dict], list[dict]]:
    """Everything a participants endpoint could change, to compare before and after."""
    return (
        list(Participant.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
    )


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _participant_json(participant: Participant, department: str = "Engineering") -> dict:
    participant.refresh_from_db()
    user = participant.user
    return {
        "id": participant.pk,
        "program_id": participant.program_id,
        "user": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "department": department,
        },
        "role": participant.role,
        "status": participant.status,
        "capacity": participant.capacity,
        "motivation": participant.motivation,
        "enrolled_at": _iso(participant.enrolled_at),
        "decided_at": _iso(participant.decided_at),
        "decision_note": participant.decision_note,
        "withdrawn_at": _iso(participant.withdrawn_at),
        "withdrawal_reason": participant.withdrawal_reason,
    }


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


# --- GET /me/participations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "expected_programs"),
    [
        ("anonymous", None),
        ("outsider", []),
        ("member", []),
        ("mentee", ["Leadership cohort"]),
        ("mentor", ["Leadership cohort"]),
        ("other_manager", []),
        ("manager", []),
        ("admin", []),
    ],
)
def test_my_participations_matrix(cast, api_as, actor_name, expected_programs):
    # given
    assert actor_name in ACTOR_NAMES
    # when
    response = api_as(cast.by_name(actor_name)).get("me/participations")
    # then
    if expected_programs is None:
        _assert_problem(response, 401)
        return
    assert response.status_code == 200
    assert [row["program"]["name"] for row in response.json()] == expected_programs


def test_my_participations_shape(cast, api_as):
    # when
    response = api_as(cast.mentor).get("me/participations")
    # then
    program = cast.program
    assert response.json() == [
        {
            "id": cast.mentor_participant.pk,
            "program": {
                "id": program.pk,
                "name": "Leadership cohort",
                "description": "A year of monthly mentoring.",
                "status": "published",
                "access": "open",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "enrollment_opens_on": None,
                "enrollment_closes_on": None,
                "default_mentor_capacity": 1,
            },
            "role": "mentor",
            "status": "active",
            "capacity": 2,
            "enrolled_at": _iso(cast.mentor_participant.enrolled_at),
            "withdrawn_at": None,
        }
    ]


def test_my_participations_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for index in range(15):
        ParticipantFactory(
            program=ProgramFactory(organization=cast.org, name=f"Cohort {index:02}"),
            user=cast.member,
        )
    client = api_as(cast.member)
    # when
    with django_assert_max_num_queries(4):
        response = client.get("me/participations")
    # then
    assert len(response.json()) == 15


# --- GET /me/programs/available ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("anonymous", None),
        ("outsider", ["Elsewhere"]),
        ("member", ["Leadership cohort", "Open later"]),
        ("mentee", ["Open later"]),
        ("mentor", ["Open later"]),
        ("other_manager", ["Leadership cohort", "Open later"]),
        ("manager", ["Leadership cohort", "Open later"]),
        ("admin", ["Leadership cohort", "Open later"]),
    ],
)
def test_available_programs_matrix(cast, api_as, actor_name, expected):
    # given a second open programme and ones nobody may join today
    ProgramFactory(organization=cast.org, name="Open later", access=ProgramAccess.APPLICATION)
    ProgramFactory(organization=cast.org, name="Invitation only", access=ProgramAccess.INVITATION)
    ProgramFactory(organization=cast.org, name="A draft", status="draft")
    ProgramFactory(organization=cast.org, name="Archived", status="archived")
    ProgramFactory(organization=cast.org, name="Closed", enrollment_closes_on="2020-01-01")
    ProgramFactory(organization=cast.other_org, name="Elsewhere")
    # when
    response = api_as(cast.by_name(actor_name)).get("me/programs/available")
    # then
    if expected is None:
        _assert_problem(response, 401)
        return
    assert response.status_code == 200
    assert sorted(row["name"] for row in response.json()) == expected


def test_available_programs_include_invitations_only_for_the_invited(cast, api_as):
    # given
    invitation = ProgramFactory(
        organization=cast.org, name="Invitation only", access=ProgramAccess.INVITATION
    )
    ParticipantFactory(
        program=invitation, user=cast.member, status=ParticipantStatus.INVITED, enrolled_at=None
    )
    # when
    invited_sees = api_as(cast.member).get("me/programs/available").json()
    other_sees = api_as(cast.mentee).get("me/programs/available").json()
    # then
    assert [row["name"] for row in invited_sees] == ["Invitation only", "Leadership cohort"]
    assert other_sees == []


def test_available_programs_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for index in range(20):
        ProgramFactory(organization=cast.org, name=f"Cohort {index:02}")
    client = api_as(cast.member)
    # when
    with django_assert_max_num_queries(4):
        response = client.get("me/programs/available")
    # then
    assert len(response.json()) == 21


# --- POST /programs/{id}/enrollment ------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("member", 201),
        ("mentee", 409),
        ("mentor", 409),
        ("other_manager", 201),
        ("manager", 201),
        ("admin", 201),
    ],
)
def test_enrollment_matrix(cast, api_as, actor_name, status):
    # given
    actor = cast.by_name(actor_name)
    before = _state()
    # when
    response = api_as(actor).post(
        f"programs/{cast.program.pk}/enrollment", {"role": "mentor", "capacity": 2}
    )
    # then
    if status != 201:
        _assert_problem(response, status)
        assert _state() == before
        return
    row = Participant.objects.get(program=cast.program, user=actor)
    assert response.status_code == 201
    assert response.json() == _participant_json(row)
    assert (row.role, row.status, row.capacity) == ("mentor", "active", 2)


def test_enrollment_with_answers_and_errors_as_problem_json(cast, api_as):
    # given
    question = EnrollmentQuestionFactory(
        program=cast.program, prompt="What do you want to learn?", is_required=True
    )
    scale = EnrollmentQuestionFactory(
        program=cast.program, prompt="Confidence?", kind=QuestionKind.SCALE
    )
    client = api_as(cast.member)
    # when
    refused = client.post(
        f"programs/{cast.program.pk}/enrollment",
        {"role": "mentee", "answers": {str(scale.pk): 9}},
    )
    # then
    assert _assert_problem(refused, 400) == {
        "type": "https://tandem.example/problems/invalid-input",
        "title": "Some of the input is not valid",
        "status": 400,
        "detail": "'What do you want to learn?' is required. "
        "'Confidence?' must be a whole number from 1 to 5.",
        "errors": [
            {
                "field": f"answers.{question.pk}",
                "message": "'What do you want to learn?' is required.",
            },
            {
                "field": f"answers.{scale.pk}",
                "message": "'Confidence?' must be a whole number from 1 to 5.",
            },
        ],
    }
    assert not Participant.objects.filter(user=cast.member).exists()
    # when
    accepted = client.post(
        f"programs/{cast.program.pk}/enrollment",
        {"role": "mentee", "answers": {str(question.pk): "Negotiation", str(scale.pk): 3}},
    )
    # then
    assert accepted.status_code == 201
    row = Participant.objects.get(user=cast.member)
    assert {a.question_id: a.value for a in row.answers.all()} == {
        question.pk: "Negotiation",
        scale.pk: 3,
    }


def test_enrollment_with_an_unknown_role_is_422(cast, api_as):
    # when
    response = api_as(cast.member).post(
        f"programs/{cast.program.pk}/enrollment", {"role": "sponsor"}
    )
    # then
    body = _assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["role"]
    assert not Participant.objects.filter(user=cast.member).exists()


def test_enrollment_in_a_closed_window_is_400_with_the_date(cast, api_as):
    # given
    cast.program.enrollment_closes_on = "2020-03-01"
    cast.program.save(update_fields=["enrollment_closes_on"])
    # when
    response = api_as(cast.member).post(
        f"programs/{cast.program.pk}/enrollment", {"role": "mentee"}
    )
    # then
    body = _assert_problem(response, 400)
    assert body["detail"] == "Enrolment for Leadership cohort closed on 1 March 2020."
    assert not Participant.objects.filter(user=cast.member).exists()


def test_already_enrolled_is_409(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.mentee).post(
        f"programs/{cast.program.pk}/enrollment", {"role": "mentee"}
    )
    # then
    body = _assert_problem(response, 409)
    assert body["detail"] == "You are already in Leadership cohort as a mentee (status: enrolled)."
    assert _state() == before


# --- GET /programs/{id}/participants -----------------------------------------------------

MANAGER_ONLY = [
    ("anonymous", 401),
    ("outsider", 404),
    ("member", 403),
    ("mentee", 403),
    ("mentor", 403),
    ("other_manager", 403),
    ("manager", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("actor_name", "status"), MANAGER_ONLY)
def test_participant_list_matrix(cast, api_as, actor_name, status):
    # when
    response = api_as(cast.by_name(actor_name)).get(f"programs/{cast.program.pk}/participants")
    # then
    if status != 200:
        body = _assert_problem(response, status)
        assert "items" not in body
        return
    assert response.json() == {
        "items": [
            _participant_json(p)
            for p in sorted(
                [cast.mentor_participant, cast.mentee_participant],
                key=lambda p: (p.user.last_name, p.user.first_name, p.user.email),
            )
        ],
        "count": 2,
        "next": None,
    }


def test_participant_list_filters(cast, api_as):
    # given
    sales = UserFactory(organization=cast.org, first_name="Zoë", last_name="Quill")
    ProfileFactory(user=sales, department="Sales")
    pending = ParticipantFactory(program=cast.program, user=sales, status=ParticipantStatus.PENDING)
    client = api_as(cast.manager)
    url = f"programs/{cast.program.pk}/participants"
    # when / then
    ids = lambda response: [row["id"] for row in response.json()["items"]]  # noqa: E731
    assert ids(client.get(url, {"role": "mentor"})) == [cast.mentor_participant.pk]
    assert ids(client.get(url, {"status": "pending"})) == [pending.pk]
    assert ids(client.get(url, {"department": "sales"})) == [pending.pk]
    assert ids(client.get(url, {"search": "zoë qui"})) == [pending.pk]
    assert ids(client.get(url, {"search": "mentor@northwind"})) == [cast.mentor_participant.pk]
    assert ids(client.get(url, {"search": "nobody"})) == []
    _assert_problem(client.get(url, {"status": "retired"}), 422)


def test_participant_list_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for _ in range(25):
        ParticipantFactory(
            program=cast.program, user=ProfileFactory(user__organization=cast.org).user
        )
    client = api_as(cast.manager)
    # when
    with django_assert_max_num_queries(7):
        response = client.get(f"programs/{cast.program.pk}/participants", {"limit": 100})
    # then
    assert response.json()["count"] == 27
    assert len(response.json()["items"]) == 27


# --- POST /programs/{id}/participants ----------------------------------------------------


@pytest.mark.parametrize(("actor_name", "status"), MANAGER_ONLY)
def test_participant_add_matrix(cast, api_as, actor_name, status):
    # given
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"programs/{cast.program.pk}/participants",
        {"email": "member@northwind.test", "role": "mentee"},
    )
    # then
    if status != 200:
        _assert_problem(response, status)
        assert _state() == before
        return
    row = Participant.objects.get(program=cast.program, user=cast.member)
    assert response.status_code == 201
    assert response.json() == _participant_json(row)
    assert (row.role, row.status) == ("mentee", "active")


def test_participant_add_by_user_id_in_an_invitation_programme_invites(cast, api_as):
    # given
    cast.program.access = ProgramAccess.INVITATION
    cast.program.save(update_fields=["access"])
    # when
    response = api_as(cast.admin).post(
        f"programs/{cast.program.pk}/participants",
        {"user_id": cast.member.pk, "role": "mentor", "capacity": 3},
    )
    # then
    assert response.status_code == 201
    row = Participant.objects.get(program=cast.program, user=cast.member)
    assert (row.status, row.role, row.capacity, row.enrolled_at) == ("invited", "mentor", 3, None)


def test_participant_add_someone_from_another_org_is_404(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.manager).post(
        f"programs/{cast.program.pk}/participants",
        {"user_id": cast.outsider.pk, "role": "mentee"},
    )
    # then
    body = _assert_problem(response, 404)
    assert body["detail"] == "No such person in your organisation."
    assert _state() == before


# --- GET /programs/{id}/participants/export ----------------------------------------------


@pytest.mark.parametrize(("actor_name", "status"), MANAGER_ONLY)
def test_export_matrix(cast, api_as, actor_name, status):
    # when
    response = api_as(cast.by_name(actor_name)).get(
        f"programs/{cast.program.pk}/participants/export"
    )
    # then
    if status != 200:
        _assert_problem(response, status)
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3
    assert sorted(row[2] for row in rows[1:]) == ["mentee@northwind.test", "mentor@northwind.test"]


def test_export_has_one_column_per_question_within_a_query_budget(
    cast, api_as, django_assert_max_num_queries
):
    # given
    skills = [SkillFactory(organization=cast.org, name=name) for name in ("Coaching", "SQL")]
    topics = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Topics?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["Career", "Craft"],
        position=1,
    )
    grow = EnrollmentQuestionFactory(
        program=cast.program, prompt="Skills?", kind=QuestionKind.SKILLS, position=2
    )
    for _ in range(20):
        person = ProfileFactory(user__organization=cast.org).user
        participant = ParticipantFactory(program=cast.program, user=person)
        Answer.objects.create(participant=participant, question=topics, value=["Career", "Craft"])
        Answer.objects.create(
            participant=participant, question=grow, value=[skills[1].pk, skills[0].pk]
        )
    client = api_as(cast.manager)
    # when
    with django_assert_max_num_queries(9):
        response = client.get(f"programs/{cast.program.pk}/participants/export")
    # then
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "First name",
        "Last name",
        "Email",
        "Department",
        "Job title",
        "Role",
        "Status",
        "Capacity",
        "Enrolled at",
        "Motivation",
        "Topics?",
        "Skills?",
    ]
    assert len(rows) == 23
    answered = [row for row in rows[1:] if row[10]]
    assert len(answered) == 20
    assert {(row[10], row[11]) for row in answered} == {("Career; Craft", "SQL; Coaching")}
    mentor_row = next(row for row in rows if row[2] == "mentor@northwind.test")
    assert mentor_row[5:8] == ["Mentor", "Enrolled", "2"]
    assert mentor_row[10:] == ["", ""]


# --- GET /participants/{id} --------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("member", 404),
        ("mentee", 200),
        ("mentor", 404),
        ("other_manager", 404),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_participant_get_matrix(cast, api_as, actor_name, status):
    # given
    question = EnrollmentQuestionFactory(program=cast.program, prompt="Goal?")
    Answer.objects.create(participant=cast.mentee_participant, question=question, value="Lead")
    # when
    response = api_as(cast.by_name(actor_name)).get(f"participants/{cast.mentee_participant.pk}")
    # then
    if status != 200:
        body = _assert_problem(response, status)
        assert "user" not in body
        return
    assert response.json() == {
        **_participant_json(cast.mentee_participant),
        "answers": [{"question_id": question.pk, "prompt": "Goal?", "value": "Lead"}],
    }


# --- approve / decline -------------------------------------------------------------------

DECIDERS = [
    ("anonymous", 401),
    ("outsider", 404),
    ("member", 404),
    ("mentee", 404),
    ("mentor", 404),
    ("other_manager", 404),
    ("applicant", 403),
    ("manager", 200),
    ("admin", 200),
]


@pytest.fixture
def application(cast):
    cast.program.access = ProgramAccess.APPLICATION
    cast.program.save(update_fields=["access"])
    applicant = UserFactory(organization=cast.org, email="applicant@northwind.test")
    ProfileFactory(user=applicant)
    return ParticipantFactory(
        program=cast.program,
        user=applicant,
        status=ParticipantStatus.PENDING,
        motivation="I want to grow",
    )


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(("actor_name", "status"), DECIDERS)
def test_decision_matrix(cast, api_as, application, action, actor_name, status):
    # given
    actor = application.user if actor_name == "applicant" else cast.by_name(actor_name)
    before = _state()
    # when
    response = api_as(actor).post(f"participants/{application.pk}/{action}", {"note": "Noted"})
    # then
    if status != 200:
        _assert_problem(response, status)
        assert _state() == before
        return
    row = Participant.objects.get(pk=application.pk)
    assert response.json() == _participant_json(row)
    assert row.status == {"approve": "active", "decline": "declined"}[action]
    assert (row.decided_by_id, row.decision_note) == (actor.pk, "Noted")


def test_approving_an_active_participant_is_409(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.manager).post(f"participants/{cast.mentor_participant.pk}/approve")
    # then
    body = _assert_problem(response, 409)
    assert body["detail"] == (
        f"{cast.mentor} cannot be approved in Leadership cohort: their status is 'enrolled'. "
        "Only participants who are 'awaiting approval' can be approved."
    )
    assert _state() == before


# --- withdraw ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("member", 404),
        ("mentee", 200),
        ("mentor", 404),
        ("other_manager", 404),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_withdraw_matrix(cast, api_as, actor_name, status):
    # given
    before = _state()
    # when
    response = api_as(cast.by_name(actor_name)).post(
        f"participants/{cast.mentee_participant.pk}/withdraw", {"reason": "Moving on"}
    )
    # then
    if status != 200:
        _assert_problem(response, status)
        assert _state() == before
        return
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert response.json() == _participant_json(row)
    assert (row.status, row.withdrawal_reason) == ("withdrawn", "Moving on")
    assert row.withdrawn_at is not None


def test_withdraw_then_enrol_again_through_the_api(cast, api_as):
    # given
    client = api_as(cast.mentee)
    client.post(f"participants/{cast.mentee_participant.pk}/withdraw")
    # when
    response = client.post(
        f"programs/{cast.program.pk}/enrollment", {"role": ParticipantRole.MENTOR, "capacity": 1}
    )
    # then
    assert response.status_code == 201
    assert response.json()["id"] == cast.mentee_participant.pk
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.status, row.role, row.capacity, row.withdrawn_at) == ("active", "mentor", 1, None)
