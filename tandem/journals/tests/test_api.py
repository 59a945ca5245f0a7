import pytest
from django.core.serializers.json import DjangoJSONEncoder

from conftest import PAIR_ACTOR_NAMES
from tandem.journals import services
from tandem.journals.models import JournalEntry
from tandem.meetings.tests.factories import schedule

SECRET = "My mentor's advice on the reorg felt wrong to me"


def _state() -> list[dict]:
    return list(JournalEntry.objects.order_by("pk").values())


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _entry_json(entry: JournalEntry) -> dict:
    entry.refresh_from_db()
    return {
        "id": entry.pk,
        "relationship_id": entry.relationship_id,
        "text": entry.text,
        "mood": entry.mood or None,
        "tags": entry.tags,
        "meeting_id": entry.meeting_id,
        "meeting_title": entry.meeting.title if entry.meeting else None,
        "shared_with_partner": entry.shared_with_partner,
        "shared_at": _iso(entry.shared_at),
        "created_at": _iso(entry.created_at),
        "updated_at": _iso(entry.updated_at),
    }


def _expected_denial(actor_name: str) -> int:
    return 401 if actor_name == "anonymous" else 404


@pytest.fixture
def entry(pair) -> JournalEntry:
    return services.journal_entry_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        text=SECRET,
        mood="okay",
        tags=["reorg"],
    )


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_list_matrix_shows_only_my_own_entries(pair, entry, api_as, actor_name):
    # given
    services.journal_entry_create(
        actor=pair.other_mentee, relationship_id=pair.other_relationship.pk, text="elsewhere"
    )
    # when
    response = api_as(pair.by_name(actor_name)).get(f"relationships/{pair.relationship.pk}/journal")
    # then
    if actor_name == "mentee":
        assert response.status_code == 200
        assert response.json() == {"items": [_entry_json(entry)], "count": 1}
    elif actor_name == "mentor":
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}
    else:
        assert response.status_code == _expected_denial(actor_name)
    assert SECRET not in response.content.decode() or actor_name == "mentee"


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_get_matrix_only_the_author(pair, entry, api_as, actor_name):
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"relationships/{pair.relationship.pk}/journal/{entry.pk}"
    )
    # then
    if actor_name == "mentee":
        assert response.status_code == 200
        assert response.json() == _entry_json(entry)
    else:
        assert response.status_code == _expected_denial(actor_name)
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_create_matrix(pair, api_as, actor_name):
    # when
    response = api_as(pair.by_name(actor_name)).post(
        f"relationships/{pair.relationship.pk}/journal",
        {"text": "Today I led the stand-up", "mood": "great", "tags": ["Leading"]},
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 201
        entry = JournalEntry.objects.get()
        assert entry.author == pair.by_name(actor_name)
        assert response.json() == _entry_json(entry)
        assert response.json()["tags"] == ["leading"]
    else:
        assert response.status_code == _expected_denial(actor_name)
        assert _state() == []


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"text": "changed"}),
        ("delete", "", None),
        ("post", "/share", None),
        ("post", "/unshare", None),
    ],
)
def test_write_matrix_only_the_author(pair, entry, api_as, actor_name, method, suffix, body):
    # given
    before = _state()
    client = api_as(pair.by_name(actor_name))
    path = f"relationships/{pair.relationship.pk}/journal/{entry.pk}{suffix}"
    # when
    response = client.delete(path) if method == "delete" else getattr(client, method)(path, body)
    # then
    if actor_name == "mentee":
        assert response.status_code == (204 if method == "delete" else 200)
    else:
        assert response.status_code == _expected_denial(actor_name)
        assert _state() == before


def test_patch_clears_mood_and_keeps_the_rest(pair, entry, api_as):
    # when
    response = api_as(pair.mentee).patch(
        f"relationships/{pair.relationship.pk}/journal/{entry.pk}", {"mood": None}
    )
    # then
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.text, entry.mood, entry.tags) == (SECRET, "", ["reorg"])


