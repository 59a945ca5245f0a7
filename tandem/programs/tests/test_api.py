import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from conftest import ACTOR_NAMES
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.programs.models import EnrollmentQuestion, Program, ProgramStatus
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory

NON_MANAGERS = ["member", "mentee", "mentor", "other_manager"]


def _when(value: datetime.datetime | None) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _state() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[int, int]]]:
    """Everything this app stores, to check that a refused request changed nothing."""
    return (
        list(Program.objects.order_by("pk").values()),
        list(EnrollmentQuestion.objects.order_by("pk").values()),
        sorted(Program.managers.through.objects.values_list("program_id", "user_id")),
    )


@pytest.fixture
def world(cast):
    """The cast's published programme with two questions, plus a draft the manager runs."""
    draft = ProgramFactory(
        organization=cast.org,
        name="Draft cohort",
        status=ProgramStatus.DRAFT,
        managers=[cast.manager],
    )
    for program in (cast.program, draft):
        EnrollmentQuestionFactory(program=program, prompt="Why mentoring?", position=0)
        EnrollmentQuestionFactory(
            program=program,
            prompt="Preferred format?",
            kind="single_choice",
            choices=["Video", "In person"],
            position=1,
        )
    return cast, draft


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {program} and {question} are filled in per programme
    body: dict[str, Any] | None
    success: int
    manage: bool


def _question_ids(program: Program) -> list[int]:
    return list(program.questions.order_by("position").values_list("pk", flat=True))


ENDPOINTS = [
    Endpoint("get", "get", "programs/{program}", None, 200, manage=False),
    Endpoint("update", "patch", "programs/{program}", {"name": "Renamed"}, 200, manage=True),
    Endpoint("archive", "post", "programs/{program}/archive", {}, 200, manage=True),
    Endpoint("duplicate", "post", "programs/{program}/duplicate", {}, 201, manage=True),
    Endpoint("questions", "get", "programs/{program}/questions", None, 200, manage=False),
    Endpoint(
        "question_create",
        "post",
        "programs/{program}/questions",
        {"prompt": "Your goal?", "kind": "text"},
        201,
        manage=True,
    ),
    Endpoint(
        "question_update",
        "patch",
        "programs/{program}/questions/{question}",
        {"prompt": "Reworded?"},
        200,
        manage=True,
    ),
    Endpoint(
        "question_delete",
        "delete",
        "programs/{program}/questions/{question}",
        None,
        204,
        manage=True,
    ),
    Endpoint(
        "question_reorder",
        "post",
        "programs/{program}/questions/reorder",
        {"question_ids": "reversed"},
        200,
        manage=True,
    ),
]


def _call(api_as, user, endpoint: Endpoint, program: Program):
    question_ids = _question_ids(program)
    path = endpoint.path.format(program=program.pk, question=question_ids[0])
    body = endpoint.body
    if body == {"question_ids": "reversed"}:
        body = {"question_ids": list(reversed(question_ids))}
    client = api_as(user)
    if endpoint.method in ("get", "delete"):
        return getattr(client, endpoint.method)(path)
    return getattr(client, endpoint.method)(path, body)


def _expected_on_published(endpoint: Endpoint, actor_name: str) -> int:
    if actor_name == "anonymous":
        return 401
    if actor_name == "outsider":
        return 404
    if actor_name in NON_MANAGERS:
        return 403 if endpoint.manage else 200
    return endpoint.success


def _expected_on_draft(endpoint: Endpoint, actor_name: str) -> int:
    if actor_name == "anonymous":
        return 401
    if actor_name == "outsider" or actor_name in NON_MANAGERS:
        return 404
    return endpoint.success


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_authorization_matrix_on_a_published_programme(world, api_as, endpoint, actor_name):
    # given
    cast, _ = world
    expected = _expected_on_published(endpoint, actor_name)
    before = _state()
    # when
    response = _call(api_as, cast.by_name(actor_name), endpoint, cast.program)
    # then
    assert response.status_code == expected
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        assert "Leadership cohort" not in response.content.decode()
        assert _state() == before


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize(
    "endpoint",
    [
        *ENDPOINTS,
        Endpoint("publish", "post", "programs/{program}/publish", {}, 200, manage=True),
    ],
    ids=lambda endpoint: endpoint.name,
)
def test_authorization_matrix_on_a_draft(world, api_as, endpoint, actor_name):
    # given
    cast, draft = world
    expected = _expected_on_draft(endpoint, actor_name)
    before = _state()
    # when
    response = _call(api_as, cast.by_name(actor_name), endpoint, draft)
    # then
    assert response.status_code == expected
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        assert "Draft cohort" not in response.content.decode()
        assert _state() == before


