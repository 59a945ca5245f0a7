"""What participants holds about a person: their enrolments and their enrolment answers."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.participants.models import Answer, Participant
from tandem.programs.models import QuestionKind

COVERS = ("participants.Participant",)


def export(user: User) -> list[Section]:
    return [
        Section(
            "enrolments",
            "Your places in programmes: role, status, motivation, decisions.",
            rows_of(
                Participant.objects.filter(user=user),
                (
                    "id",
                    "program__name",
                    "role",
                    "status",
                    "capacity",
                    "motivation",
                    "enrolled_at",
                    "decided_at",
                    "decision_note",
                    "withdrawn_at",
                    "withdrawal_reason",
                ),
            ),
        ),
        Section(
            "enrolment_answers",
            "Your answers to the programmes' enrolment questions.",
            rows_of(
                Answer.objects.filter(participant__user=user),
                ("participant__program__name", "question__prompt", "value"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # A place in a programme is counted in its reports: kept, without the person's words
    # (motivation, the reasons given about them) and their free-text enrolment answers.
    # Choice, scale and skill answers stay: matching reports count them.
    report = ErasureReport().delete(
        Answer.objects.filter(participant__user=user, question__kind=QuestionKind.TEXT)
    )
    return report.kept(
        "participants.Participant",
        Participant.objects.filter(user=user).update(
            motivation="", decision_note="", withdrawal_reason=""
        ),
    )
