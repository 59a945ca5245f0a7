import pytest

from conftest import ACTOR_NAMES
from tandem.resources.models import LessonCompletion, Resource, ResourceProgress

READERS = {"member", "mentee", "mentor", "other_manager", "manager", "admin"}
ADDITION_READERS = {"mentee", "mentor", "manager", "admin"}


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_library_list_matrix(cast, library, api_as, name):
    response = api_as(cast.by_name(name)).get("resources")
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    slugs = [item["slug"] for item in response.json()["items"]]
    expected = 0 if name == "outsider" else 5 + (name in ADDITION_READERS)
    assert len(slugs) == expected
    assert ("cohort-kick-off-questions" in slugs) is (name in ADDITION_READERS)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_addition_detail_matrix(cast, library, api_as, name):
    response = api_as(cast.by_name(name)).get(f"resources/{library['addition'].pk}")
    expected = 401 if name == "anonymous" else 200 if name in ADDITION_READERS else 404
    assert response.status_code == expected


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_mark_done_matrix(cast, library, api_as, name):
    article = library["asking-open-questions"]
    response = api_as(cast.by_name(name)).post(f"resources/{article.pk}/done")
    expected = 401 if name == "anonymous" else 200 if name in READERS else 404
    assert response.status_code == expected
    assert ResourceProgress.objects.filter(done_at__isnull=False).count() == (expected == 200)


def test_list_filters_and_progress_fields(cast, library, api_as):
    article = library["asking-open-questions"]
    client = api_as(cast.mentee)
    client.post(f"resources/{article.pk}/done")
    assert client.post(f"resources/{article.pk}/rating", {"rating": 5}).status_code == 200
    response = client.get("resources", {"stage": "getting-started", "audience": "mentee"})
    items = response.json()["items"]
    assert [(i["slug"], i["done"], i["rating"]) for i in items] == [
        ("asking-open-questions", True, 5),
        ("cohort-kick-off-questions", False, None),
    ]
    assert client.get("resources", {"stage": "nowhere"}).status_code == 422


def test_detail_renders_sanitised_html_and_children(cast, library, api_as):
    checklist = library["first-meeting-checklist"]
    body = api_as(cast.mentee).get(f"resources/{checklist.pk}").json()
    assert [item["text"] for item in body["checklist_items"]] == [
        "Read their profile.",
        "Send the invitation.",
        "Agree how often you meet.",
    ]
    assert body["progress"] is None
    assert body["body_html"].startswith("<p>Before the meeting:</p>")


def test_undo_done_and_bad_rating(cast, library, api_as):
    article = library["asking-open-questions"]
    client = api_as(cast.mentor)
    client.post(f"resources/{article.pk}/done")
    assert client.delete(f"resources/{article.pk}/done").json()["done_at"] is None
    assert client.post(f"resources/{article.pk}/rating", {"rating": 9}).status_code == 422
    assert ResourceProgress.objects.get(user=cast.mentor).rating is None


def test_module_lessons_and_check_over_the_api(cast, library, api_as):
    module = library["mentoring-in-five-lessons"]
    client = api_as(cast.mentor)
    body = client.get(f"resources/{module.pk}").json()
    for lesson in body["lessons"]:
        assert (
            client.post(f"resources/{module.pk}/lessons/{lesson['id']}/complete").status_code == 200
        )
    answers = {}
    for question in body["check_questions"]:
        option_texts = {o["text"]: o["id"] for o in question["options"]}
        answers[str(question["id"])] = option_texts["The mentee"]
    response = client.post(f"resources/{module.pk}/check", {"answers": answers})
    assert response.status_code == 200
    result = response.json()
    assert (result["score"], result["passed"], result["module_done"]) == (100, True, True)
    assert LessonCompletion.objects.filter(user=cast.mentor).count() == 2


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_program_resource_create_matrix(cast, api_as, name):
    payload = {
        "kind": "article",
        "title": "Cohort rules",
        "body_markdown": "Be kind.",
        "stages": ["getting-started"],
    }
    response = api_as(cast.by_name(name)).post(f"programs/{cast.program.pk}/resources", payload)
    expected = {
        "anonymous": 401,
        "outsider": 404,
        "member": 403,
        "mentee": 403,
        "mentor": 403,
        "other_manager": 403,
        "manager": 201,
        "admin": 201,
    }[name]
    assert response.status_code == expected
    assert Resource.objects.filter(program=cast.program).count() == (expected == 201)
    if expected == 201:
        assert response.json()["body_html"] == "<p>Be kind.</p>"


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_hide_org_piece_matrix(cast, library, api_as, name):
    article = library["asking-open-questions"]
    response = api_as(cast.by_name(name)).post(
        f"programs/{cast.program.pk}/resources/{article.pk}/hide"
    )
    expected = {
        "anonymous": 401,
        "outsider": 404,
        "member": 403,
        "mentee": 403,
        "mentor": 403,
        "other_manager": 403,
        "manager": 403,  # org pieces are the org admins'
        "admin": 200,
    }[name]
    assert response.status_code == expected
    assert Resource.objects.get(pk=article.pk).is_hidden is (expected == 200)


def test_manager_edits_and_hides_own_addition(cast, library, api_as):
    addition = library["addition"]
    client = api_as(cast.manager)
    base = f"programs/{cast.program.pk}/resources/{addition.pk}"
    response = client.patch(base, {"title": "Kick-off questions"})
    assert response.status_code == 200
    assert response.json()["title"] == "Kick-off questions"
    assert client.post(base + "/hide").json()["is_hidden"] is True
    assert client.post(base + "/unhide").json()["is_hidden"] is False
    response = client.patch(base, {"body_markdown": "no questions"})
    assert response.status_code == 400
    assert Resource.objects.get(pk=addition.pk).title == "Kick-off questions"


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_completion_matrix(cast, library, api_as, name):
    response = api_as(cast.by_name(name)).get(f"programs/{cast.program.pk}/resources/completion")
    expected = {"anonymous": 401, "outsider": 404, "manager": 200, "admin": 200}.get(name, 403)
    assert response.status_code == expected


def test_completion_numbers_never_move_by_one_person(cast, library, api_as):
    # given the manager read the rates
    article = library["asking-open-questions"]
    url = f"programs/{cast.program.pk}/resources/completion"
    before = api_as(cast.manager).get(url).json()
    # when the mentee marks a piece done
    assert api_as(cast.mentee).post(f"resources/{article.pk}/done").status_code == 200
    # then the manager's next read is the same: one person is never the difference
    rows = api_as(cast.manager).get(url).json()
    assert rows == before
    row = next(r for r in rows if r["resource"]["id"] == article.pk)
    assert (row["done"], row["participants"], row["percent"]) == (0, 2, 0)


def test_list_query_budgets(cast, library, api_as, django_assert_max_num_queries):
    mentee, manager = api_as(cast.mentee), api_as(cast.manager)
    for resource in library.values():
        mentee.post(f"resources/{resource.pk}/done") if resource.kind != "module" else None
    with django_assert_max_num_queries(8):
        assert len(mentee.get("resources").json()["items"]) == 6
    with django_assert_max_num_queries(8):
        assert len(manager.get(f"programs/{cast.program.pk}/resources/completion").json()) == 6
    with django_assert_max_num_queries(8):
        assert manager.get(f"programs/{cast.program.pk}/resources").json()["count"] == 6
