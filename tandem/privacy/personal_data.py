"""What privacy holds about a person: the exports of their data and the requests to erase it,
who asked and when."""

from django.core.files.storage import default_storage

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.privacy.models import DataExport, ErasureRequest

COVERS = ("privacy.DataExport", "privacy.ErasureRequest")


def export(user: User) -> list[Section]:
    return [
        Section(
            "data_exports",
            "The exports of your data (this one included) and who asked for each.",
            rows_of(
                DataExport.objects.filter(subject=user),
                ("id", "requester__email", "status", "created_at", "finished_at", "expires_at"),
            ),
        ),
        Section(
            "erasure_requests",
            "Requests to erase your data, who asked, and when each is due.",
            rows_of(
                ErasureRequest.objects.filter(person=user),
                ("id", "requested_by__email", "reason", "status", "requested_at", "due_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Archives of their data are their data: files and rows deleted. The erasure request
    # itself stays (it proves the erasure was done), its free-text reason blanked.
    exports = DataExport.objects.filter(subject=user)
    for file_name in exports.exclude(file_name="").values_list("file_name", flat=True):
        default_storage.delete(file_name)
    report = ErasureReport().delete(exports)
    return report.kept(
        "privacy.ErasureRequest", ErasureRequest.objects.filter(person=user).update(reason="")
    )
