"""What conversations holds about a person: the messages they sent."""

from tandem.accounts.models import User
from tandem.conversations.models import Message, MessageRead
from tandem.core.personal_data import ErasureReport, Section, rows_of

COVERS = ("conversations.Message", "conversations.MessageRead")


def export(user: User) -> list[Section]:
    return [
        Section(
            "messages_sent",
            "The messages you sent.",
            rows_of(
                Message.objects.filter(author=user),
                ("id", "relationship_id", "circle_id", "body", "created_at"),
            ),
        ),
        Section(
            "messages_read",
            "When you last read each conversation.",
            rows_of(
                MessageRead.objects.filter(user=user),
                ("relationship_id", "circle_id", "last_read_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # The messages are the partner's conversation too: kept, their author pseudonymised.
    report = ErasureReport().delete(MessageRead.objects.filter(user=user))
    return report.kept("conversations.Message", Message.objects.filter(author=user).count())
