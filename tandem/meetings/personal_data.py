"""What meetings holds about a person: the meetings of their pairs with their shared notes and
agendas, and their own check-ins (never the partner's). The calendar feed token stays out: it
is a secret, not data about them."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, rows_of, scrub_rows
from tandem.meetings.models import AgendaItem, CalendarFeedToken, CheckIn, Meeting
from tandem.relationships.personal_data import relationship_ids

COVERS = ("meetings.Meeting", "meetings.AgendaItem", "meetings.CheckIn")


def export(user: User) -> list[Section]:
    ids = relationship_ids(user)
    return [
        Section(
            "meetings",
            "Meetings of your mentoring relationships, with the notes you share with your partner.",
            rows_of(
                Meeting.objects.filter(relationship_id__in=ids),
                (
                    "id",
                    "relationship_id",
                    "title",
                    "starts_at",
                    "duration_minutes",
                    "location",
                    "status",
                    "held_at",
                    "notes",
                ),
            ),
        ),
        Section(
            "agenda_items",
            "Agenda items of those meetings.",
            rows_of(
                AgendaItem.objects.filter(meeting__relationship_id__in=ids),
                ("meeting_id", "text", "added_by__email", "created_at"),
            ),
        ),
        Section(
            "check_ins",
            "Your own check-ins after meetings.",
            rows_of(
                CheckIn.objects.filter(user=user),
                ("meeting_id", "usefulness", "practise_next", "created_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Meetings, their shared notes and agenda are the pair's: kept. A check-in keeps its
    # usefulness score (programme averages count it) and loses the person's own words.
    report = ErasureReport().delete(CalendarFeedToken.objects.filter(user=user))
    report.kept(
        "meetings.CheckIn",
        CheckIn.objects.filter(user=user).exclude(practise_next="").update(practise_next=""),
    )
    meetings = Meeting.objects.filter(relationship_id__in=relationship_ids(user))
    return report.kept(
        "meetings.Meeting", scrub_rows(meetings, ("title", "location"), identifiers_of(user))
    )
