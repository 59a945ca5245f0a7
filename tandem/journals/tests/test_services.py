import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import connection

from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.journals import selectors, services
from tandem.journals.models import JournalEntry
from tandem.notifications.models import Notification
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition

SECRET = "I am afraid my mentor thinks I am slow"


def _state() -> list[dict]:
    return list(JournalEntry.objects.order_by("pk").values())


def _raw_text(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM journals_journalentry WHERE id = %s", [entry_id])
        return cursor.fetchone()[0]


def test_create_keeps_only_ciphertext_in_the_column(pair, settings):
    # when
    entry = services.journal_entry_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        text=f"  {SECRET}  ",
        mood="low",
        tags=[" Confidence ", "confidence", "Feedback"],
    )
    # then
    row = JournalEntry.objects.get()
    assert (row.author, row.relationship, row.text, row.mood, row.tags) == (
        pair.mentee,
        pair.relationship,
        SECRET,
        "low",
        ["confidence", "feedback"],
    )
    assert (row.shared_with_partner, row.shared_at) == (False, None)
    raw = _raw_text(entry.pk)
    assert SECRET not in raw
    assert "afraid" not in raw
    assert raw.startswith("gAAAA")
    assert Fernet(settings.JOURNAL_ENCRYPTION_KEYS[0]).decrypt(raw.encode()) == SECRET.encode()


def test_create_leaves_no_timeline_event_and_tells_no_one(pair):
    # given
    events_before = pair.relationship.events.count()
    notifications_before = Notification.objects.count()
    mail.outbox.clear()
    # when
    services.journal_entry_create(
        actor=pair.mentor, relationship_id=pair.relationship.pk, text=SECRET
    )
    # then
    assert pair.relationship.events.count() == events_before
    assert Notification.objects.count() == notifications_before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": "ok", "mood": "ecstatic"}, "mood"),
        ({"text": "ok", "tags": ["x" * 31]}, "tags"),
        ({"text": "ok", "tags": [f"t{n}" for n in range(11)]}, "tags"),
        ({"text": "ok", "tags": [3]}, "tags"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(pair, kwargs, field):
    # when
    with pytest.raises(InvalidInput) as refusal:
        services.journal_entry_create(
            actor=pair.mentee, relationship_id=pair.relationship.pk, **kwargs
        )
    # then
    assert refusal.value.errors[0].field == field
    assert _state() == []


@pytest.mark.parametrize(
    "actor_name", ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin"]
)
def test_only_the_pair_write_journals(pair, actor_name):
    # when / then
    with pytest.raises(NotFound):
        services.journal_entry_create(
            actor=pair.by_name(actor_name), relationship_id=pair.relationship.pk, text=SECRET
        )
    assert _state() == []


def test_create_refused_when_the_relationship_is_closed(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # when / then
    with pytest.raises(Conflict):
        services.journal_entry_create(
            actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
        )
    assert _state() == []


def test_the_partner_cannot_touch_an_entry(pair):
    # given
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
    )
    before = _state()
    # when / then
    for call in (
        services.journal_entry_update,
        services.journal_entry_share,
        services.journal_entry_unshare,
        services.journal_entry_delete,
    ):
        kwargs = {"text": "hacked"} if call is services.journal_entry_update else {}
        with pytest.raises(NotFound):
            call(
                actor=pair.mentor,
                relationship_id=pair.relationship.pk,
                entry_id=entry.pk,
                **kwargs,
            )
    assert _state() == before


def test_update_changes_only_what_was_given(pair):
    # given
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET, mood="low"
    )
    # when
    services.journal_entry_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        entry_id=entry.pk,
        tags=["Progress"],
    )
    # then
    row = JournalEntry.objects.get()
    assert (row.text, row.mood, row.tags) == (SECRET, "low", ["progress"])


def test_share_then_unshare(pair):
    # given
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
    )
    mentor_access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    assert list(selectors.journal_entry_list_shared_with_me(access=mentor_access)) == []
    # when
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    # then
    row = JournalEntry.objects.get()
    assert row.shared_with_partner is True
    assert row.shared_at is not None
    assert list(selectors.journal_entry_list_shared_with_me(access=mentor_access)) == [row]
    notifications = list(Notification.objects.filter(user=pair.mentor).values_list("title", "body"))
    name = pair.mentee.get_full_name()
    assert notifications == [
        (
            f"{name} shared a journal entry with you",
            f"{name} shared one of their journal entries with you in Tandem.",
        )
    ]
    # when
    services.journal_entry_unshare(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    # then
    row.refresh_from_db()
    assert (row.shared_with_partner, row.shared_at) == (False, None)
    assert list(selectors.journal_entry_list_shared_with_me(access=mentor_access)) == []


def test_share_email_never_holds_the_text(pair, django_capture_on_commit_callbacks):
    # given
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
    )
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.journal_entry_share(
            actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
        )
    # then
    assert [message.to for message in mail.outbox] == [[pair.mentor.email]]
    assert SECRET not in mail.outbox[0].body


def test_delete_allowed_after_close_and_removes_the_row(pair):
    # given
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
    )
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # when
    services.journal_entry_delete(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    # then
    assert _state() == []


def test_key_rotation_old_key_still_decrypts_and_reencrypt_moves_to_new(pair, settings):
    # given: written with key A
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.JOURNAL_ENCRYPTION_KEYS = [key_a]
    entry = services.journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text=SECRET
    )
    # when: B is put first, A kept
    settings.JOURNAL_ENCRYPTION_KEYS = [key_b, key_a]
    # then
    assert JournalEntry.objects.get().text == SECRET
    # when
    call_command("journal_reencrypt", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then: B alone reads it
    settings.JOURNAL_ENCRYPTION_KEYS = [key_b]
    assert JournalEntry.objects.get(pk=entry.pk).text == SECRET
    assert Fernet(key_b).decrypt(_raw_text(entry.pk).encode()) == SECRET.encode()


def test_panel_counts_my_entries_only(pair, django_assert_max_num_queries):
    # given
    for index in range(3):
        services.journal_entry_create(
            actor=pair.mentee, relationship_id=pair.relationship.pk, text=f"mine {index}"
        )
    partner_entry = services.journal_entry_create(
        actor=pair.mentor, relationship_id=pair.relationship.pk, text="theirs"
    )
    services.journal_entry_share(
        actor=pair.mentor, relationship_id=pair.relationship.pk, entry_id=partner_entry.pk
    )
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(3):
        panel = selectors.journals_panel(access=access)
    # then
    latest = JournalEntry.objects.filter(author=pair.mentee).latest("created_at").created_at
    assert panel == {
        "count": 3,
        "latest_at": latest,
        "shared_with_me_count": 1,
        "url": f"/relationships/{pair.relationship.pk}/journal/",
        "next_items": [],
    }
