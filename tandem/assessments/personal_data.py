"""What assessments holds about a person: their own self-assessments and ratings (never the
partner's, shared or not)."""

from tandem.accounts.models import User
from tandem.assessments.models import Rating, SelfAssessment
from tandem.core.personal_data import ErasureReport, Section, rows_of

COVERS = ("assessments.SelfAssessment", "assessments.Rating")


def export(user: User) -> list[Section]:
    return [
        Section(
            "self_assessments",
            "Your self-assessments.",
            rows_of(
                SelfAssessment.objects.filter(user=user),
                ("id", "relationship_id", "moment", "submitted_at", "is_shared"),
            ),
        ),
        Section(
            "assessment_ratings",
            "Your ratings in those self-assessments, with your notes (decrypted).",
            rows_of(
                Rating.objects.filter(assessment__user=user),
                ("assessment_id", "competency__name", "score", "note"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # A self-assessment is private (shared only if the person chose so): deleted with its
    # ratings. Programme progress reports count the people who still hold assessments.
    return ErasureReport().delete(SelfAssessment.objects.filter(user=user))