CREATE_BODY = {
    "name": "Women in engineering",
    "purpose": "diversity",
    "starts_on": "2027-02-01",
    "ends_on": "2027-11-30",
}


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("anonymous", 401),
        ("member", 403),
        ("mentee", 403),
        ("mentor", 403),
        ("other_manager", 201),
        ("manager", 201),
        ("admin", 201),
        ("outsider", 201),  # an admin of another organisation creates in their own
    ],
)
def test_create_authorization(cast, api_as, actor_name, expected):
    # given
    actor = cast.by_name(actor_name)
    before = _state()
    # when
    response = api_as(actor).post("programs", CREATE_BODY)
    # then
    assert response.status_code == expected
    if expected == 201:
        created = Program.objects.get(pk=response.json()["id"])
        assert created.organization_id == actor.organization_id
        assert list(created.managers.all()) == [actor]
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert _state() == before


def test_create_returns_the_whole_programme(cast, api_as):
    # when
    response = api_as(cast.manager).post(
        "programs", {**CREATE_BODY, "manager_ids": [cast.admin.pk]}
    )
    # then
    assert response.status_code == 201
    program = Program.objects.get(name="Women in engineering")
    managers = sorted(
        [cast.admin, cast.manager], key=lambda user: (user.last_name, user.first_name, user.email)
    )
    assert response.json() == {
        "id": program.pk,
        "name": "Women in engineering",
        "description": "",
        "purpose": "diversity",
        "format": "one_to_one",
        "status": "draft",
        "access": "open",
        "is_ongoing": False,
        "starts_on": "2027-02-01",
        "ends_on": "2027-11-30",
        "enrollment_opens_on": None,
        "enrollment_closes_on": None,
        "duration_months": 12,
        "cadence": "monthly",
        "default_mentor_capacity": 1,
        "max_circle_size": 5,
        "colour": "#0d6efd",
        "managers": [
            {"id": user.pk, "name": user.full_name, "email": user.email} for user in managers
        ],
        "eligible_groups": [],
        "mentor_count": 0,
        "mentee_count": 0,
        "created_at": _when(program.created_at),
        "updated_at": _when(program.updated_at),
        "published_at": None,
        "archived_at": None,
    }


def test_create_with_zero_capacity_is_a_400_naming_the_field(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.manager).post("programs", {**CREATE_BODY, "default_mentor_capacity": 0})
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://tandem.example/problems/invalid-input",
        "title": "Some of the input is not valid",
        "status": 400,
        "detail": "The programme was not created. The default mentor capacity must be at least 1.",
        "errors": [
            {
                "field": "default_mentor_capacity",
                "message": "The default mentor capacity must be at least 1.",
            }
        ],
    }
    assert _state() == before


def test_create_with_a_manager_from_another_org_is_a_400_that_leaks_nothing(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.admin).post(
        "programs", {**CREATE_BODY, "manager_ids": [cast.outsider.pk]}
    )
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "field": "manager_ids",
            "message": "These ids are not programme managers or organisation admins in your "
            f"organisation: {cast.outsider.pk}.",
        }
    ]
    assert cast.outsider.email not in response.content.decode()
    assert _state() == before


def test_malformed_body_is_a_422(cast, api_as):
    # given
    before = _state()
    # when
    response = api_as(cast.manager).post("programs", {**CREATE_BODY, "starts_on": "someday"})
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["starts_on"]
    assert _state() == before


def test_patch_changes_only_what_was_sent(world, api_as):
    # given
    cast, draft = world
    # when
    response = api_as(cast.manager).patch(
        f"programs/{draft.pk}",
        {"description": "Twelve months.", "manager_ids": [cast.manager.pk, cast.other_manager.pk]},
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["description"]) == ("Draft cohort", "Twelve months.")
    assert sorted(manager["id"] for manager in body["managers"]) == sorted(
        [cast.manager.pk, cast.other_manager.pk]
    )
    draft.refresh_from_db()
    assert (draft.name, draft.description) == ("Draft cohort", "Twelve months.")
    assert set(draft.managers.values_list("pk", flat=True)) == {
        cast.manager.pk,
        cast.other_manager.pk,
    }


