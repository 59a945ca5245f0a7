"""A capture sent again (queued offline and synced, or retried after a lost answer) with its
client key is saved once; the key is one request's, per relationship."""

import datetime
import uuid
from collections import Counter

import pytest

from tandem.actions import services
from tandem.actions.models import ActionItem
from tandem.core.errors import Conflict
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.permissions import relationship_access

DUE = datetime.date(2031, 3, 1)


def _created_events(relationship) -> int:
    return RelationshipEvent.objects.filter(
        relationship=relationship, kind=RelationshipEventKind.ACTION_CREATED
    ).count()


def _add(pair, actor, key, title="Ask one open question", owner=None):
    return services.action_item_add(
        actor=actor,
        relationship_id=pair.relationship.pk,
        title=title,
        owner_id=(owner or pair.mentee).pk,
        due_on=DUE,
        client_key=key,
    )


@pytest.mark.parametrize("times", [1, 2, 5])
@pytest.mark.parametrize("sender", ["mentor", "mentee"])
def test_the_same_key_sent_again_saves_one_item_and_one_timeline_entry(pair, times, sender):
    # given
    key = uuid.uuid4()
    actor = pair.by_name(sender)
    # when
    items = [_add(pair, actor, key) for _ in range(times)]
    # then
    assert {item.pk for item in items} == {ActionItem.objects.get().pk}
    assert ActionItem.objects.get().client_key == key
    assert _created_events(pair.relationship) == 1


def test_the_partner_repeating_the_key_gets_the_same_item(pair):
    # given the mentor's phone queued the capture; the mentee's retry carries the same key
    key = uuid.uuid4()
    first = _add(pair, pair.mentor, key)
    # when
    again = _add(pair, pair.mentee, key)
    # then
    assert again.pk == first.pk
    assert ActionItem.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"title": "Something else entirely"}, {"owner": "mentor"}],
    ids=["other-title", "other-owner"],
)
def test_a_key_reused_for_a_different_action_is_a_conflict_and_changes_nothing(pair, change):
    # given
    key = uuid.uuid4()
    _add(pair, pair.mentor, key)
    before = list(ActionItem.objects.values())
    owner = pair.mentor if change.get("owner") == "mentor" else pair.mentee
    # when
    with pytest.raises(Conflict) as raised:
        _add(
            pair, pair.mentor, key, title=change.get("title", "Ask one open question"), owner=owner
        )
    # then
    assert [(error.field, error.message) for error in raised.value.errors] == [
        ("client_key", "This key was already used for a different action item.")
    ]
    assert list(ActionItem.objects.values()) == before
    assert _created_events(pair.relationship) == 1


def test_keys_are_per_relationship_and_captures_without_a_key_are_each_saved(pair):
    # given
    key = uuid.uuid4()
    # when the same key reaches two pairs, and two captures come without one
    _add(pair, pair.mentor, key)
    services.action_item_add(
        actor=pair.other_mentor,
        relationship_id=pair.other_relationship.pk,
        title="Ask one open question",
        owner_id=pair.other_mentee.pk,
        due_on=DUE,
        client_key=key,
    )
    _add(pair, pair.mentor, None)
    _add(pair, pair.mentor, None)
    # then
    assert Counter(ActionItem.objects.values_list("relationship_id", "client_key")) == Counter(
        {
            (pair.relationship.pk, key): 1,
            (pair.other_relationship.pk, key): 1,
            (pair.relationship.pk, None): 2,
        }
    )


def test_a_concurrent_request_that_wins_the_insert_is_returned_not_duplicated(pair, monkeypatch):
    # given a request with the key committed after this one looked and found nothing
    key = uuid.uuid4()
    first = _add(pair, pair.mentor, key)
    real = services._replayed
    looks = []

    def missed_once(*args, **kwargs):
        looks.append(1)
        return None if len(looks) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "_replayed", missed_once)
    # when its insert meets the unique constraint
    again = _add(pair, pair.mentee, key)
    # then it answers with the first item and records nothing more
    assert again.pk == first.pk
    assert len(looks) == 2
    assert ActionItem.objects.count() == 1
    assert _created_events(pair.relationship) == 1


def test_a_retry_after_the_pair_ended_still_answers_with_the_saved_item(pair):
    # given the capture was saved, then the relationship closed before the retry arrived
    key = uuid.uuid4()
    first = _add(pair, pair.mentor, key)
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    type(access.relationship).objects.filter(pk=pair.relationship.pk).update(status="completed")
    # when
    again = _add(pair, pair.mentor, key)
    # then
    assert again.pk == first.pk
    # and a new key on the closed pair is still refused
    with pytest.raises(Conflict):
        _add(pair, pair.mentor, uuid.uuid4())
    assert ActionItem.objects.count() == 1


@pytest.mark.parametrize("name", ["mentor", "mentee"])
def test_the_api_accepts_a_client_key_and_answers_a_repeat_with_the_same_item(pair, api_as, name):
    # given
    client = api_as(pair.by_name(name))
    body = {
        "title": "Shadow a colleague",
        "owner_id": pair.mentee.pk,
        "client_key": str(uuid.uuid4()),
    }
    url = f"relationships/{pair.relationship.pk}/actions"
    # when
    first = client.post(url, body)
    second = client.post(url, body)
    clash = client.post(url, body | {"title": "Something else"})
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"] == ActionItem.objects.get().pk
    assert clash.status_code == 409
    assert clash["Content-Type"] == "application/problem+json"
    assert clash.json()["errors"] == [
        {"field": "client_key", "message": "This key was already used for a different action item."}
    ]
