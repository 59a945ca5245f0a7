import datetime

import pytest
from django.db import IntegrityError, transaction

from conftest import PAIR_ACTOR_NAMES
from tandem.actions import services
from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.actions.tests.factories import ActionItemFactory
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.relationships.models import RelationshipEvent, RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition

DUE = datetime.date(2030, 5, 3)


def _state() -> list[dict]:
    return list(ActionItem.objects.order_by("pk").values())


def _events(relationship) -> list[tuple[str, str]]:
    return list(
        RelationshipEvent.objects.filter(relationship=relationship)
        .exclude(kind=RelationshipEventKind.STATUS_CHANGED)
        .order_by("pk")
        .values_list("kind", "summary")
    )


def test_create_records_the_action_and_the_timeline(pair):
    # given
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    item = services.action_item_create(
        access=access, title="  Listen  without   interrupting ", owner=pair.mentee, due_on=DUE
    )
    # then
    row = ActionItem.objects.values().get(pk=item.pk)
    assert row | {"id": 0, "created_at": None} == {
        "id": 0,
        "relationship_id": pair.relationship.pk,
        "title": "Listen without interrupting",
        "owner_id": pair.mentee.pk,
        "due_on": DUE,
        "status": "open",
        "reflection": "",
        "closed_at": None,
        "created_by_id": pair.mentor.pk,
        "created_at": None,
        "client_key": None,
    }
    assert _events(pair.relationship) == [
        (
            "action_created",
            f"Action agreed for {pair.mentee.get_full_name()}: Listen without interrupting",
        )
    ]
    pair.relationship.refresh_from_db()
    assert pair.relationship.last_activity_at is not None


def test_create_with_explicit_creator(pair):
    # given
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    item = services.action_item_create(
        access=access,
        title="Write a vision statement",
        owner=pair.mentee,
        due_on=None,
        created_by=pair.mentor,
    )
    # then
    assert ActionItem.objects.get(pk=item.pk).created_by_id == pair.mentor.pk


@pytest.mark.parametrize(
    ("title", "owner_name", "error"),
    [
        ("   ", "mentee", FieldError("title", "Say what will be practised.")),
        ("x" * 201, "mentee", FieldError("title", "Keep it to 200 characters.")),
        (
            "Read a book",
            "other_mentee",
            FieldError("owner", "The owner must be the mentor or the mentee of this pair."),
        ),
        (
            "Read a book",
            "manager",
            FieldError("owner", "The owner must be the mentor or the mentee of this pair."),
        ),
    ],
)
def test_create_refuses_invalid_input_and_writes_nothing(pair, title, owner_name, error):
    # given
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    with pytest.raises(InvalidInput) as raised:
        services.action_item_create(
            access=access, title=title, owner=pair.by_name(owner_name), due_on=None
        )
    # then
    assert raised.value.errors == [error]
    assert _state() == []
    assert _events(pair.relationship) == []


def test_create_refuses_a_manager_access(pair):
    # given
    access = relationship_access(
        actor=pair.cast.manager, relationship_id=pair.relationship.pk, allow_manager=True
    )
    # when / then
    with pytest.raises(NotFound):
        services.action_item_create(access=access, title="X", owner=pair.mentee, due_on=None)
    assert _state() == []


def test_create_in_a_completed_relationship_is_a_conflict(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when / then
    with pytest.raises(Conflict):
        services.action_item_create(access=access, title="X", owner=pair.mentee, due_on=None)
    assert _state() == []


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES[1:-2])
def test_add_by_anyone_outside_the_pair_is_not_found(pair, name):
    # when
    with pytest.raises(NotFound):
        services.action_item_add(
            actor=pair.by_name(name),
            relationship_id=pair.relationship.pk,
            title="Sneaky",
            owner_id=pair.mentee.pk,
            due_on=None,
        )
    # then
    assert _state() == []


def test_add_names_owner_id_when_the_owner_is_not_of_the_pair(pair):
    # when
    with pytest.raises(InvalidInput) as raised:
        services.action_item_add(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            title="Read",
            owner_id=pair.other_mentee.pk,
            due_on=None,
        )
    # then
    assert [error.field for error in raised.value.errors] == ["owner_id"]
    assert _state() == []


def test_update_changes_only_what_is_given(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship, title="Old", due_on=DUE)
    # when
    services.action_item_update(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        action_item_id=item.pk,
        owner_id=pair.mentor.pk,
        due_on=None,
    )
    # then
    assert ActionItem.objects.values("title", "owner_id", "due_on").get(pk=item.pk) == {
        "title": "Old",
        "owner_id": pair.mentor.pk,
        "due_on": None,
    }


