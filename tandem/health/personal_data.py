"""What health holds about a person: the private notes they wrote on pairs as a manager. The
notes others wrote about their pair are the managers' working notes, not shown to the pair."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.health.models import HealthNote

COVERS = ("health.HealthNote",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "health_notes_written",
            "Notes you wrote on pairs' health as a manager.",
            rows_of(
                HealthNote.objects.filter(author=user),
                ("relationship_id", "text", "created_at", "updated_at"),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # A manager's notes on pairs are the programme's record: kept, the author pseudonymised.
    return ErasureReport().kept("health.HealthNote", HealthNote.objects.filter(author=user).count())