def test_patch_with_end_before_start_is_a_400_and_changes_nothing(world, api_as):
    # given
    cast, draft = world
    before = _state()
    # when
    response = api_as(cast.manager).patch(
        f"programs/{draft.pk}", {"name": "New", "starts_on": "2027-05-01", "ends_on": "2027-04-01"}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "ends_on", "message": "The end date must be on or after the start date."}
    ]
    assert _state() == before


def test_lifecycle_through_the_api(world, api_as):
    # given
    cast, draft = world
    client = api_as(cast.manager)
    # when
    published = client.post(f"programs/{draft.pk}/publish")
    again = client.post(f"programs/{draft.pk}/publish")
    archived = client.post(f"programs/{draft.pk}/archive")
    edit_archived = client.patch(f"programs/{draft.pk}", {"name": "Back again"})
    # then
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert again.status_code == 409
    assert again.json() == {
        "type": "https://tandem.example/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "'Draft cohort' is already published.",
    }
    assert archived.status_code == 200
    draft.refresh_from_db()
    assert draft.status == ProgramStatus.ARCHIVED
    assert archived.json()["archived_at"] == _when(draft.archived_at)
    assert edit_archived.status_code == 409
    assert edit_archived.json()["detail"] == (
        "'Draft cohort' is archived, so it can no longer be changed."
    )
    assert draft.name == "Draft cohort"


def test_duplicate_through_the_api(world, api_as):
    # given
    cast, _ = world
    # when
    response = api_as(cast.admin).post(f"programs/{cast.program.pk}/duplicate")
    # then
    assert response.status_code == 201
    copy = Program.objects.get(pk=response.json()["id"])
    assert response.json()["name"] == "Copy of Leadership cohort"
    assert response.json()["status"] == "draft"
    assert response.json()["mentor_count"] == 0
    assert list(copy.questions.values_list("prompt", flat=True)) == [
        "Why mentoring?",
        "Preferred format?",
    ]
    assert set(copy.managers.values_list("pk", flat=True)) == {cast.manager.pk, cast.admin.pk}


def _visible_names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("outsider", ["Globex mentoring"]),
        ("member", ["Leadership cohort"]),
        ("mentee", ["Leadership cohort"]),
        ("mentor", ["Leadership cohort"]),
        ("other_manager", ["Leadership cohort", "Other draft"]),
        ("manager", ["Archived 2025", "Draft cohort", "Leadership cohort"]),
        ("admin", ["Archived 2025", "Draft cohort", "Leadership cohort", "Other draft"]),
    ],
)
def test_list_shows_what_each_person_may_see(world, api_as, actor_name, expected):
    # given
    cast, _ = world
    ProgramFactory(
        organization=cast.org,
        name="Other draft",
        status=ProgramStatus.DRAFT,
        managers=[cast.other_manager],
    )
    ProgramFactory(
        organization=cast.org,
        name="Archived 2025",
        status=ProgramStatus.ARCHIVED,
        managers=[cast.manager],
    )
    ProgramFactory(organization=cast.other_org, name="Globex mentoring")
    # when
    response = api_as(cast.by_name(actor_name)).get("programs")
    # then
    assert response.status_code == 200
    assert _visible_names(response) == expected
    assert response.json()["count"] == len(expected)


def test_list_anonymous_is_401(db, api_as):
    response = api_as(None).get("programs")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_list_filters_and_pages(world, api_as):
    # given
    cast, _ = world
    ProgramFactory(organization=cast.org, name="A published one", managers=[cast.other_manager])
    client = api_as(cast.manager)
    # when
    drafts = client.get("programs", {"status": "draft"})
    managed = client.get("programs", {"managed": "true"})
    first_page = client.get("programs", {"limit": 1, "offset": 1})
    member_managed = api_as(cast.member).get("programs", {"managed": "true"})
    bad_status = client.get("programs", {"status": "deleted"})
    # then
    assert _visible_names(drafts) == ["Draft cohort"]
    assert _visible_names(managed) == ["Draft cohort", "Leadership cohort"]
    assert first_page.json()["count"] == 3
    assert _visible_names(first_page) == ["Draft cohort"]
    assert _visible_names(member_managed) == []
    assert bad_status.status_code == 422


