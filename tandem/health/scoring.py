"""The relationship health score: a pure function, no Django, no database.

`score(HealthInputs) -> HealthScore`: a score from 0 to 100 (100 = nothing to worry about), a
bucket, the components that took points off (each with the words a manager reads) and one
sentence that explains it ("no meeting in 41 days; agreed every 2 weeks").

The rules, in one place:
- Each component takes points off 100; the score is what is left (never below 0).
- More activity never lowers the score: a meeting held more recently, more meetings, more
  recent activity, goals set or further along, fewer journey steps overdue, fewer unanswered
  nudges each take off the same number of points or fewer (tests/test_scoring.py proves it with
  hypothesis). What people *answer* (check-in ratings, survey answers) is not activity: a low
  rating may lower the score, and that is the point of asking.
- The same inputs give the same score: `now` is not read here, the gatherer turns times into
  ages in days first. Managers see activity by the week, never the day (docs/architecture.md,
  "Aggregates shown to managers"), so the gatherer hands over the last activity and the last
  meeting as whole weeks between week starts; the words then say "no meeting in 6 weeks".
- Buckets: a proposed pair, or one active for less than `TOO_EARLY_DAYS` days without a
  pairing-fit concern, is *too early to tell*; otherwise `ON_TRACK_FROM` and above is *on
  track*, below `AT_RISK_BELOW` is *at risk*, between is *needs a check-in*. A paused pair
  *needs a check-in* (someone should hear how the pause goes), whatever its score.
- Privacy: managers read these words. No component names who answered what or quotes a rating
  or a survey score: "check-ins lower than usual", "a pairing-fit concern was raised".
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Bucket(StrEnum):
    ON_TRACK = "on_track"
    NEEDS_CHECKIN = "needs_checkin"
    AT_RISK = "at_risk"
    TOO_EARLY = "too_early"


BUCKET_LABELS: dict[str, str] = {
    Bucket.ON_TRACK: "On track",
    Bucket.NEEDS_CHECKIN: "Needs a check-in",
    Bucket.AT_RISK: "At risk",
    Bucket.TOO_EARLY: "Too early to tell",
}

# Worst first: the order of lists and filters.
BUCKET_ORDER: tuple[Bucket, ...] = (
    Bucket.AT_RISK,
    Bucket.NEEDS_CHECKIN,
    Bucket.ON_TRACK,
    Bucket.TOO_EARLY,
)

ON_TRACK_FROM = 75
AT_RISK_BELOW = 50
TOO_EARLY_DAYS = 21

CADENCE_DAYS: dict[str, int] = {"weekly": 7, "fortnightly": 14, "monthly": 30}
CADENCE_WORDS: dict[str, str] = {
    "weekly": "every week",
    "fortnightly": "every 2 weeks",
    "monthly": "every month",
}

# A gap of up to this many agreed intervals costs nothing (a holiday, a rescheduled meeting).
CADENCE_SLACK = 1.25
CADENCE_POINTS_PER_INTERVAL = 25
CADENCE_MAX = 60
QUIET_FREE_DAYS = 14
QUIET_MAX = 50
LOW_CHECKIN_MEAN = 3.0  # on the 1-5 usefulness scale
LOW_CHECKIN_MIN_COUNT = 2
LOW_CHECKIN_POINTS = 10
NO_GOAL_AFTER_DAYS = 30
NO_GOAL_POINTS = 10
STALLED_GOALS_AFTER_DAYS = 60
STALLED_GOALS_BELOW = 10  # % progress
STALLED_GOALS_POINTS = 5
STEP_POINTS = 5
STEPS_MAX = 15
FIT_CONCERN_POINTS = 30
LOW_PULSE_POINTS = 10
NUDGE_POINTS = 5
NUDGES_MAX = 15


@dataclass(frozen=True)
class HealthInputs:
    """What Tandem knows about one open relationship, as plain numbers (ages in whole days)."""

    status: str  # "proposed", "active" or "paused"
    cadence: str  # "weekly", "fortnightly" or "monthly" (the agreement's, else the programme's)
    days_active: int | None  # since activation; None while proposed
    meetings_held: int = 0
    days_since_meeting: int | None = None  # since the last held meeting; None: never held
    days_since_activity: int | None = None  # since the last timeline event; None: none yet
    checkin_count: int = 0  # check-ins in the recent window
    checkin_mean: float | None = None  # their mean usefulness (1-5); never shown
    goals_set: int = 0  # active or achieved goals
    goal_progress: int | None = None  # mean progress of those goals, %
    steps_overdue: int = 0  # journey steps past their date (and a grace week), not done
    fit_concern: bool = False  # someone's latest pairing-fit answer is "not a good fit"
    pulse_low: bool = False  # someone's latest pulse progress rating is low
    nudges_unanswered: int = 0  # nudges to the pair with no activity since


@dataclass(frozen=True)
class Component:
    """One reason the score is what it is: a key, the points it took off, the words."""

    key: str
    points: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "points": self.points, "text": self.text}


@dataclass(frozen=True)
class HealthScore:
    score: int
    bucket: Bucket
    sentence: str
    components: tuple[Component, ...] = field(default_factory=tuple)


def _days(days: int) -> str:
    """A span in words: whole weeks as weeks (what the gatherer hands over for activity and
    meetings, which managers see by the week), anything else in days."""
    if days >= 7 and days % 7 == 0:
        weeks = days // 7
        return "1 week" if weeks == 1 else f"{weeks} weeks"
    return "1 day" if days == 1 else f"{days} days"


def _cadence(inputs: HealthInputs) -> Component | None:
    interval = CADENCE_DAYS.get(inputs.cadence, CADENCE_DAYS["monthly"])
    if inputs.days_since_meeting is not None:
        gap = inputs.days_since_meeting
        words = f"no meeting in {_days(gap)}"
    elif inputs.days_active is not None:
        gap = inputs.days_active
        words = f"no meeting held in {_days(gap)} since the start"
    else:
        return None
    over = gap / interval - CADENCE_SLACK
    if over <= 0:
        return None
    points = min(CADENCE_MAX, max(1, round(over * CADENCE_POINTS_PER_INTERVAL)))
    agreed = CADENCE_WORDS.get(inputs.cadence, inputs.cadence)
    return Component("cadence", points, f"{words}; agreed {agreed}")


def _quiet(inputs: HealthInputs) -> Component | None:
    days = inputs.days_since_activity
    if days is None:
        days = inputs.days_active
    if days is None or days <= QUIET_FREE_DAYS:
        return None
    # 1.25 points a day past the free fortnight: six weeks of silence alone is 35 points.
    points = min(QUIET_MAX, (days - QUIET_FREE_DAYS) * 5 // 4)
    if points <= 0:
        return None
    return Component("quiet", points, f"nothing on the timeline for {_days(days)}")


def _checkins(inputs: HealthInputs) -> Component | None:
    if (
        inputs.checkin_mean is None
        or inputs.checkin_count < LOW_CHECKIN_MIN_COUNT
        or inputs.checkin_mean >= LOW_CHECKIN_MEAN
    ):
        return None
    return Component("checkins", LOW_CHECKIN_POINTS, "check-ins lower than usual")


def _goals(inputs: HealthInputs) -> Component | None:
    days = inputs.days_active or 0
    if inputs.goals_set == 0:
        if days >= NO_GOAL_AFTER_DAYS:
            return Component("goals", NO_GOAL_POINTS, "no goal set yet")
        return None
    progress = inputs.goal_progress if inputs.goal_progress is not None else 0
    if days >= STALLED_GOALS_AFTER_DAYS and progress < STALLED_GOALS_BELOW:
        return Component("goals", STALLED_GOALS_POINTS, "goals have barely moved")
    return None


def _steps(inputs: HealthInputs) -> Component | None:
    if inputs.steps_overdue <= 0:
        return None
    points = min(STEPS_MAX, STEP_POINTS * inputs.steps_overdue)
    noun = "step" if inputs.steps_overdue == 1 else "steps"
    return Component("journey", points, f"{inputs.steps_overdue} journey {noun} overdue")


def _surveys(inputs: HealthInputs) -> list[Component]:
    found = []
    if inputs.fit_concern:
        found.append(Component("fit", FIT_CONCERN_POINTS, "a pairing-fit concern was raised"))
    if inputs.pulse_low:
        found.append(Component("pulse", LOW_PULSE_POINTS, "a pulse survey points to slow progress"))
    return found


def _nudges(inputs: HealthInputs) -> Component | None:
    if inputs.nudges_unanswered <= 0:
        return None
    points = min(NUDGES_MAX, NUDGE_POINTS * inputs.nudges_unanswered)
    noun = "reminder" if inputs.nudges_unanswered == 1 else "reminders"
    return Component("nudges", points, f"{inputs.nudges_unanswered} {noun} unanswered")


def bucket_for(*, status: str, days_active: int | None, fit_concern: bool, score: int) -> Bucket:
    """The bucket of a score (the thresholds in the module's docstring)."""
    if status == "proposed" or days_active is None:
        return Bucket.TOO_EARLY
    if status == "paused":
        return Bucket.NEEDS_CHECKIN
    if days_active < TOO_EARLY_DAYS and not fit_concern:
        return Bucket.TOO_EARLY
    if score >= ON_TRACK_FROM:
        return Bucket.ON_TRACK
    if score < AT_RISK_BELOW:
        return Bucket.AT_RISK
    return Bucket.NEEDS_CHECKIN


def score(inputs: HealthInputs) -> HealthScore:
    """The health of one relationship from its inputs (deterministic, no clock)."""
    if inputs.status == "proposed" or inputs.days_active is None:
        return HealthScore(100, Bucket.TOO_EARLY, "not started yet")
    found = [
        component
        for component in (
            _cadence(inputs),
            _quiet(inputs),
            _checkins(inputs),
            _goals(inputs),
            _steps(inputs),
            *_surveys(inputs),
            _nudges(inputs),
        )
        if component is not None
    ]
    # Biggest first; ties in a fixed order, so the sentence never depends on anything else.
    found.sort(key=lambda component: (-component.points, component.key))
    value = max(0, 100 - sum(component.points for component in found))
    bucket = bucket_for(
        status=inputs.status,
        days_active=inputs.days_active,
        fit_concern=inputs.fit_concern,
        score=value,
    )
    if inputs.status == "paused":
        sentence = "paused"
        if found:
            sentence += "; " + "; ".join(component.text for component in found[:2])
    elif bucket == Bucket.TOO_EARLY:
        sentence = f"started {_days(inputs.days_active)} ago"
    elif found:
        sentence = "; ".join(component.text for component in found[:2])
    else:
        sentence = "meeting as agreed; nothing to worry about"
    return HealthScore(value, bucket, sentence, tuple(found))
