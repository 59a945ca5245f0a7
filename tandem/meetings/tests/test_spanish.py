"""The meeting pages, their errors and the invitations read in each person's language."""

import pytest
from django.utils import translation

from tandem.meetings.tests.factories import schedule
from tandem.notifications.models import Notification

# Per page: (English source, its Spanish) pairs its reader meets.
LIST = [
    ("Past and cancelled", "Pasadas y canceladas"),
    ("Schedule and invite", "Programar e invitar"),
    ("Start time", "Hora de inicio"),
]
DETAIL = [
    ("Add to my calendar (.ics)", "Añadir a mi calendario (.ics)"),
    ("Check in after the meeting.", "Haz la valoración después de la reunión."),
    ("Scheduled", "Programada"),
]
EDIT = [("Save and send the update", "Guardar y enviar el cambio")]
FEED = [("You have no calendar feed.", "No tienes calendario suscrito.")]
HUB = [("All meetings", "Todas las reuniones")]


@pytest.fixture(autouse=True)
def _source_language_after():
    # A request activates its reader's language on this thread; later tests read English.
    yield
    translation.activate("en-gb")


def _speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_every_meeting_page_reads_in_the_person_language(pair, client, language):
    # given a pair with a meeting, and a mentor who reads Tandem in `language`
    meeting = schedule(pair.relationship)
    _speak(pair.mentor, language)
    client.force_login(pair.mentor)
    base = f"/relationships/{pair.relationship.pk}/"
    pages = [
        (f"{base}meetings/", LIST),
        (f"{base}meetings/{meeting.pk}/", DETAIL),
        (f"{base}meetings/{meeting.pk}/edit/", EDIT),
        ("/calendar/", FEED),
        (base, HUB),
    ]
    for url, strings in pages:
        # when they open it
        response = client.get(url)
        # then it is written in their language, and not in the other
        assert response.status_code == 200, url
        page = response.content.decode()
        for english, spanish in strings:
            shown, hidden = (spanish, english) if language == "es" else (english, spanish)
            assert shown in page, (url, shown)
            assert hidden not in page, (url, hidden)


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_a_refused_schedule_says_why_in_the_person_language(pair, client, language):
    # given a mentor who reads Tandem in `language`
    _speak(pair.mentor, language)
    client.force_login(pair.mentor)
    # when they schedule a meeting in the past
    response = client.post(
        f"/relationships/{pair.relationship.pk}/meetings/",
        {
            "title": "Catch-up",
            "date": "2020-01-06",
            "time": "10:00",
            "timezone": "UTC",
            "duration_minutes": 60,
        },
    )
    # then the form says why, in their language, and nothing was scheduled
    page = response.content.decode()
    expected = {"es": "Esa hora ya ha pasado", "en-gb": "That time is in the past"}
    assert expected[language] in page
    assert not pair.relationship.meetings.exists()


def test_each_person_is_invited_in_their_own_language(pair):
    # given a mentor who reads Spanish and a mentee who reads English
    _speak(pair.mentor, "es")
    _speak(pair.mentee, "en-gb")
    told_before = list(Notification.objects.values_list("pk", flat=True))
    # when the mentee schedules a meeting
    meeting = schedule(pair.relationship, actor=pair.mentee, title="Kick-off")
    # then each is invited in their own language; the title stays as it was written
    titles = dict(
        Notification.objects.exclude(pk__in=told_before).values_list("user__language", "title")
    )
    assert titles == {
        "es": f"Invitación a una reunión: {meeting.title}",
        "en-gb": f"Meeting invitation: {meeting.title}",
    }