def test_question_create_update_delete(world, api_as):
    # given
    cast, draft = world
    client = api_as(cast.manager)
    # when
    created = client.post(
        f"programs/{draft.pk}/questions",
        {
            "prompt": "Skills you want to grow",
            "kind": "skills",
            "audience": "mentee",
            "is_required": True,
            "use_for_matching": True,
        },
    )
    question_id = created.json()["id"]
    updated = client.patch(
        f"programs/{draft.pk}/questions/{question_id}", {"audience": "both", "help_text": "Pick 3"}
    )
    # then
    assert created.status_code == 201
    assert created.json() == {
        "id": question_id,
        "prompt": "Skills you want to grow",
        "help_text": "",
        "kind": "skills",
        "audience": "mentee",
        "is_required": True,
        "use_for_matching": True,
        "position": 2,
        "choices": [],
        "min_value": None,
        "max_value": None,
        "answer_count": 0,
    }
    assert updated.status_code == 200
    assert (updated.json()["audience"], updated.json()["help_text"]) == ("both", "Pick 3")
    question = EnrollmentQuestion.objects.get(pk=question_id)
    assert (question.audience, question.help_text, question.is_required) == ("both", "Pick 3", True)

    # when deleted
    deleted = client.delete(f"programs/{draft.pk}/questions/{question_id}")
    # then
    assert deleted.status_code == 204
    assert not EnrollmentQuestion.objects.filter(pk=question_id).exists()


def test_choice_question_with_one_option_is_a_400(world, api_as):
    # given
    cast, draft = world
    before = _state()
    # when
    response = api_as(cast.manager).post(
        f"programs/{draft.pk}/questions",
        {"prompt": "Pick", "kind": "multiple_choice", "choices": ["Only"]},
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "choices", "message": "A choice question needs at least two different options."}
    ]
    assert _state() == before


def test_question_of_another_programme_is_404(world, api_as):
    # given
    cast, draft = world
    foreign = draft.questions.first()
    before = _state()
    # when
    response = api_as(cast.manager).patch(
        f"programs/{cast.program.pk}/questions/{foreign.pk}", {"prompt": "Hijacked"}
    )
    # then
    assert response.status_code == 404
    assert _state() == before


def test_reorder_through_the_api(world, api_as):
    # given
    cast, _ = world
    first, second = _question_ids(cast.program)
    client = api_as(cast.manager)
    # when
    wrong = client.post(f"programs/{cast.program.pk}/questions/reorder", {"question_ids": [second]})
    right = client.post(
        f"programs/{cast.program.pk}/questions/reorder", {"question_ids": [second, first]}
    )
    # then
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "question_ids"
    assert right.status_code == 200
    assert [(item["id"], item["position"]) for item in right.json()] == [(second, 0), (first, 1)]
    assert _question_ids(cast.program) == [second, first]


def test_demoted_manager_loses_manage_rights(world, api_as):
    # given a listed manager whose role became member
    cast, _ = world
    demoted = UserFactory(organization=cast.org, role=Role.PROGRAM_MANAGER)
    cast.program.managers.add(demoted)
    demoted.role = Role.MEMBER
    demoted.save(update_fields=["role"])
    before = _state()
    # when
    response = api_as(demoted).patch(f"programs/{cast.program.pk}", {"name": "Mine"})
    # then
    assert response.status_code == 403
    assert _state() == before


# --- colour -------------------------------------------------------------------------------


def test_patch_sets_the_colour_in_one_spelling(world, api_as):
    # given
    cast, draft = world
    # when
    response = api_as(cast.manager).patch(f"programs/{draft.pk}", {"colour": "#1A7F37"})
    # then
    assert response.status_code == 200
    assert response.json()["colour"] == "#1a7f37"
    draft.refresh_from_db()
    assert draft.colour == "#1a7f37"


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#12345g", "", "0d6efd"])
def test_patch_with_a_colour_that_is_not_hex_is_a_400_naming_it_and_changes_nothing(
    world, api_as, colour
):
    # given
    cast, draft = world
    before = _state()
    # when
    response = api_as(cast.manager).patch(
        f"programs/{draft.pk}", {"name": "Renamed", "colour": colour}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "colour", "message": "Use a hex colour like #0d6efd."}
    ]
    assert _state() == before


def test_create_without_a_colour_gets_tandem_blue(cast, api_as):
    # when
    response = api_as(cast.manager).post("programs", CREATE_BODY)
    # then
    assert response.status_code == 201
    assert response.json()["colour"] == "#0d6efd"
    assert Program.objects.get(name="Women in engineering").colour == "#0d6efd"
