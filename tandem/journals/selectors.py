"""Every read of the journal. Each one starts from the caller: their own entries
(author = the caller), or the entries their partner chose to share with them. Nothing here
reads another person's unshared entry, whoever asks."""

from typing import Any

from django.db.models import OuterRef, QuerySet
from django.urls import reverse

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.core.subqueries import count_of, latest_of
from tandem.journals.models import JournalEntry
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.selectors import relationship_facts


def _party(access: RelationshipAccess) -> RelationshipAccess:
    """Only the pair have journals in a relationship; anyone else is told nothing."""
    if not access.is_party:
        raise NotFound("No such relationship.")
    return access


def journal_entry_list_mine(*, access: RelationshipAccess) -> QuerySet[JournalEntry]:
    """The caller's own entries in this relationship, newest first."""
    _party(access)
    return (
        JournalEntry.objects.select_related("meeting")
        .filter(relationship=access.relationship, author=access.user)
        .order_by("-created_at", "-id")
    )


def journal_entry_get_mine(
    *, access: RelationshipAccess, entry_id: int, for_update: bool = False
) -> JournalEntry:
    """One of the caller's own entries, or NotFound (someone else's entry is NotFound too)."""
    queryset = journal_entry_list_mine(access=access).filter(pk=entry_id)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    entry = queryset.first()
    if entry is None:
        raise NotFound("No such journal entry.")
    return entry


def journal_entry_list_shared_with_me(*, access: RelationshipAccess) -> QuerySet[JournalEntry]:
    """The entries the caller's partner shared with them in this relationship, newest first."""
    partner = _party(access).partner
    return (
        JournalEntry.objects.select_related("author", "meeting")
        .filter(
            relationship=access.relationship,
            author=partner,
            shared_with_partner=True,
        )
        .order_by("-shared_at", "-id")
    )


def journal_entry_list_for_export(
    *, actor: User, relationship_id: int | None = None
) -> list[JournalEntry]:
    """The caller's own journal, oldest first, with what the export names (programme,
    partner); one relationship (through its guard) or all of them."""
    queryset = JournalEntry.objects.select_related(
        "relationship__program",
        "relationship__mentor__user",
        "relationship__mentee__user",
        "meeting",
    ).filter(author=actor)
    if relationship_id is not None:
        access = relationship_access(actor=actor, relationship_id=relationship_id)
        queryset = queryset.filter(relationship=access.relationship)
    return list(queryset.order_by("created_at", "id"))


def journals_panel_facts(*, access: RelationshipAccess) -> dict[str, Any]:
    """The card's numbers, as subqueries on the relationship row (`relationship_facts`): my
    entries here and the latest one's time, and how many my partner shared with me. Every
    subquery is filtered by author: nothing of an unshared entry of the partner is read."""
    _party(access)
    entries = JournalEntry.objects.filter(relationship_id=OuterRef("pk"))
    mine = entries.filter(author=access.user)
    return {
        "journals_count": count_of(mine),
        "journals_latest_at": latest_of(mine, "created_at"),
        "journals_shared_with_me": count_of(
            entries.filter(author=access.partner, shared_with_partner=True)
        ),
    }


def journals_panel(*, access: RelationshipAccess, facts: dict[str, Any] | None = None) -> dict:
    """The workspace card: how many entries I wrote here and when last, and how many my
    partner shared with me, from `facts` (`journals_panel_facts`, read once for every card, or
    here in one query when none are handed over)."""
    _party(access)
    if facts is None:
        facts = relationship_facts(
            relationship_id=access.relationship.pk, facts=journals_panel_facts(access=access)
        )
    return {
        "count": facts["journals_count"],
        "latest_at": facts["journals_latest_at"],
        "shared_with_me_count": facts["journals_shared_with_me"],
        "url": reverse("journals:list", args=[access.relationship.pk]),
        "next_items": [],
    }