def test_create_with_bad_input_is_a_problem(pair, api_as):
    # when
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/journal", {"text": "  "}
    )
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "text", "message": "Write something in the entry."}
    ]
    assert _state() == []


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_shared_matrix_partner_sees_it_only_while_shared(pair, entry, api_as, actor_name):
    # given
    client = api_as(pair.by_name(actor_name))
    path = f"relationships/{pair.relationship.pk}/journal/shared"
    before = client.get(path)
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    # when
    during = client.get(path)
    services.journal_entry_unshare(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    after = client.get(path)
    # then
    if actor_name in ("mentor", "mentee"):
        assert before.json() == {"items": [], "count": 0}
        assert after.json() == {"items": [], "count": 0}
    if actor_name == "mentor":
        entry.refresh_from_db()
        [item] = during.json()["items"]
        assert item["text"] == SECRET
        assert item["author_id"] == pair.mentee.pk
        assert item["author_name"] == pair.mentee.get_full_name()
    elif actor_name == "mentee":
        assert during.json() == {"items": [], "count": 0}
    else:
        for response in (before, during, after):
            assert response.status_code == _expected_denial(actor_name)
            assert SECRET not in response.content.decode()


def test_a_shared_entry_is_still_not_editable_by_the_partner(pair, entry, api_as):
    # given
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    before = _state()
    # when
    got = api_as(pair.mentor).get(f"relationships/{pair.relationship.pk}/journal/{entry.pk}")
    patched = api_as(pair.mentor).patch(
        f"relationships/{pair.relationship.pk}/journal/{entry.pk}", {"text": "mine now"}
    )
    # then
    assert (got.status_code, patched.status_code) == (404, 404)
    assert _state() == before


def test_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    for index in range(15):
        entry = services.journal_entry_create(
            actor=pair.mentee, relationship_id=pair.relationship.pk, text=f"entry {index}"
        )
        services.journal_entry_share(
            actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
        )
    mine, theirs = api_as(pair.mentee), api_as(pair.mentor)
    # when / then
    with django_assert_max_num_queries(8):
        response = mine.get(f"relationships/{pair.relationship.pk}/journal")
    assert response.json()["count"] == 15
    with django_assert_max_num_queries(8):
        response = theirs.get(f"relationships/{pair.relationship.pk}/journal/shared")
    assert response.json()["count"] == 15


@pytest.mark.parametrize("export_format", ["md", "json"])
def test_export_holds_only_my_own_entries(pair, entry, api_as, export_format):
    # given
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    services.journal_entry_create(
        actor=pair.mentor, relationship_id=pair.relationship.pk, text="mentor's own thought"
    )
    # when
    mine = api_as(pair.mentee).get("me/journal/export", {"format": export_format})
    theirs = api_as(pair.mentor).get("me/journal/export", {"format": export_format})
    # then
    assert mine.status_code == 200
    assert theirs.status_code == 200
    assert SECRET in mine.content.decode()
    assert "mentor's own thought" not in mine.content.decode()
    assert SECRET not in theirs.content.decode()
    assert "mentor's own thought" in theirs.content.decode()
    if export_format == "json":
        data = mine.json()
        assert [item["text"] for item in data["entries"]] == [SECRET]
        assert data["entries"][0]["programme"] == "Leadership cohort"
        assert data["entries"][0]["partner"] == pair.mentor.get_full_name()
    else:
        assert mine["Content-Type"] == "text/markdown; charset=utf-8"
        assert mine["Content-Disposition"].startswith('attachment; filename="tandem-journal-')


@pytest.mark.parametrize(
    "actor_name", ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin"]
)
def test_export_for_anyone_else_never_holds_the_entry(pair, entry, api_as, actor_name):
    # when
    everything = api_as(pair.by_name(actor_name)).get("me/journal/export", {"format": "json"})
    one = api_as(pair.by_name(actor_name)).get(
        "me/journal/export", {"format": "json", "relationship_id": pair.relationship.pk}
    )
    # then
    assert everything.status_code == 200
    assert everything.json()["entries"] == []
    assert one.status_code == 404
    assert SECRET not in one.content.decode()


def test_export_needs_sign_in(api_as):
    assert api_as(None).get("me/journal/export").status_code == 401


def test_link_and_unlink_a_meeting_of_the_pair(pair, entry, api_as):
    # given
    meeting = schedule(pair.relationship, title="First conversation")
    path = f"relationships/{pair.relationship.pk}/journal/{entry.pk}"
    # when
    linked = api_as(pair.mentee).patch(path, {"meeting_id": meeting.pk})
    # then
    assert linked.status_code == 200
    assert (linked.json()["meeting_id"], linked.json()["meeting_title"]) == (
        meeting.pk,
        "First conversation",
    )
    # when
    kept = api_as(pair.mentee).patch(path, {"text": "reworded"})
    unlinked = api_as(pair.mentee).patch(path, {"meeting_id": None})
    # then
    assert kept.json()["meeting_id"] == meeting.pk
    assert unlinked.json()["meeting_id"] is None
    entry.refresh_from_db()
    assert (entry.text, entry.meeting_id) == ("reworded", None)


def test_a_meeting_of_another_pair_is_refused(pair, api_as):
    # given
    elsewhere = schedule(pair.other_relationship)
    # when
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/journal",
        {"text": "about that meeting", "meeting_id": elsewhere.pk},
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "meeting_id", "message": "Choose one of your own meetings."}
    ]
    assert _state() == []