def test_update_with_an_invalid_field_changes_nothing(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship, title="Old", due_on=DUE)
    before = _state()
    # when
    with pytest.raises(InvalidInput) as raised:
        services.action_item_update(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            action_item_id=item.pk,
            title="",
            owner_id=pair.cast.member.pk,
            due_on=None,
        )
    # then
    assert [error.field for error in raised.value.errors] == ["title", "owner_id"]
    assert _state() == before


def test_update_of_another_relationships_item_is_not_found(pair):
    # given
    item = ActionItemFactory(relationship=pair.other_relationship)
    before = _state()
    # when
    with pytest.raises(NotFound):
        services.action_item_update(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            action_item_id=item.pk,
            title="Mine now",
        )
    # then
    assert _state() == before


def test_close_done_keeps_the_reflection_and_celebrates(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship, title="Ask for feedback")
    # when
    services.action_item_close(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        action_item_id=item.pk,
        outcome="done",
        reflection="  People were kinder than I feared. ",
    )
    # then
    row = ActionItem.objects.get(pk=item.pk)
    assert (row.status, row.reflection) == ("done", "People were kinder than I feared.")
    assert row.closed_at is not None
    assert _events(pair.relationship) == [
        ("action_done", f"{pair.mentee.get_full_name()} did: Ask for feedback")
    ]


def test_close_not_done_records_no_celebration(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    # when
    services.action_item_close(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        action_item_id=item.pk,
        outcome="not_done",
        reflection="No time this week.",
    )
    # then
    assert ActionItem.objects.get(pk=item.pk).status == ActionItemStatus.NOT_DONE
    assert _events(pair.relationship) == []


def test_close_twice_is_a_conflict_and_keeps_the_first(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    services.action_item_close(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        action_item_id=item.pk,
        outcome="done",
        reflection="first",
    )
    before = _state()
    # when
    with pytest.raises(Conflict):
        services.action_item_close(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            action_item_id=item.pk,
            outcome="not_done",
            reflection="second",
        )
    # then
    assert _state() == before


@pytest.mark.parametrize("outcome", ["open", "", "maybe"])
def test_close_needs_done_or_not_done(pair, outcome):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    before = _state()
    # when
    with pytest.raises(InvalidInput) as raised:
        services.action_item_close(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            action_item_id=item.pk,
            outcome=outcome,
        )
    # then
    assert [error.field for error in raised.value.errors] == ["outcome"]
    assert _state() == before


def test_reopen_makes_it_open_again_keeping_the_reflection(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    services.action_item_close(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        action_item_id=item.pk,
        outcome="not_done",
        reflection="Ran out of time",
    )
    # when
    services.action_item_reopen(
        actor=pair.mentee, relationship_id=pair.relationship.pk, action_item_id=item.pk
    )
    # then
    assert ActionItem.objects.values("status", "closed_at", "reflection").get(pk=item.pk) == {
        "status": "open",
        "closed_at": None,
        "reflection": "Ran out of time",
    }


def test_reopen_an_open_item_is_a_conflict(pair):
    # given
    item = ActionItemFactory(relationship=pair.relationship)
    # when / then
    with pytest.raises(Conflict):
        services.action_item_reopen(
            actor=pair.mentee, relationship_id=pair.relationship.pk, action_item_id=item.pk
        )


@pytest.mark.parametrize("name", ["mentor", "mentee"])
def test_delete_by_creator_or_owner(pair, name):
    # given: created by the mentor, owned by the mentee
    item = ActionItemFactory(relationship=pair.relationship)
    # when
    services.action_item_delete(
        actor=pair.by_name(name), relationship_id=pair.relationship.pk, action_item_id=item.pk
    )
    # then
    assert _state() == []


def test_delete_by_the_partner_who_neither_agreed_nor_owns_it_is_forbidden(pair):
    # given
    item = ActionItemFactory(
        relationship=pair.relationship, owner=pair.mentee, created_by=pair.mentee
    )
    before = _state()
    # when / then
    with pytest.raises(Forbidden):
        services.action_item_delete(
            actor=pair.mentor, relationship_id=pair.relationship.pk, action_item_id=item.pk
        )
    assert _state() == before


def test_the_database_refuses_a_closed_item_without_a_closing_time(pair):
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(relationship=pair.relationship, status="done", closed_at=None)


def test_the_database_refuses_an_unknown_status(pair):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(relationship=pair.relationship, status="later")
