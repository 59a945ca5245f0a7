import re

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.resources.models import LessonCompletion, Resource, ResourceProgress

ADDITION_READERS = {"mentee", "mentor", "manager", "admin"}


def _login(client, cast, name):
    user = cast.by_name(name)
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_library_page_matrix(client, cast, library, name):
    _login(client, cast, name)
    response = client.get(reverse("resources:library"))
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert ("Cohort kick-off questions" in content) is (name in ADDITION_READERS)
    assert ("Asking open questions" in content) is (name != "outsider")


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_addition_detail_page_matrix(client, cast, library, name):
    _login(client, cast, name)
    response = client.get(reverse("resources:detail", args=[library["addition"].pk]))
    expected = 302 if name == "anonymous" else 200 if name in ADDITION_READERS else 404
    assert response.status_code == expected
    if expected == 200:
        assert "What do you hope to learn?" in response.content.decode()


def test_library_search_and_filters(client, cast, library):
    client.force_login(cast.mentee)
    response = client.get(reverse("resources:library"), {"q": "twenty", "kind": "video"})
    content = response.content.decode()
    assert "A talk on listening" in content
    assert "Asking open questions" not in content


def test_checklist_tick_with_htmx(client, cast, library):
    checklist = library["first-meeting-checklist"]
    item = checklist.checklist_items.get(order=1)
    client.force_login(cast.mentor)
    url = reverse("resources:checklist_item", args=[checklist.pk, item.pk])
    response = client.post(url, {"checked": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert ResourceProgress.objects.get(user=cast.mentor).checked_items == [1]
    page = client.get(reverse("resources:detail", args=[checklist.pk])).content.decode()
    assert f'id="item-{item.pk}" checked' in page


def test_mark_done_and_rate_pages(client, cast, library):
    article = library["asking-open-questions"]
    client.force_login(cast.mentee)
    assert client.post(reverse("resources:done", args=[article.pk])).status_code == 302
    response = client.post(
        reverse("resources:rate", args=[article.pk]),
        {"rating": "3"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Mark as not done" in response.content.decode()
    progress = ResourceProgress.objects.get(user=cast.mentee)
    assert progress.rating == 3
    assert progress.done_at is not None
    response = client.post(
        reverse("resources:rate", args=[article.pk]),
        {"rating": "7"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Rate from 1 to 5." in response.content.decode()
    assert ResourceProgress.objects.get(user=cast.mentee).rating == 3


def test_module_page_lessons_and_check(client, cast, library):
    module = library["mentoring-in-five-lessons"]
    client.force_login(cast.mentor)
    for lesson in module.lessons.all():
        client.post(reverse("resources:lesson_complete", args=[module.pk, lesson.pk]))
    answers = {
        f"q-{q.pk}": str(q.options.get(is_correct=True).pk) for q in module.check_questions.all()
    }
    response = client.post(reverse("resources:check", args=[module.pk]), answers)
    assert response.status_code == 200
    assert "You scored 100%" in response.content.decode()
    assert LessonCompletion.objects.filter(user=cast.mentor).count() == 2
    assert ResourceProgress.objects.get(user=cast.mentor, resource=module).done_at is not None


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_program_resources_page_matrix(client, cast, library, name):
    _login(client, cast, name)
    response = client.get(reverse("resources:program_resources", args=[cast.program.pk]))
    expected = {"anonymous": 302, "outsider": 404, "manager": 200, "admin": 200}.get(name, 403)
    assert response.status_code == expected


def test_manager_adds_and_hides_own_addition(client, cast, library):
    client.force_login(cast.manager)
    url = reverse("resources:program_resources", args=[cast.program.pk])
    response = client.post(
        url,
        {
            "new-kind": "article",
            "new-title": "Cohort norms",
            "new-body_markdown": "Be on time.",
            "new-minutes": "3",
            "new-audience": "both",
            "new-stages": ["getting-started"],
            "new-skills": "reliability",
        },
    )
    assert response.status_code == 302
    added = Resource.objects.get(program=cast.program, title="Cohort norms")
    assert (added.skills, added.stages) == (["reliability"], ["getting-started"])
    client.post(
        reverse("resources:program_resource_visibility", args=[cast.program.pk, added.pk, "hide"])
    )
    assert Resource.objects.get(pk=added.pk).is_hidden is True
    # an organisation-wide piece is the admins'
    article = library["asking-open-questions"]
    response = client.post(
        reverse("resources:program_resource_visibility", args=[cast.program.pk, article.pk, "hide"])
    )
    assert response.status_code == 403
    assert Resource.objects.get(pk=article.pk).is_hidden is False


def test_edit_page_shows_body_error(client, cast, library):
    client.force_login(cast.manager)
    addition = library["addition"]
    url = reverse("resources:program_resource_edit", args=[cast.program.pk, addition.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "guide",
            "title": "Renamed",
            "body_markdown": "no questions here",
            "minutes": "5",
            "audience": "both",
            "stages": ["getting-started"],
        },
    )
    assert response.status_code == 400
    assert "needs at least one" in response.content.decode()
    assert Resource.objects.get(pk=addition.pk).title == "Cohort kick-off questions"


def test_page_query_budgets(client, cast, library, django_assert_max_num_queries):
    client.force_login(cast.mentee)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("resources:library")).status_code == 200
    client.force_login(cast.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("resources:program_resources", args=[cast.program.pk]))
        assert response.status_code == 200


@pytest.mark.parametrize("wrong_count", [0, 1, 2])
def test_a_knowledge_check_keeps_the_answers_and_marks_each_question(
    client, cast, library, wrong_count
):
    # given a module whose questions the mentor answers, some wrong
    module = library["mentoring-in-five-lessons"]
    questions = list(module.check_questions.all())
    assert len(questions) >= 2
    client.force_login(cast.mentor)
    chosen = {}
    for index, question in enumerate(questions):
        pick = question.options.filter(is_correct=index >= wrong_count).first()
        chosen[question.pk] = pick.pk
    # when
    response = client.post(
        reverse("resources:check", args=[module.pk]),
        {f"q-{pk}": str(option) for pk, option in chosen.items()},
    )
    html = response.content.decode()
    # then every answer is still chosen on the page
    assert response.status_code == 200
    for option in chosen.values():
        assert f'id="option-{option}" value="{option}" required checked' in html
    # and each question says whether it was right; a wrong one points back to a lesson
    assert html.count('data-testid="check-wrong"') == wrong_count
    assert html.count('data-testid="check-right"') == len(questions) - wrong_count
    lessons = {lesson.title: lesson for lesson in module.lessons.all()}
    expected_hints = {
        # no lesson shares a word with "Who owns the goals?" / "The mentee"
        "Who owns the goals?": "look again at the lessons above.",
        # "Listens more than talks." holds the answer to "Who talks most?"
        "Who talks most?": (
            f'see <a href="#lesson-{lessons["What a mentor does"].pk}">Lesson 1: What a mentor '
            "does</a>."
        ),
    }
    for question in questions:
        hint = re.search(rf'id="check-hint-{question.pk}">Not quite: (.*?)</p>', html)
        if question in questions[:wrong_count]:
            assert hint is not None
            assert hint.group(1) == expected_hints[question.text]
        else:
            assert hint is None
    if wrong_count:
        assert "Your answers are kept" in html
