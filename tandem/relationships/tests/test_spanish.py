"""The relationship's status page, next steps and notices read in each person's language."""

import pytest
from django.utils import translation

from tandem.notifications.models import Notification
from tandem.relationships.services import relationship_transition

# (English source, its Spanish) on the status page of an active pair.
STATUS_PAGE = [
    ("Relationship status", "Estado de la relación"),
    ("Reason (optional)", "Motivo (opcional)"),
    ("End early", "Terminar antes de tiempo"),
    ("Find me a new match", "Buscarme una nueva pareja de mentoría"),
]


@pytest.fixture(autouse=True)
def _source_language_after():
    # A request activates its reader's language on this thread; later tests read English.
    yield
    translation.activate("en-gb")


def _speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_the_status_page_reads_in_the_person_language(pair, client, language):
    # given a mentee who reads Tandem in `language`
    _speak(pair.mentee, language)
    client.force_login(pair.mentee)
    # when they open their relationship's status page
    response = client.get(f"/relationships/{pair.relationship.pk}/status/")
    # then it is written in their language, and not in the other
    assert response.status_code == 200
    page = response.content.decode()
    for english, spanish in STATUS_PAGE:
        shown, hidden = (spanish, english) if language == "es" else (english, spanish)
        assert shown in page
        assert hidden not in page


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_a_refused_ending_says_why_in_the_person_language(pair, client, language):
    # given a mentor who reads Tandem in `language`
    _speak(pair.mentor, language)
    client.force_login(pair.mentor)
    # when they end the relationship without a reason
    response = client.post(
        f"/relationships/{pair.relationship.pk}/status/", {"action": "end", "reason": ""}
    )
    # then the page says why, in their language, and nothing changed
    expected = {
        "es": "Di por qué termina la relación.",
        "en-gb": "Say why the relationship is ending.",
    }[language]
    assert response.status_code == 409
    assert expected in response.content.decode()
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "active"


@pytest.mark.parametrize(("mentor_language", "mentee_language"), [("es", "en-gb"), ("en-gb", "es")])
def test_each_person_is_told_of_a_change_in_their_own_language(
    pair, mentor_language, mentee_language
):
    # given a pair who read Tandem in two languages
    _speak(pair.mentor, mentor_language)
    _speak(pair.mentee, mentee_language)
    told_before = list(Notification.objects.values_list("pk", flat=True))
    # when their manager pauses the relationship
    relationship_transition(
        actor=pair.cast.manager, relationship_id=pair.relationship.pk, action="pause"
    )
    # then each of them is told in their own language
    titles = dict(
        Notification.objects.exclude(pk__in=told_before).values_list("user__language", "title")
    )
    assert titles == {
        "es": "Tu relación de mentoría ahora está en pausa",
        "en-gb": "Your mentoring relationship is now paused",
    }


def test_the_next_step_is_said_in_the_reader_language(pair, client):
    # given a paused pair whose mentee reads Spanish
    relationship_transition(actor=pair.mentor, relationship_id=pair.relationship.pk, action="pause")
    _speak(pair.mentee, "es")
    client.force_login(pair.mentee)
    # when the mentee opens their hub
    page = client.get(f"/relationships/{pair.relationship.pk}/").content.decode()
    # then the next step is theirs, in Spanish
    assert "En pausa: tú o" in page
    assert "Paused: you or" not in page
