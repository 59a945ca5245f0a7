"""What privacy holds about a person: the exports of their data, who asked and when."""

from tandem.accounts.models import User
from tandem.core.personal_data import Section, rows_of
from tandem.privacy.models import DataExport

COVERS = ("privacy.DataExport",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "data_exports",
            "The exports of your data (this one included) and who asked for each.",
            rows_of(
                DataExport.objects.filter(subject=user),
                ("id", "requester__email", "status", "created_at", "finished_at", "expires_at"),
            ),
        )
    ]
