"""The goals pages, their errors, history and notices read in each person's language."""

import datetime

import pytest
from django.utils import timezone, translation

from tandem.goals.services import goal_create, goal_suggest, goal_update, milestone_create
from tandem.notifications.models import Notification

# Per reader: (English source, its Spanish) pairs on the goals page and the hub's card.
MENTEE_PAGE = [
    ("Measure of success:", "Medida del éxito:"),
    ("Add milestone", "Añadir hito"),
    ("Mark achieved", "Marcar como logrado"),
    ("changed the target date from", "cambió «fecha objetivo» de"),
    ("How success will be measured", "Cómo se medirá el éxito"),
]
MENTOR_PAGE = [
    ("Suggest a goal", "Sugerir un objetivo"),
    ("The mentee ticks off milestones.", "El mentee marca los hitos."),
]
HUB = [("All goals", "Todos los objetivos")]


@pytest.fixture(autouse=True)
def _source_language_after():
    # A request activates its reader's language on this thread; later tests read English.
    yield
    translation.activate("en-gb")


def _speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


def _goal_with_history(pair):
    today = timezone.localdate()
    goal = goal_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        title="Lead a planning session",
        measure="The team agrees a plan",
        target_on=today + datetime.timedelta(days=60),
    )
    milestone_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        goal_id=goal.pk,
        title="Draft the agenda",
        due_on=today + datetime.timedelta(days=10),
    )
    goal_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        goal_id=goal.pk,
        target_on=today + datetime.timedelta(days=70),
    )
    return goal


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_the_goals_pages_read_in_the_person_language(pair, client, language):
    # given a goal with a milestone and a history, and a pair who read Tandem in `language`
    _goal_with_history(pair)
    goals_url = f"/relationships/{pair.relationship.pk}/goals/"
    pages = [
        (pair.mentee, goals_url, MENTEE_PAGE),
        (pair.mentor, goals_url, MENTOR_PAGE),
        (pair.mentee, f"/relationships/{pair.relationship.pk}/", HUB),
    ]
    for reader, url, strings in pages:
        _speak(reader, language)
        client.force_login(reader)
        # when they open the page
        response = client.get(url)
        # then it is written in their language, and not in the other
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Lead a planning session" in page  # what people wrote is never translated
        for english, spanish in strings:
            shown, hidden = (spanish, english) if language == "es" else (english, spanish)
            assert shown in page, (url, shown)
            assert hidden not in page, (url, hidden)


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_a_refused_goal_says_why_in_the_person_language(pair, client, language):
    # given a mentee who reads Tandem in `language`
    _speak(pair.mentee, language)
    client.force_login(pair.mentee)
    # when they add a goal with no outcome
    response = client.post(
        f"/relationships/{pair.relationship.pk}/goals/new/",
        {"new-title": "", "new-measure": "Shown", "new-target_on": "2099-01-01"},
    )
    # then the form says what is missing, in their language, and nothing was added
    expected = {
        "es": "Di cuál es el resultado, en pocas palabras.",
        "en-gb": "Say what the outcome is, in a few words.",
    }
    assert expected[language] in response.content.decode()
    assert not pair.relationship.goals.exists()


def test_each_person_is_told_in_their_own_language(pair):
    # given a mentor who reads Spanish
    _speak(pair.mentor, "es")
    _speak(pair.mentee, "en-gb")
    told_before = list(Notification.objects.values_list("pk", flat=True))
    # when the mentor suggests a goal
    goal_suggest(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="Speak first in one meeting",
        measure="Done once",
        target_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    # then the mentee is told in English; then the mentee's own goal reaches the mentor in Spanish
    goal_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        title="Ask for feedback",
        measure="Three answers",
        target_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    titles = sorted(
        Notification.objects.exclude(pk__in=told_before).values_list("user__language", "title")
    )
    assert titles == [
        ("en-gb", "Suggested goal: Speak first in one meeting"),
        ("es", "Nuevo objetivo: Ask for feedback"),
    ]
