"""What analytics holds about a person: which monthly reports were emailed to them."""

from tandem.accounts.models import User
from tandem.analytics.models import MonthlyReport
from tandem.core.personal_data import ErasureReport, Section, rows_of

COVERS = ("analytics.MonthlyReport",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "monthly_reports",
            "The monthly programme reports emailed to you.",
            rows_of(MonthlyReport.objects.filter(recipient=user), ("month", "created_at")),
        )
    ]


def erase(user: User) -> ErasureReport:
    # Only the record that a report was mailed to them; the report's numbers are aggregates.
    return ErasureReport().delete(MonthlyReport.objects.filter(recipient=user))
