"""The journey each programme format starts from. Managers edit their programme's copy;
`services.journey_reset_to_default` goes back to this.

Each step is due either `offset` days after the relationship starts or at `fraction` of its
planned length (0.5 is half-time, 1.0 the planned end). `resources` name starter pieces of the
resource library by their `starter_key`; those the organisation has (and has not hidden) are
linked. Steps the system can see complete
themselves (`completion`); the rest are ticked by the pair.
"""

from dataclasses import dataclass, field

from tandem.journeys.models import Completion, StageKey
from tandem.programs.models import ProgramFormat


@dataclass(frozen=True)
class DefaultStep:
    title: str
    description: str = ""
    offset: int | None = None
    fraction: float | None = None
    completion: str = Completion.MANUAL
    meetings_count: int = 1
    # Starter resources linked when the organisation has them (resources' `starter_key`).
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultStage:
    key: str
    title: str
    description: str
    steps: list[DefaultStep] = field(default_factory=list)


def _title(key: str) -> str:
    return str(StageKey(key).label)


def _standard(*, group: bool = False, reverse: bool = False) -> list[DefaultStage]:
    """One-to-one, peer, reverse and group circles: the five stages over the planned length."""
    who = "the circle" if group else "you both"
    learner = "the senior colleague" if reverse else "the mentee"
    return [
        DefaultStage(
            StageKey.GETTING_STARTED,
            _title(StageKey.GETTING_STARTED),
            "Get to know each other and agree how you will work together.",
            [
                DefaultStep(
                    "Sign the mentoring agreement",
                    f"Agree what {who} expect, how often you meet and what stays confidential.",
                    offset=7,
                    completion=Completion.AGREEMENT_SIGNED,
                    resources=("building-trust-with-someone-you-have-just-met",),
                ),
                DefaultStep(
                    "Hold the first meeting",
                    "Share your stories, what you hope to get from this and how you like to work.",
                    offset=14,
                    completion=Completion.FIRST_MEETING_HELD,
                    resources=("first-meeting-checklist", "preparing-for-a-session-as-a-mentee"),
                ),
                DefaultStep(
                    "Share what you hope to get out of the mentoring",
                    f"{learner.capitalize()} says what would make this worthwhile; "
                    "the mentor says what they can offer.",
                    offset=14,
                    resources=("questions-that-open-up-a-conversation",),
                ),
            ],
        ),
        DefaultStage(
            StageKey.SETTING_GOALS,
            _title(StageKey.SETTING_GOALS),
            "Turn hopes into goals you can measure.",
            [
                DefaultStep(
                    "Set at least one goal",
                    "A specific outcome, how you will know it is reached, and a realistic date.",
                    offset=30,
                    completion=Completion.GOALS_SET,
                    resources=("setting-goals-you-can-measure",),
                ),
                DefaultStep(
                    "Agree how you will track progress",
                    "Milestones along the way and when you will look at them together.",
                    offset=30,
                ),
            ],
        ),
        DefaultStage(
            StageKey.WORKING_TOGETHER,
            _title(StageKey.WORKING_TOGETHER),
            "Meet regularly, practise between meetings and reflect on what you notice.",
            [
                DefaultStep(
                    "Hold three meetings",
                    "A steady rhythm matters more than long sessions.",
                    fraction=0.35,
                    completion=Completion.MEETINGS_HELD_N,
                    meetings_count=3,
                    resources=("asking-open-questions", "active-listening-in-practice"),
                ),
                DefaultStep(
                    "Try something new between meetings and talk it over",
                    "Agree one action to practise, then share what happened.",
                    offset=60,
                    resources=("working-an-idea-between-sessions",),
                ),
            ],
        ),
        DefaultStage(
            StageKey.MID_POINT_REVIEW,
            _title(StageKey.MID_POINT_REVIEW),
            "Look back at the goals and at how the mentoring itself is going.",
            [
                DefaultStep(
                    "Hold a mid-point review meeting",
                    "Revisit the goals: keep, adjust or drop them.",
                    fraction=0.5,
                    completion=Completion.MIDPOINT_REVIEW,
                    resources=("mid-point-review-conversation",),
                ),
                DefaultStep(
                    "Give each other feedback",
                    "What is helping, and what you would change.",
                    fraction=0.55,
                    completion=Completion.FEEDBACK_GIVEN,
                    resources=(
                        "giving-feedback-that-is-specific-and-actionable",
                        "receiving-feedback",
                    ),
                ),
            ],
        ),
        DefaultStage(
            StageKey.CLOSING,
            _title(StageKey.CLOSING),
            "Close well: reflect, celebrate and plan what comes next.",
            [
                DefaultStep(
                    "Write a closing reflection",
                    "What changed, what you learnt, and what you will keep doing.",
                    fraction=1.0,
                    resources=("closing-conversation",),
                ),
                DefaultStep(
                    "Complete the relationship",
                    "Mark the relationship completed once you have said goodbye.",
                    fraction=1.0,
                    completion=Completion.RELATIONSHIP_COMPLETED,
                    resources=("closing-a-relationship-well",),
                ),
            ],
        ),
    ]


def _flash() -> list[DefaultStage]:
    """A one-off conversation: prepare, talk, reflect — done within three weeks."""
    return [
        DefaultStage(
            StageKey.GETTING_STARTED,
            _title(StageKey.GETTING_STARTED),
            "Prepare for the conversation.",
            [
                DefaultStep(
                    "Share the question you want to talk about",
                    "One situation or decision, in a few sentences, before you meet.",
                    offset=3,
                    resources=("preparing-for-a-session-as-a-mentee",),
                ),
            ],
        ),
        DefaultStage(
            StageKey.WORKING_TOGETHER,
            _title(StageKey.WORKING_TOGETHER),
            "Have the conversation.",
            [
                DefaultStep(
                    "Hold the conversation",
                    "Listen first; leave with one thing to try.",
                    offset=14,
                    completion=Completion.FIRST_MEETING_HELD,
                    resources=("asking-open-questions",),
                ),
            ],
        ),
        DefaultStage(
            StageKey.CLOSING,
            _title(StageKey.CLOSING),
            "Reflect and say thank you.",
            [
                DefaultStep(
                    "Give each other feedback",
                    "What helped, and one suggestion.",
                    offset=21,
                    completion=Completion.FEEDBACK_GIVEN,
                    resources=(
                        "giving-feedback-that-is-specific-and-actionable",
                        "receiving-feedback",
                    ),
                ),
                DefaultStep(
                    "Note the one thing you will do next",
                    offset=21,
                    resources=("working-an-idea-between-sessions",),
                ),
            ],
        ),
    ]


def default_stages(program_format: str) -> list[DefaultStage]:
    """The default journey for a programme format (any unknown format gets the standard one)."""
    if program_format == ProgramFormat.FLASH:
        return _flash()
    if program_format == ProgramFormat.GROUP:
        return _standard(group=True)
    if program_format == ProgramFormat.REVERSE:
        return _standard(reverse=True)
    return _standard()
