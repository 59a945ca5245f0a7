"""The workspace's pages read in the person's language: Spanish for `es`, the English source
for `en-gb`, with the same number of queries either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tandem.conversations.tests.factories import make_circle
from tandem.meetings.tests.factories import schedule
from tandem.resources.services import starter_content_load

# Per page: (English source, its Spanish) pairs a reader of that page meets.
HUB = [("Recent activity", "Actividad reciente"), ("Mentored by", "Tu mentor:")]
HOME = [("My mentoring", "Mi mentoría"), ("Next meeting:", "Próxima reunión:")]
MODE = [
    ("Questions for this stage", "Preguntas para esta etapa"),
    ("Shared notes", "Notas compartidas"),
    ("Capture action", "Anotar acción"),
]
CIRCLE = [("Circle messages", "Mensajes del círculo"), ("No meeting is scheduled.", "No hay")]
PERSON = [("Role history", "Historial de roles"), ("Time zone", "Zona horaria")]
SIGNALS = [
    ("Last activity", "Última actividad"),
    ("This week", "Esta semana"),
    ("Open: 1 circle (2 mentees) and 2 pairs.", "Abiertas: 1 círculo (2 mentees) y 2 parejas."),
]


@pytest.fixture(autouse=True)
def _source_language_after():
    # A request activates its reader's language on this thread; later tests read English.
    yield
    translation.activate("en-gb")


def _pages(pair):
    """(reader, url, strings) for every page the workspace app renders."""
    meeting = schedule(pair.relationship)
    group = make_circle(program=pair.cast.program, mentees=2)
    return [
        (pair.mentee, f"/relationships/{pair.relationship.pk}/", HUB),
        (pair.mentor, "/", HOME),
        (pair.mentor, f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/mode/", MODE),
        (group.mentees[0], f"/circles/{group.circle.pk}/", CIRCLE),
        (pair.cast.admin, f"/people/{pair.mentee.pk}/", PERSON),
        (pair.cast.manager, f"/programs/{pair.cast.program.pk}/relationships/", SIGNALS),
    ]


def _read_as(client, user, language, url):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_every_workspace_page_reads_in_the_person_language(pair, client, language):
    # given the pair's pages with guidance loaded, a meeting and a circle
    starter_content_load(organization=pair.cast.org)
    for user, url, strings in _pages(pair):
        # when its reader opens it in their language
        response = _read_as(client, user, language, url)
        # then it is written in that language, and not in the other
        assert response.status_code == 200, url
        page = response.content.decode()
        for english, spanish in strings:
            shown, hidden = (spanish, english) if language == "es" else (english, spanish)
            assert shown in page, (url, shown)
            assert hidden not in page, (url, hidden)


def test_spanish_costs_no_query_more_than_english(pair, client):
    # given every workspace page
    for user, url, _strings in _pages(pair):
        _read_as(client, user, "en-gb", url)  # the first read fills the caches
        counts = {}
        for language in ("en-gb", "es"):
            user.language = language
            user.save(update_fields=["language"])
            # when its reader opens it in either language
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[language] = len(queries)
        # then translating it asks the database nothing more
        assert counts["es"] == counts["en-gb"], url
