"""Every write to the journal. Only the author writes their entries; nothing here records a
timeline event (even an entry's existence is private). Sharing an entry tells the partner,
in the `messages` category, without the text."""

import datetime
from collections.abc import Iterable
from types import EllipsisType

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import FieldError, InvalidInput
from tandem.journals import selectors
from tandem.journals.models import JournalEntry, JournalMood
from tandem.meetings import selectors as meeting_selectors
from tandem.meetings.models import Meeting
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.relationships.models import RelationshipStatus
from tandem.relationships.permissions import RelationshipAccess, relationship_access

MAX_TEXT = 20_000
MAX_TAGS = 10
MAX_TAG_LENGTH = 30
# The entry's columns kept as ciphertext.
ENCRYPTED = ("text", "mood", "tags")


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput.for_field("text", "Write something in the entry.")
    if len(text) > MAX_TEXT:
        raise InvalidInput.for_field(
            "text", f"An entry holds at most {MAX_TEXT} characters ({len(text)} given)."
        )
    return text


def _clean_mood(mood: str) -> str:
    if mood not in ("", *JournalMood.values):
        allowed = ", ".join(JournalMood.values)
        raise InvalidInput.for_field("mood", f"'{mood}' is not a mood (one of {allowed}).")
    return mood


def clean_tags(tags: Iterable[object]) -> list[str]:
    """Tags as stored: trimmed, lower case, no duplicates, in the order given."""
    cleaned: list[str] = []
    errors: list[FieldError] = []
    for tag in tags:
        if not isinstance(tag, str):
            errors.append(FieldError("tags", "Each tag is a piece of text."))
            continue
        tag = " ".join(tag.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            errors.append(
                FieldError("tags", f"'{tag}' is longer than {MAX_TAG_LENGTH} characters.")
            )
        elif tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        errors.append(FieldError("tags", f"An entry has at most {MAX_TAGS} tags."))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    return cleaned


def _meeting(access: RelationshipAccess, meeting_id: int | None) -> Meeting | None:
    """The pair's own meeting `meeting_id` (None for no meeting), or InvalidInput."""
    if meeting_id is None:
        return None
    meeting = meeting_selectors.meeting_list(access=access).filter(pk=meeting_id).first()
    if meeting is None:
        raise InvalidInput.for_field("meeting_id", "Choose one of your own meetings.")
    return meeting


def _access(actor: User, relationship_id: int) -> RelationshipAccess:
    return relationship_access(actor=actor, relationship_id=relationship_id)


@transaction.atomic
def journal_entry_create(
    *,
    actor: User,
    relationship_id: int,
    text: str,
    mood: str = "",
    tags: Iterable[object] = (),
    meeting_id: int | None = None,
) -> JournalEntry:
    """Write a private entry in the caller's journal for this relationship (the pair only;
    an open relationship)."""
    access = _access(actor, relationship_id)
    access.require_open()
    entry = JournalEntry(
        author=actor,
        relationship=access.relationship,
        text=_clean_text(text),
        mood=_clean_mood(mood),
        tags=clean_tags(tags),
        meeting=_meeting(access, meeting_id),
    )
    entry.save()
    return entry


@transaction.atomic
def journal_entry_update(
    *,
    actor: User,
    relationship_id: int,
    entry_id: int,
    text: str | None = None,
    mood: str | None = None,
    tags: Iterable[object] | None = None,
    meeting_id: int | EllipsisType | None = ...,
) -> JournalEntry:
    """Change the caller's own entry; arguments left None (`meeting_id` left out) stay as
    they are; `meeting_id=None` unlinks the meeting."""
    access = _access(actor, relationship_id)
    access.require_open()
    entry = selectors.journal_entry_get_mine(access=access, entry_id=entry_id, for_update=True)
    fields: list[str] = []
    if text is not None:
        entry.text = _clean_text(text)
        fields.append("text")
    if mood is not None:
        entry.mood = _clean_mood(mood)
        fields.append("mood")
    if tags is not None:
        entry.tags = clean_tags(tags)
        fields.append("tags")
    if not isinstance(meeting_id, EllipsisType):
        entry.meeting = _meeting(access, meeting_id)
        fields.append("meeting")
    if fields:
        entry.save(update_fields=[*fields, "updated_at"])
    return entry


@transaction.atomic
def journal_entry_delete(*, actor: User, relationship_id: int, entry_id: int) -> None:
    """Delete the caller's own entry. Allowed after the relationship closed too: a person may
    always take back what they wrote."""
    access = _access(actor, relationship_id)
    selectors.journal_entry_get_mine(access=access, entry_id=entry_id, for_update=True).delete()


@transaction.atomic
def journal_entry_share(*, actor: User, relationship_id: int, entry_id: int) -> JournalEntry:
    """Let the partner read this one entry, and tell them (without the text). Sharing a
    shared entry changes nothing and tells no one again."""
    access = _access(actor, relationship_id)
    access.require_open()
    entry = selectors.journal_entry_get_mine(access=access, entry_id=entry_id, for_update=True)
    if entry.shared_with_partner:
        return entry
    entry.shared_with_partner = True
    entry.shared_at = timezone.now()
    entry.save(update_fields=["shared_with_partner", "shared_at", "updated_at"])
    partner = access.partner
    if partner is not None:
        name = display_name(actor)
        notification_send(
            recipients=[partner],
            category=NotificationCategory.MESSAGES,
            subject=f"{name} shared a journal entry with you",
            body=f"{name} shared one of their journal entries with you in Tandem.",
            url=reverse("journals:list", args=[access.relationship.pk]) + "#shared-with-you",
        )
    return entry


@transaction.atomic
def journal_entry_unshare(*, actor: User, relationship_id: int, entry_id: int) -> JournalEntry:
    """Make a shared entry private again (allowed after the relationship closed too)."""
    access = _access(actor, relationship_id)
    entry = selectors.journal_entry_get_mine(access=access, entry_id=entry_id, for_update=True)
    if entry.shared_with_partner:
        entry.shared_with_partner = False
        entry.shared_at = None
        entry.save(update_fields=["shared_with_partner", "shared_at", "updated_at"])
    return entry


def journal_reencrypt_all(*, batch_size: int = 500) -> int:
    """Rewrite every entry's text, mood and tags with the first configured key (after a key
    rotation). Each row is read with any key and written with the first. Returns how many."""
    count = 0
    ids = list(JournalEntry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            batch = list(
                JournalEntry.objects.select_for_update()
                .filter(pk__in=ids[start : start + batch_size])
                .only("pk", *ENCRYPTED)
            )
            JournalEntry.objects.bulk_update(batch, list(ENCRYPTED))
            count += len(batch)
    return count


def journal_entries_purge_ended(*, organization_id: int, closed_before: datetime.datetime) -> int:
    """Delete the journal entries written in the organisation's relationships that were
    completed or ended before `closed_before` (its retention setting, run by privacy's daily
    job). Returns how many went."""
    _, deleted = JournalEntry.objects.filter(
        relationship__program__organization_id=organization_id,
        relationship__status__in=[RelationshipStatus.COMPLETED, RelationshipStatus.ENDED],
        relationship__closed_at__lt=closed_before,
    ).delete()
    return deleted.get(JournalEntry._meta.label, 0)
