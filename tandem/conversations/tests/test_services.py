import pytest
from django.core import mail

from tandem.conversations import selectors, services
from tandem.conversations.models import Message, MessageRead
from tandem.conversations.permissions import circle_access
from tandem.conversations.tests.factories import make_circle
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.notifications.services import notification_preferences_update
from tandem.relationships.models import RelationshipEvent
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition

BODY = "Can we move Thursday's meeting? My team lead wants the slot."


def _state() -> tuple[list[dict], list[dict], list[dict]]:
    return (
        list(Message.objects.order_by("pk").values()),
        list(MessageRead.objects.order_by("pk").values()),
        list(RelationshipEvent.objects.filter(kind="message").values()),
    )


def test_post_stores_the_message_notes_the_timeline_and_tells_the_partner(
    pair, django_capture_on_commit_callbacks
):
    # given
    mail.outbox.clear()
    notifications_before = set(Notification.objects.values_list("pk", flat=True))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(
            actor=pair.mentee, relationship_id=pair.relationship.pk, body=f"  {BODY}\n"
        )
    # then
    row = Message.objects.get()
    assert (row.relationship, row.circle, row.author, row.body) == (
        pair.relationship,
        None,
        pair.mentee,
        BODY,
    )
    assert MessageRead.objects.get(user=pair.mentee).last_read_at == message.created_at
    event = RelationshipEvent.objects.get(kind="message")
    name = pair.mentee.get_full_name()
    assert (event.relationship, event.actor, event.summary) == (
        pair.relationship,
        pair.mentee,
        f"{name} sent a message",
    )
    new = Notification.objects.exclude(pk__in=notifications_before)
    assert list(new.values_list("user", "category", "title", "url")) == [
        (
            pair.mentor.pk,
            "messages",
            f"New message from {name}",
            f"/relationships/{pair.relationship.pk}/messages/",
        )
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([pair.mentor.email], f"New message from {name}")
    ]
    assert BODY in mail.outbox[0].body


@pytest.mark.parametrize(
    ("channel", "in_app", "emails"), [("email", 1, 1), ("in_app", 1, 0), ("off", 0, 0)]
)
def test_post_respects_the_partners_preference(
    pair, django_capture_on_commit_callbacks, channel, in_app, emails
):
    # given
    notification_preferences_update(actor=pair.mentor, channels={"messages": channel})
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY)
    # then
    assert Notification.objects.filter(user=pair.mentor, category="messages").count() == in_app
    assert len(mail.outbox) == emails


def test_a_long_message_is_previewed_in_the_notification(pair):
    # when
    services.message_post(
        actor=pair.mentee, relationship_id=pair.relationship.pk, body="word " * 200
    )
    # then
    body = Notification.objects.get(user=pair.mentor, category="messages").body
    assert body.endswith("…")
    assert len(body) < 400


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 5001])
def test_post_refuses_empty_or_too_long(pair, body):
    # given
    before = _state()
    # when / then
    with pytest.raises(InvalidInput) as refusal:
        services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body=body)
    assert refusal.value.errors[0].field == "body"
    assert _state() == before


@pytest.mark.parametrize(
    "actor_name", ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin"]
)
def test_only_the_pair_post(pair, actor_name):
    # given
    before = _state()
    # when / then
    with pytest.raises(NotFound):
        services.message_post(
            actor=pair.by_name(actor_name), relationship_id=pair.relationship.pk, body=BODY
        )
    assert _state() == before


def test_post_refused_in_a_closed_relationship(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="end", reason="Moved teams"
    )
    before = _state()
    # when / then
    with pytest.raises(Conflict):
        services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY)
    assert _state() == before


def test_unread_count_and_mark_read(pair):
    # given
    for index in range(3):
        services.message_post(
            actor=pair.mentee, relationship_id=pair.relationship.pk, body=f"hi {index}"
        )
    services.message_post(actor=pair.mentor, relationship_id=pair.relationship.pk, body="mine")
    mentor_thread = selectors.thread_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    mentee_thread = selectors.thread_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # then: posting marks the thread read up to the post
    assert selectors.message_unread_count(thread=mentor_thread) == 0
    assert selectors.message_unread_count(thread=mentee_thread) == 1
    # when
    services.message_mark_read(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # then
    assert selectors.message_unread_count(thread=mentee_thread) == 0
    assert MessageRead.objects.filter(user=pair.mentee).count() == 1


def test_panel_lists_unread_messages_from_the_partner(pair, django_assert_max_num_queries):
    # given
    for index in range(4):
        services.message_post(
            actor=pair.mentor, relationship_id=pair.relationship.pk, body=f"hi {index}"
        )
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(3):
        panel = selectors.conversation_panel(access=access)
    # then
    url = f"/relationships/{pair.relationship.pk}/messages/"
    assert panel == {
        "unread": 4,
        "latest_at": Message.objects.latest("created_at").created_at,
        "latest_from_me": False,
        "partner_name": pair.mentor.get_full_name(),
        "url": url,
        "circle_url": "",
        "next_items": [
            {
                "text": f"4 unread messages from {pair.mentor.get_full_name()}",
                "url": url,
                "due": None,
                "overdue": False,
            }
        ],
    }


def test_circle_members_are_the_mentor_and_open_mentees(cast):
    # given
    group = make_circle(program=cast.program, mentees=3)
    relationship_transition(
        actor=group.mentor, relationship_id=group.relationships[2].pk, action="end", reason="Left"
    )
    # when
    access = circle_access(actor=group.mentees[0], circle_id=group.circle.pk)
    # then
    assert list(access.members) == [group.mentor, group.mentees[0], group.mentees[1]]
    with pytest.raises(NotFound):
        circle_access(actor=group.mentees[2], circle_id=group.circle.pk)


def test_circle_post_tells_every_other_member_and_leaves_no_timeline_event(
    cast, django_capture_on_commit_callbacks
):
    # given
    group = make_circle(program=cast.program, mentees=2)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_message_post(actor=group.mentees[0], circle_id=group.circle.pk, body=BODY)
    # then
    row = Message.objects.get()
    assert (row.circle, row.relationship, row.author) == (group.circle, None, group.mentees[0])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [group.mentor.email, group.mentees[1].email]
    )
    assert not RelationshipEvent.objects.filter(kind="message").exists()


@pytest.mark.parametrize("actor_name", ["mentor", "mentee", "manager", "admin", "outsider"])
def test_circle_post_refused_to_non_members(cast, pair, actor_name):
    # given
    group = make_circle(program=cast.program, mentees=2)
    # when / then
    with pytest.raises(NotFound):
        services.circle_message_post(
            actor=pair.by_name(actor_name), circle_id=group.circle.pk, body=BODY
        )
    assert not Message.objects.exists()
