"""The actions page and the hub's card read in each person's language."""

import pytest
from django.utils import translation

from tandem.actions.services import action_item_add, action_item_close

# (English source, its Spanish) on the actions page with one open and one closed action.
PAGE = [
    ("Actions to practise", "Acciones para practicar"),
    ("How did it go?", "¿Cómo ha ido?"),
    ("Done and not done", "Hechas y no hechas"),
    ("What will be practised", "Qué se va a practicar"),
    (">Done</span>", ">Hecha</span>"),
]
HUB = [("All actions", "Todas las acciones")]


@pytest.fixture(autouse=True)
def _source_language_after():
    # A request activates its reader's language on this thread; later tests read English.
    yield
    translation.activate("en-gb")


@pytest.mark.parametrize("language", ["es", "en-gb"])
def test_the_actions_pages_read_in_the_person_language(pair, client, language):
    # given a pair with an open and a closed action, and a mentee who reads `language`
    relationship_id = pair.relationship.pk
    for title in ("Ask one open question", "Summarise before replying"):
        action_item_add(
            actor=pair.mentor,
            relationship_id=relationship_id,
            title=title,
            owner_id=pair.mentee.pk,
            due_on=None,
        )
    closed = pair.relationship.action_items.get(title="Summarise before replying")
    action_item_close(
        actor=pair.mentee, relationship_id=relationship_id, action_item_id=closed.pk, outcome="done"
    )
    pair.mentee.language = language
    pair.mentee.save(update_fields=["language"])
    client.force_login(pair.mentee)
    pages = [(f"/relationships/{relationship_id}/actions/", PAGE)]
    pages.append((f"/relationships/{relationship_id}/", HUB))
    for url, strings in pages:
        # when they open the page
        response = client.get(url)
        # then it is written in their language, and not in the other; titles stay as written
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Ask one open question" in page
        for english, spanish in strings:
            shown, hidden = (spanish, english) if language == "es" else (english, spanish)
            assert shown in page, (url, shown)
            assert hidden not in page, (url, hidden)
