"""The surveys every programme starts with, written for Tandem.

Each entry is a `ShippedSurvey`: its `template_key` (a programme has each once), what it is for,
who answers it, when it is sent, and its definition (checked by `definition.py` in the tests).
The wording is plain and short: people answer on a phone between two meetings.
"""

from dataclasses import dataclass
from typing import Any

from tandem.surveys.models import SurveyAudience, SurveyKind, Trigger


@dataclass(frozen=True)
class ShippedSurvey:
    template_key: str
    kind: str
    title: str
    audience: str
    trigger: str
    offset_days: int
    repeat_days: int | None
    definition: dict[str, Any]


def _q(key: str, kind: str, text: str, *, required: bool = True, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "text": text, "required": required, **extra}


WHY_IT_ENDED = [
    "We reached the planned end",
    "We achieved what we set out to do",
    "We could not find enough time",
    "The pairing was not a good fit",
    "Work or personal circumstances changed",
    "Another reason",
]

SHIPPED: tuple[ShippedSurvey, ...] = (
    ShippedSurvey(
        template_key="pairing_fit",
        kind=SurveyKind.PAIRING_FIT,
        title="How is the pairing going?",
        audience=SurveyAudience.BOTH,
        trigger=Trigger.FIRST_MEETING,
        offset_days=1,
        repeat_days=None,
        definition={
            "intro": (
                "You have had your first meeting. Three quick questions: your answers are "
                "private, and your partner never sees them."
            ),
            "questions": [
                _q("fit", "pairing_fit", "After your first meeting, how does this pairing feel?"),
                _q("first_meeting", "rating", "How useful was your first meeting?"),
                _q(
                    "help",
                    "text",
                    "Is there anything that would help the two of you get off to a good start?",
                    required=False,
                ),
            ],
        },
    ),
    ShippedSurvey(
        template_key="pulse",
        kind=SurveyKind.PULSE,
        title="Monthly pulse",
        audience=SurveyAudience.BOTH,
        trigger=Trigger.AFTER_MATCH,
        offset_days=30,
        repeat_days=60,
        definition={
            "intro": "A one-minute check on how your mentoring is going.",
            "questions": [
                _q(
                    "progress", "rating", "How much progress are you making on what matters to you?"
                ),
                _q(
                    "rhythm",
                    "single_choice",
                    "How often have you met in the last month?",
                    choices=["Not at all", "Once", "Two or three times", "Every week"],
                ),
                _q(
                    "obstacles",
                    "multiple_choice",
                    "Is anything getting in the way?",
                    required=False,
                    choices=[
                        "Finding time",
                        "Knowing what to talk about",
                        "Different expectations",
                        "Something else",
                    ],
                ),
                _q(
                    "note",
                    "text",
                    "Anything you would like the programme team to know?",
                    required=False,
                ),
            ],
        },
    ),
    ShippedSurvey(
        template_key="midpoint",
        kind=SurveyKind.MIDPOINT,
        title="Mid-point review",
        audience=SurveyAudience.BOTH,
        trigger=Trigger.HALFWAY,
        offset_days=0,
        repeat_days=None,
        definition={
            "intro": "You are half-way through. Look back, then look ahead.",
            "questions": [
                _q("working", "rating", "How well is the mentoring relationship working for you?"),
                _q(
                    "goals",
                    "single_choice",
                    "Where do your goals stand?",
                    choices=["On track", "Partly on track", "They need rethinking"],
                ),
                _q("fit", "pairing_fit", "Is this still the right pairing for you?"),
                _q(
                    "second_half",
                    "text",
                    "What would you like to do differently in the second half?",
                    required=False,
                ),
            ],
        },
    ),
    ShippedSurvey(
        template_key="closing_mentee",
        kind=SurveyKind.CLOSING,
        title="Closing survey for mentees",
        audience=SurveyAudience.MENTEE,
        trigger=Trigger.END,
        offset_days=0,
        repeat_days=None,
        definition={
            "intro": "Your mentoring relationship has ended. Thank you for taking part.",
            "questions": [
                _q("why_ended", "single_choice", "Why did it end?", choices=WHY_IT_ENDED),
                _q("value", "rating", "Overall, how valuable was the mentoring for you?"),
                _q("keep", "text", "What will you keep doing from now on?", required=False),
            ],
        },
    ),
    ShippedSurvey(
        template_key="closing_mentor",
        kind=SurveyKind.CLOSING,
        title="Closing survey for mentors",
        audience=SurveyAudience.MENTOR,
        trigger=Trigger.END,
        offset_days=0,
        repeat_days=None,
        definition={
            "intro": "Your mentoring relationship has ended. Thank you for giving your time.",
            "questions": [
                _q("why_ended", "single_choice", "Why did it end?", choices=WHY_IT_ENDED),
                _q("value", "rating", "How rewarding was mentoring for you?"),
                _q(
                    "again",
                    "single_choice",
                    "Would you mentor again?",
                    choices=["Yes", "Maybe", "No"],
                ),
                _q("learned", "text", "What did you learn as a mentor?", required=False),
            ],
        },
    ),
    ShippedSurvey(
        template_key="nps",
        kind=SurveyKind.NPS,
        title="Would you recommend the programme?",
        audience=SurveyAudience.BOTH,
        trigger=Trigger.AFTER_MATCH,
        offset_days=90,
        repeat_days=None,
        definition={
            "intro": "",
            "questions": [
                _q(
                    "recommend",
                    "nps",
                    "How likely are you to recommend this programme to a colleague?",
                ),
                _q("reason", "text", "What is the main reason for your score?", required=False),
            ],
        },
    ),
)
