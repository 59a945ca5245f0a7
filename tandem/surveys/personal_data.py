"""What surveys holds about a person: the surveys they were invited to and their own answers
(free text decrypted)."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.surveys.models import SurveyAnswer, SurveyInvitation

COVERS = ("surveys.SurveyInvitation", "surveys.SurveyResponse", "surveys.SurveyAnswer")


def export(user: User) -> list[Section]:
    return [
        Section(
            "survey_invitations",
            "The surveys you were invited to.",
            rows_of(
                SurveyInvitation.objects.filter(user=user),
                ("id", "survey__title", "relationship_id", "occasion", "created_at"),
            ),
        ),
        Section(
            "survey_answers",
            "Your answers to those surveys.",
            rows_of(
                SurveyAnswer.objects.filter(response__invitation__user=user),
                (
                    "response__invitation_id",
                    "response__submitted_at",
                    "question_key",
                    "question_type",
                    "number",
                    "choices",
                    "text",
                ),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Survey results are aggregates over the answers: the rows stay, so the counts and scores
    # stay, tied to the pseudonymised account; the person's own words (free-text answers)
    # are deleted from them.
    # (The text is encrypted: no database filter finds the blank ones, so every row is set.)
    answers = SurveyAnswer.objects.filter(response__invitation__user=user)
    return ErasureReport().kept("surveys.SurveyAnswer", answers.update(text=""))
