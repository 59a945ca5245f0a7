"""What resources holds about a person: their progress through the library."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.resources.models import LessonCompletion, ResourceProgress

COVERS = ("resources.ResourceProgress", "resources.LessonCompletion")


def export(user: User) -> list[Section]:
    return [
        Section(
            "resource_progress",
            "The resources you finished, rated or checked yourself on.",
            rows_of(
                ResourceProgress.objects.filter(user=user),
                ("resource__title", "done_at", "rating", "check_score", "check_passed"),
            ),
        ),
        Section(
            "lessons_completed",
            "The lessons you completed.",
            rows_of(
                LessonCompletion.objects.filter(user=user),
                ("lesson__title", "completed_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Progress and ratings hold no words and feed the resources' usage counts: kept, linked
    # to the pseudonymised account.
    report = ErasureReport()
    report.kept("resources.ResourceProgress", ResourceProgress.objects.filter(user=user).count())
    return report.kept(
        "resources.LessonCompletion", LessonCompletion.objects.filter(user=user).count()
    )
