"""Meeting mode's offline side on the server: which pages the service worker may keep (and
for whom), and the two rules that make syncing safe: a capture sent again is saved once, and
notes edited from an old version are shown beside the current ones, never overwritten."""

import uuid

import pytest

from conftest import PAIR_ACTOR_NAMES
from tandem.actions.models import ActionItem
from tandem.meetings.models import Meeting
from tandem.meetings.services import meeting_notes_update
from tandem.meetings.tests.factories import schedule
from tandem.pwa.offline import HEADER, offline_key


@pytest.fixture
def meeting(pair):
    return schedule(pair.relationship, pair.mentor)


def _mode(pair, meeting, tail=""):
    return f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/mode/{tail}"


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_the_hub_and_meeting_mode_are_kept_for_the_pair_alone(pair, meeting, client, name):
    # given
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)
    # when
    pages = [
        client.get(f"/relationships/{pair.relationship.pk}/"),
        client.get(_mode(pair, meeting)),
    ]
    # then only the pair's own successful pages say "keep me", under their own key
    for page in pages:
        if name in ("mentor", "mentee"):
            assert page.status_code == 200
            assert page[HEADER] == offline_key(user)
        else:
            assert HEADER not in page


def test_the_journal_and_other_pages_are_never_kept(pair, client):
    # given
    client.force_login(pair.mentor)
    # when
    pages = [
        client.get(f"/relationships/{pair.relationship.pk}/journal/"),
        client.get("/"),
        client.get("/notifications/"),
    ]
    # then
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert [HEADER in page for page in pages] == [False, False, False]


def test_meeting_mode_names_the_persons_offline_queue(pair, meeting, client):
    # given
    client.force_login(pair.mentee)
    # when
    page = client.get(_mode(pair, meeting)).content.decode()
    # then
    assert f'data-offline-key="{offline_key(pair.mentee)}"' in page
    assert 'data-offline-queue="action"' in page
    assert 'data-offline-queue="notes"' in page
    assert '<input type="hidden" name="base_version" value="0">' in page


@pytest.mark.parametrize("sends", [1, 2, 3])
def test_a_capture_synced_again_is_saved_once(pair, meeting, client, sends):
    # given a capture queued offline, sent `sends` times (a lost answer, two tabs syncing)
    client.force_login(pair.mentor)
    body = {"title": "Ask for feedback on Friday", "owner": "me", "client_key": str(uuid.uuid4())}
    # when
    answers = [
        client.post(_mode(pair, meeting, "actions/"), body, HTTP_HX_REQUEST="true")
        for _ in range(sends)
    ]
    # then
    assert [answer.status_code for answer in answers] == [200] * sends
    assert list(ActionItem.objects.values_list("title", "client_key")) == [
        ("Ask for feedback on Friday", uuid.UUID(body["client_key"]))
    ]
    assert answers[-1].content.decode().count("Ask for feedback on Friday") == 1


def test_a_malformed_client_key_is_refused_and_saves_nothing(pair, meeting, client):
    # given
    client.force_login(pair.mentor)
    # when
    answer = client.post(
        _mode(pair, meeting, "actions/"),
        {"title": "Practise", "client_key": "not-a-key"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert "The capture&#x27;s key is not valid" in answer.content.decode()
    assert ActionItem.objects.count() == 0


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
def test_notes_synced_from_an_old_version_show_both_texts_and_overwrite_nothing(
    pair, meeting, client, htmx
):
    # given the mentee went offline at version 0; the mentor saved meanwhile
    meeting_notes_update(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes="Mentor: agreed to meet fortnightly",
        base_version=0,
    )
    client.force_login(pair.mentee)
    # when the mentee's queued edit arrives
    answer = client.post(
        _mode(pair, meeting, "notes/"),
        {"notes": "Mentee: I will draft the plan", "base_version": "0"},
        **({"HTTP_HX_REQUEST": "true"} if htmx else {}),
    )
    # then both texts are on the screen: theirs in the box, the current one beside it
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-testid="notes-conflict"' in page
    assert "Mentee: I will draft the plan</textarea>" in page
    assert "Mentor: agreed to meet fortnightly</pre>" in page
    # and saving again from the shown version is accepted
    assert '<input type="hidden" name="base_version" value="1">' in page
    assert Meeting.objects.get(pk=meeting.pk).notes == "Mentor: agreed to meet fortnightly"
    client.post(
        _mode(pair, meeting, "notes/"),
        {"notes": "Mentor: fortnightly\nMentee: I draft the plan", "base_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        Meeting.objects.get(pk=meeting.pk).notes == "Mentor: fortnightly\nMentee: I draft the plan"
    )
