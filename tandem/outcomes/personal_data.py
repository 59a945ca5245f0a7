"""What outcomes holds about a person: the HR employment record imported for them, and the
summaries the outcomes report reads (that record with their first match days folded in)."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.outcomes.models import (
    EmploymentRecord,
    PersonOutcomeSummary,
    ProgramMatchSummary,
    Promotion,
)

COVERS = (
    "outcomes.EmploymentRecord",
    "outcomes.PersonOutcomeSummary",
    "outcomes.ProgramMatchSummary",
)


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
        Section(
            "outcome_summary",
            "That record as the outcomes report reads it, with your first match days.",
            rows_of(
                PersonOutcomeSummary.objects.filter(user=user),
                ("hired_on", "terminated_on", "first_mentee_on", "first_mentor_on"),
            ),
        ),
        Section(
            "programme_first_matches",
            "Your first match day in each programme, as the outcomes report reads it.",
            rows_of(
                ProgramMatchSummary.objects.filter(user=user),
                ("program__name", "first_mentee_on", "first_mentor_on"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # The HR record feeds outcome reports (retention and promotion counts): kept for the
    # counts, without the employee id that would name the person in the HR system.
    # Its summaries likewise (the location goes from them too); the next refresh would
    # copy the blanked record anyway.
    return (
        ErasureReport()
        .kept(
            "outcomes.EmploymentRecord",
            EmploymentRecord.objects.filter(user=user).update(employee_id="", location=""),
        )
        .kept(
            "outcomes.PersonOutcomeSummary",
            PersonOutcomeSummary.objects.filter(user=user).update(location=""),
        )
        .kept("outcomes.ProgramMatchSummary", ProgramMatchSummary.objects.filter(user=user).count())
    )
