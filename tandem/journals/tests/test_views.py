import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.journals import services
from tandem.journals.models import JournalEntry
from tandem.meetings.tests.factories import schedule

HTMX = {"HX-Request": "true"}
SECRET = "I did not dare to say no to my manager again"


def _state() -> list[dict]:
    return list(JournalEntry.objects.order_by("pk").values())


@pytest.fixture
def entry(pair) -> JournalEntry:
    return services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET, tags=["no"]
    )


def _login(client, user) -> None:
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_page_matrix(pair, entry, client, actor_name):
    # given
    _login(client, pair.by_name(actor_name))
    url = reverse("journals:list", args=[pair.relationship.pk])
    # when
    response = client.get(url)
    # then
    html = response.content.decode()
    if actor_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    elif actor_name == "mentee":
        assert response.status_code == 200
        assert SECRET in html
        assert 'data-testid="journal-text"' in html
        assert 'data-testid="share-entry"' in html
        assert f'href="/relationships/{pair.relationship.pk}/"' in html
    elif actor_name == "mentor":
        assert response.status_code == 200
        assert SECRET not in html
        assert "has not shared a journal entry with you" in html
    else:
        assert response.status_code == 404
        assert SECRET not in html


def test_partner_page_shows_the_entry_only_while_shared(pair, entry, client):
    # given
    client.force_login(pair.mentor)
    url = reverse("journals:list", args=[pair.relationship.pk])
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    # when
    shared = client.get(url).content.decode()
    services.journal_entry_unshare(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    unshared = client.get(url).content.decode()
    # then
    assert SECRET in shared.split('id="shared-with-you"')[1]
    assert SECRET not in unshared


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_create_matrix(pair, client, actor_name):
    # given
    _login(client, pair.by_name(actor_name))
    # when
    response = client.post(
        reverse("journals:create", args=[pair.relationship.pk]),
        {"text": "Said no today", "mood": "good", "tags": "Boundaries, growth"},
        headers=HTMX,
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 200
        entry = JournalEntry.objects.get()
        assert (entry.author, entry.text, entry.mood, entry.tags) == (
            pair.by_name(actor_name),
            "Said no today",
            "good",
            ["boundaries", "growth"],
        )
        html = response.content.decode()
        assert "Entry saved in your journal." in html
        assert "Said no today" in html
    else:
        assert response.status_code == (302 if actor_name == "anonymous" else 404)
        assert _state() == []


def test_create_with_htmx_shows_errors_inline_as_200(pair, client):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("journals:create", args=[pair.relationship.pk]),
        {"text": "ok", "tags": "x" * 31},
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert "is longer than 30 characters" in response.content.decode()
    assert _state() == []


def test_create_without_htmx_redirects(pair, client):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("journals:create", args=[pair.relationship.pk]), {"text": "plain form"}
    )
    # then
    assert response.status_code == 302
    assert JournalEntry.objects.get().text == "plain form"


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
@pytest.mark.parametrize(("name", "data"), [("share", {"share": "1"}), ("delete", {})])
def test_share_and_delete_matrix(pair, entry, client, actor_name, name, data):
    # given
    _login(client, pair.by_name(actor_name))
    before = _state()
    # when
    response = client.post(
        reverse(f"journals:{name}", args=[pair.relationship.pk, entry.pk]), data, headers=HTMX
    )
    # then
    if actor_name == "mentee":
        assert response.status_code == 200
        if name == "share":
            assert JournalEntry.objects.get().shared_with_partner is True
            assert 'data-testid="unshare-entry"' in response.content.decode()
        else:
            assert _state() == []
    else:
        assert response.status_code == (302 if actor_name == "anonymous" else 404)
        assert _state() == before


def test_unshare_through_the_page(pair, entry, client):
    # given
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("journals:share", args=[pair.relationship.pk, entry.pk]), {"share": "0"}
    )
    # then
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.shared_with_partner, entry.shared_at) == (False, None)


@pytest.mark.parametrize(
    "actor_name", ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin"]
)
def test_html_export_of_anyone_else_holds_nothing_of_mine(pair, entry, client, actor_name):
    # given
    client.force_login(pair.by_name(actor_name))
    # when
    everything = client.get(reverse("journals:export"), {"format": "md"})
    one = client.get(
        reverse("journals:export"), {"format": "json", "relationship": pair.relationship.pk}
    )
    # then
    assert everything.status_code == 200
    assert SECRET not in everything.content.decode()
    assert one.status_code == 404


def test_html_export_for_the_author(pair, entry, client):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.get(reverse("journals:export"), {"format": "md"})
    # then
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert f"Leadership cohort with {pair.mentor.get_full_name()}" in text
    assert SECRET in text
    assert "Tags: no" in text


def test_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    for index in range(12):
        services.journal_entry_create(
            actor=pair.mentee, relationship_id=pair.relationship.pk, text=f"mine {index}"
        )
        theirs = services.journal_entry_create(
            actor=pair.mentor, relationship_id=pair.relationship.pk, text=f"theirs {index}"
        )
        services.journal_entry_share(
            actor=pair.mentor, relationship_id=pair.relationship.pk, entry_id=theirs.pk
        )
    client.force_login(pair.mentee)
    # when
    with django_assert_max_num_queries(10):
        response = client.get(reverse("journals:list", args=[pair.relationship.pk]))
    # then
    html = response.content.decode()
    assert html.count('data-testid="journal-entry"') == 12
    assert html.count('data-testid="shared-entry"') == 12


def test_the_form_offers_the_pairs_meetings_and_links_one(pair, client):
    # given
    meeting = schedule(pair.relationship, title="Kick-off")
    schedule(pair.other_relationship, title="Someone else's meeting")
    client.force_login(pair.mentee)
    # when
    page = client.get(reverse("journals:list", args=[pair.relationship.pk])).content.decode()
    response = client.post(
        reverse("journals:create", args=[pair.relationship.pk]),
        {"text": "Went well", "meeting": str(meeting.pk)},
        headers=HTMX,
    )
    # then
    assert f'<option value="{meeting.pk}">Kick-off' in page
    assert "Someone else" not in page
    assert response.status_code == 200
    assert JournalEntry.objects.get().meeting == meeting
    assert "About: Kick-off" in response.content.decode()


def test_the_page_offers_a_readable_download_and_leaves_json_to_the_api(pair, entry, client):
    # given the author on their journal page
    client.force_login(pair.mentee)
    # when
    html = client.get(reverse("journals:list", args=[pair.relationship.pk])).content.decode()
    # then one download, the readable one, and no machine format for people
    assert 'data-testid="export-journal-md"' in html
    assert "Download my journal" in html
    assert "format=json" not in html
    assert "JSON" not in html
