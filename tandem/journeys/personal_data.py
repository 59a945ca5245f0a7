"""What journeys holds about a person: the journey steps they ticked by hand."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.journeys.models import StepCompletion

COVERS = ("journeys.StepCompletion",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "journey_steps",
            "Journey steps you marked as done.",
            rows_of(
                StepCompletion.objects.filter(completed_by=user),
                ("relationship_id", "step__title", "completed_at"),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # A step done is the pair's progress: kept, who did it pseudonymised.
    return ErasureReport().kept(
        "journeys.StepCompletion", StepCompletion.objects.filter(completed_by=user).count()
    )
