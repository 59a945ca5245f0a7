"""What outcomes holds about a person: the HR employment record imported for them."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.outcomes.models import EmploymentRecord, Promotion

COVERS = ("outcomes.EmploymentRecord",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "employment_record",
            "The HR record your organisation imported for outcome reports.",
            rows_of(
                EmploymentRecord.objects.filter(user=user),
                (
                    "employee_id",
                    "hired_on",
                    "terminated_on",
                    "department",
                    "grade",
                    "location",
                    "updated_at",
                ),
            ),
        ),
        Section(
            "promotions",
            "Promotions in that record.",
            rows_of(Promotion.objects.filter(record__user=user), ("promoted_on",)),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # The HR record feeds outcome reports (retention and promotion counts): kept for the
    # counts, without the employee id that would name the person in the HR system.
    return ErasureReport().kept(
        "outcomes.EmploymentRecord",
        EmploymentRecord.objects.filter(user=user).update(employee_id="", location=""),
    )
