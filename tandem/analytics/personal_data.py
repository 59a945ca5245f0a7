"""What analytics holds about a person: which monthly reports were emailed to them."""

from tandem.accounts.models import User
from tandem.analytics.models import MonthlyReport
from tandem.core.personal_data import Section, rows_of

COVERS = ("analytics.MonthlyReport",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "monthly_reports",
            "The monthly programme reports emailed to you.",
            rows_of(MonthlyReport.objects.filter(recipient=user), ("month", "created_at")),
        )
    ]
