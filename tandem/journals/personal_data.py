"""What journals holds about a person: their own journal, decrypted. The partner's journal is
never theirs, shared or not."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.journals.models import JournalEntry

COVERS = ("journals.JournalEntry",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "journal",
            "Your private journal, decrypted.",
            rows_of(
                JournalEntry.objects.filter(author=user),
                (
                    "id",
                    "relationship_id",
                    "meeting_id",
                    "text",
                    "mood",
                    "tags",
                    "shared_with_partner",
                    "created_at",
                    "updated_at",
                ),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # The journal is the person's alone: deleted.
    return ErasureReport().delete(JournalEntry.objects.filter(author=user))
