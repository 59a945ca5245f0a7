"""The people API through real requests: authorization matrix, errors, and the database after."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ACTOR_NAMES
from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.people.models import Profile, Skill
from tandem.people.services import SKIP_REASON
from tandem.people.tests.factories import ProfileFactory, SkillFactory

NON_ADMINS = ["member", "mentee", "mentor", "other_manager", "manager"]
SKILL_READERS = ["member", "mentee", "mentor", "other_manager", "manager", "admin"]
SKILL_EDITORS = ["other_manager", "manager", "admin"]
PLAIN_MEMBERS = ["member", "mentee", "mentor"]


def upload(api, content: bytes, *, dry_run: bool, name: str = "people.csv"):
    """POST a CSV to the import endpoint as multipart, the way a script would."""
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return api.client.post(
        f"/api/v1/people/imports?dry_run={'true' if dry_run else 'false'}",
        data={"file": file},
        headers=api.headers,
    )


def skill_state() -> list[tuple]:
    return list(Skill.objects.order_by("pk").values_list("pk", "organization_id", "name"))


def people_state() -> list[tuple]:
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "email", "first_name", "last_name", "organization_id"
        )
    )


# --- my profile ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_my_profile_matrix(cast, api_as, name):
    # given
    user = cast.by_name(name)
    # when
    response = api_as(user).get("me/profile")
    # then
    if user is None:
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        return
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["timezone"] == "Europe/London"


def test_profile_is_created_on_first_visit(cast, api_as):
    # given
    newcomer = UserFactory(organization=cast.org, email="new@northwind.test")
    assert not Profile.objects.filter(user=newcomer).exists()
    # when
    response = api_as(newcomer).get("me/profile")
    # then
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == {
        "email": "new@northwind.test",
        "first_name": newcomer.first_name,
        "last_name": newcomer.last_name,
        "job_title": "",
        "department": "",
        "seniority": None,
        "location": "",
        "timezone": "UTC",
        "languages": [],
        "bio": "",
        "skills_offered": [],
        "skills_wanted": [],
        "goals": "",
        "availability": "",
        "mentor_capacity": 1,
        "language": "en-gb",
        "updated_at": None,
    }
    assert Profile.objects.filter(user=newcomer).count() == 1


def test_patch_profile_changes_only_what_was_sent(cast, api_as):
    # given
    python = SkillFactory(organization=cast.org, name="Python")
    speaking = SkillFactory(organization=cast.org, name="Public speaking")
    before = Profile.objects.get(user=cast.mentor)
    # when
    response = api_as(cast.mentor).patch(
        "me/profile",
        {
            "timezone": "america/new_york",
            "languages": ["English", " Portuguese ", "english", ""],
            "skills_offered": [python.pk],
            "skills_wanted": [speaking.pk],
            "mentor_capacity": 3,
            "seniority": 4,
            "goals": "Grow into a staff role",
        },
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "America/New_York"
    assert body["languages"] == ["English", "Portuguese"]
    assert body["skills_offered"] == [{"id": python.pk, "name": "Python"}]
    assert body["skills_wanted"] == [{"id": speaking.pk, "name": "Public speaking"}]
    profile = Profile.objects.get(user=cast.mentor)
    assert profile.timezone == "America/New_York"
    assert profile.mentor_capacity == 3
    assert profile.seniority == 4
    assert profile.goals == "Grow into a staff role"
    assert profile.job_title == before.job_title
    assert list(profile.skills_offered.values_list("name", flat=True)) == ["Python"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"timezone": "Mars/Olympus"},
            "timezone",
            "'Mars/Olympus' is not a known timezone. Use an IANA name such as Europe/London or "
            "America/New_York.",
        ),
        ({"mentor_capacity": 0}, "mentor_capacity", "Mentor capacity must be at least 1 mentee."),
        (
            {"seniority": 9},
            "seniority",
            "Choose one of 1 (Entry level), 2 (Junior), 3 (Mid-level), 4 (Senior), "
            "5 (Lead / manager), 6 (Executive).",
        ),
    ],
)
def test_patch_profile_rejects_bad_values_naming_the_field(cast, api_as, payload, field, message):
    # given
    before = Profile.objects.filter(user=cast.member).values().get()
    # when
    response = api_as(cast.member).patch("me/profile", {**payload, "job_title": "Changed"})
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert Profile.objects.filter(user=cast.member).values().get() == before


def test_patch_profile_rejects_another_organisations_skill(cast, api_as):
    # given
    theirs = SkillFactory(organization=cast.other_org, name="Secret skill")
    ours = SkillFactory(organization=cast.org, name="Python")
    # when
    response = api_as(cast.member).patch(
        "me/profile", {"skills_offered": [ours.pk, theirs.pk], "skills_wanted": [ours.pk]}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "skills_offered",
            "message": f"Skill {theirs.pk} is not on your organisation's skill list.",
        }
    ]
    profile = Profile.objects.get(user=cast.member)
    assert profile.skills_offered.count() == 0
    assert profile.skills_wanted.count() == 0


def test_patch_profile_anonymous_is_401(cast, api_as):
    # given
    before = Profile.objects.filter(user=cast.member).values().get()
    # when
    response = api_as(None).patch("me/profile", {"job_title": "Hacked"})
    # then
    assert response.status_code == 401
    assert Profile.objects.filter(user=cast.member).values().get() == before


# --- skills -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_skill_list_matrix(cast, api_as, name):
    # given
    python = SkillFactory(organization=cast.org, name="Python")
    SkillFactory(organization=cast.other_org, name="Globex only")
    Profile.objects.get(user=cast.mentor).skills_offered.add(python)
    # when
    response = api_as(cast.by_name(name)).get("skills")
    # then
    if name == "anonymous":
        assert response.status_code == 401
    elif name == "outsider":
        assert response.status_code == 200
        assert [skill["name"] for skill in response.json()] == ["Globex only"]
    else:
        assert response.status_code == 200
        assert response.json() == [
            {
                "id": python.pk,
                "name": "Python",
                "category": "",
                "offered_count": 1,
                "wanted_count": 0,
            }
        ]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_skill_create_matrix(cast, api_as, name):
    # given
    user = cast.by_name(name)
    before = skill_state()
    # when
    response = api_as(user).post("skills", {"name": "  Data   science ", "category": "Tech"})
    # then
    if name == "anonymous":
        assert response.status_code == 401
        assert skill_state() == before
    elif name in PLAIN_MEMBERS:
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only organisation admins and programme managers can change the skill list."
        )
        assert skill_state() == before
    else:
        assert response.status_code == 201
        skill = Skill.objects.get(pk=response.json()["id"])
        assert response.json() == {"id": skill.pk, "name": "Data science", "category": "Tech"}
        assert skill.organization_id == user.organization_id


def test_skill_names_are_unique_ignoring_case(cast, api_as):
    # given
    SkillFactory(organization=cast.org, name="Python")
    SkillFactory(organization=cast.other_org, name="Go")
    before = skill_state()
    # when
    duplicate = api_as(cast.manager).post("skills", {"name": "PYTHON"})
    # then
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"] == [
        {
            "field": "name",
            "message": "'PYTHON' is already on the list (names ignore upper/lower case).",
        }
    ]
    assert skill_state() == before
    # when another organisation's name is reused here
    allowed = api_as(cast.manager).post("skills", {"name": "go"})
    # then
    assert allowed.status_code == 201


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_skill_rename_matrix(cast, api_as, name):
    # given
    skill = SkillFactory(organization=cast.org, name="Python")
    before = skill_state()
    # when
    response = api_as(cast.by_name(name)).patch(f"skills/{skill.pk}", {"name": "Python 3"})
    # then
    expected = {"anonymous": 401, "outsider": 404, "member": 403, "mentee": 403, "mentor": 403}
    if name in expected:
        assert response.status_code == expected[name]
        assert skill_state() == before
    else:
        assert response.status_code == 200
        assert response.json() == {"id": skill.pk, "name": "Python 3", "category": ""}
        skill.refresh_from_db()
        assert skill.name == "Python 3"


def test_skill_rename_to_an_existing_name_is_409(cast, api_as):
    # given
    SkillFactory(organization=cast.org, name="Python")
    other = SkillFactory(organization=cast.org, name="Go")
    # when
    response = api_as(cast.admin).patch(f"skills/{other.pk}", {"name": "python"})
    # then
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.name == "Go"


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_skill_delete_matrix_removes_it_from_profiles(cast, api_as, name):
    # given
    skill = SkillFactory(organization=cast.org, name="Python")
    profile = Profile.objects.get(user=cast.mentee)
    profile.skills_wanted.add(skill)
    before = skill_state()
    # when
    response = api_as(cast.by_name(name)).delete(f"skills/{skill.pk}")
    # then
    expected = {"anonymous": 401, "outsider": 404, "member": 403, "mentee": 403, "mentor": 403}
    if name in expected:
        assert response.status_code == expected[name]
        assert skill_state() == before
        assert list(profile.skills_wanted.all()) == [skill]
    else:
        assert response.status_code == 204
        assert not Skill.objects.filter(pk=skill.pk).exists()
        assert profile.skills_wanted.count() == 0


def test_skill_list_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for n in range(30):
        skill = SkillFactory(organization=cast.org, name=f"Skill {n:02d}")
        Profile.objects.get(user=cast.mentor).skills_offered.add(skill)
    api = api_as(cast.member)
    # when
    with django_assert_max_num_queries(3):
        response = api.get("skills")
    # then
    assert response.status_code == 200
    assert len(response.json()) == 30


# --- people directory ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_people_list_matrix(cast, api_as, name):
    # when
    response = api_as(cast.by_name(name)).get("people")
    # then
    if name == "anonymous":
        assert response.status_code == 401
    elif name in NON_ADMINS:
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "Only an organisation admin can manage the people directory."
        )
    elif name == "outsider":
        assert response.status_code == 200
        assert [person["email"] for person in response.json()["items"]] == ["admin@globex.test"]
    else:
        body = response.json()
        assert response.status_code == 200
        assert body["count"] == 6
        assert {person["email"] for person in body["items"]} == {
            "admin@northwind.test",
            "manager@northwind.test",
            "other-manager@northwind.test",
            "member@northwind.test",
            "mentor@northwind.test",
            "mentee@northwind.test",
        }


def test_people_list_filters_and_shape(cast, api_as):
    # given
    boss = cast.admin
    person = UserFactory(
        organization=cast.org, email="ana@northwind.test", first_name="Ana", last_name="Silva"
    )
    ProfileFactory(
        user=person,
        job_title="Engineer",
        department="Platform",
        location="Lisbon",
        timezone="Europe/Lisbon",
        manager=boss,
    )
    # when
    by_department = api_as(cast.admin).get("people", {"department": "platform"})
    by_name = api_as(cast.admin).get("people", {"search": "ana silva"})
    # then
    expected = {
        "id": person.pk,
        "email": "ana@northwind.test",
        "first_name": "Ana",
        "last_name": "Silva",
        "role": "member",
        "is_active": True,
        "job_title": "Engineer",
        "department": "Platform",
        "location": "Lisbon",
        "timezone": "Europe/Lisbon",
        "manager_email": "admin@northwind.test",
        "hire_date": None,
    }
    assert by_department.json() == {"items": [expected], "count": 1, "next": None}
    assert by_name.json() == {"items": [expected], "count": 1, "next": None}


def test_people_list_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for n in range(60):
        ProfileFactory(
            user=UserFactory(organization=cast.org, email=f"p{n}@northwind.test"),
            manager=cast.admin,
        )
    api = api_as(cast.admin)
    # when
    with django_assert_max_num_queries(4):
        response = api.get("people", {"limit": 100})
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 66


# --- export -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_export_matrix(cast, api_as, name):
    # when
    response = api_as(cast.by_name(name)).get("people/export")
    # then
    if name == "anonymous":
        assert response.status_code == 401
    elif name in NON_ADMINS:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeffEmail,First name,Last name,")
        emails = [line.split(",")[0] for line in text.splitlines()[1:]]
        if name == "outsider":
            assert emails == ["admin@globex.test"]
        else:
            assert len(emails) == 6
            assert "admin@globex.test" not in emails


def test_export_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for n in range(100):
        ProfileFactory(
            user=UserFactory(organization=cast.org, email=f"p{n:03d}@northwind.test"),
            manager=cast.admin,
        )
    api = api_as(cast.admin)
    # when (the fourth query records the download in the audit trail)
    with django_assert_max_num_queries(4):
        response = api.get("people/export")
        lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    # then
    assert len(lines) == 1 + 106
    assert lines[1].startswith("admin@northwind.test,")
    assert any(
        line.startswith("p000@northwind.test,") and "admin@northwind.test" in line for line in lines
    )


# --- import -------------------------------------------------------------------------------

GOOD_FILE = (
    b"Email,First name,Last name,Job title,Manager email\r\n"
    b"new@northwind.test,New,Person,Engineer,admin@northwind.test\r\n"
)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_import_commit_matrix(cast, api_as, name):
    # given
    before = people_state()
    # when
    response = upload(api_as(cast.by_name(name)), GOOD_FILE, dry_run=False)
    # then
    if name == "admin":
        assert response.status_code == 200
        body = response.json()
        assert body["committed"] is True
        assert body["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 0}
        created = User.objects.select_related("profile").get(email="new@northwind.test")
        assert created.organization_id == cast.org.pk
        assert created.profile.manager_id == cast.admin.pk
        return
    expected = 400 if name == "outsider" else 401 if name == "anonymous" else 403
    assert response.status_code == expected
    assert people_state() == before


def test_outsider_import_reveals_nothing_about_the_other_organisation(cast, api_as):
    # given another organisation's admin imports an address of this organisation
    content = b"Email,First name\r\nmember@northwind.test,Stolen\r\n"
    new_content = b"Email,First name\r\nnobody-yet@northwind.test,Stolen\r\n"
    before = people_state()
    # when
    response = upload(api_as(cast.outsider), content, dry_run=False)
    # then nothing of this organisation moved, and the answer says the row was not added,
    # naming nothing of this organisation (its dry run reads like a new address's)
    assert response.status_code == 200
    assert people_state() == before
    answer = response.json()
    preview = upload(api_as(cast.outsider), content, dry_run=True).json()
    new_preview = upload(api_as(cast.outsider), new_content, dry_run=True).json()
    assert preview == {
        **new_preview,
        "rows": [{**new_preview["rows"][0], "email": "member@northwind.test"}],
    }
    assert answer["counts"] == {"create": 0, "update": 0, "unchanged": 0, "reject": 0, "skip": 1}
    assert answer["rows"][0]["action"] == "skip"
    assert answer["rows"][0]["changes"] == [SKIP_REASON]
    assert "northwind" not in repr(answer["rows"][0]["changes"]).lower()


def test_import_dry_run_previews_and_writes_nothing(cast, api_as):
    # given
    content = (
        b"Email;First name;Favourite colour;Hire date\r\n"
        b"member@northwind.test;Mia;blue;\r\n"
        b"x@northwind.test;X;red;31/12/2020\r\n"
        b"bad;Y;green;2020-13-01\r\n"
    )
    before = people_state()
    # when
    response = upload(api_as(cast.admin), content, dry_run=True)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert body["committed"] is False
    assert body["counts"] == {"create": 1, "update": 1, "unchanged": 0, "reject": 1}
    assert body["columns"] == ["email", "first_name", "hire_date"]
    assert body["warnings"] == ["These columns are not used and were ignored: 'Favourite colour'."]
    assert body["rows"][0] == {
        "row": 4,
        "email": "bad",
        "action": "reject",
        "changes": [],
        "errors": [
            {"row": 4, "field": "Email", "message": "'bad' is not a valid email address."},
            {
                "row": 4,
                "field": "Hire date",
                "message": "'2020-13-01' is not a date. Use YYYY-MM-DD (e.g. 2024-03-31) or "
                "DD/MM/YYYY (e.g. 31/03/2024).",
            },
        ],
    }
    assert [row["action"] for row in body["rows"][1:]] == ["update", "create"]
    assert people_state() == before


def test_failed_commit_is_problem_json_listing_rows(cast, api_as):
    # given
    content = b"Email,Timezone\r\nok@northwind.test,UTC\r\nbad@northwind.test,Nowhere/Land\r\n"
    before = people_state()
    # when
    response = upload(api_as(cast.admin), content, dry_run=False)
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-input")
    assert body["errors"] == [
        {
            "row": 3,
            "field": "Timezone",
            "message": "'Nowhere/Land' is not a known timezone. Use an IANA name such as "
            "Europe/London.",
        }
    ]
    assert people_state() == before


def test_import_file_over_the_limit_is_400(cast, api_as, settings):
    # given
    settings.PEOPLE_IMPORT_MAX_BYTES = 100
    content = b"Email\r\n" + b"".join(f"p{n}@northwind.test\r\n".encode() for n in range(20))
    before = people_state()
    # when
    response = upload(api_as(cast.admin), content, dry_run=False)
    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert people_state() == before


def test_import_without_file_is_422(cast, api_as):
    # given
    api = api_as(cast.admin)
    # when
    response = api.client.post("/api/v1/people/imports", headers=api.headers)
    # then
    assert response.status_code == 422
