"""Every read about surveys, scoped to the caller.

A person reads their own invitations and answers (`invitation_list_for_user`,
`response_for_invitation`); their partner never does (the invitation's guard answers only its
person). Managers read a programme's surveys and their results (`survey_results`): aggregates
through `tandem.core.aggregates` only — closed monthly cohorts of at least the organisation's
minimum group of people (`accounts.selectors.aggregate_min_group`), means rounded, free text
without names and only when its cohort is published, in alphabetical order (never the order
it arrived in).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tandem.accounts.models import User
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.aggregates import Contribution, min_group_size, period_of, publish, rounded_mean
from tandem.programs.models import Program
from tandem.surveys.definition import NOT_A_GOOD_FIT, PAIRING_FIT_CHOICES, nps_group, questions_of
from tandem.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveyVersion,
)

# An invitation counts as answered for the response rate when it was answered within this
# long. Its contribution belongs to the month the window ends in: by then it is final, so a
# late answer never changes a published rate (docs/decisions/0004).
RESPONSE_WINDOW = datetime.timedelta(days=30)


def invitation_list_for_user(*, user: User) -> QuerySet[SurveyInvitation]:
    """The person's own invitations, newest first, with whether each is answered."""
    return (
        SurveyInvitation.objects.filter(
            user_id=user.pk or 0, relationship__program__organization_id=user.organization_id or 0
        )
        .select_related("survey__program")
        .annotate(is_answered=Exists(SurveyResponse.objects.filter(invitation=OuterRef("pk"))))
        .order_by("-created_at", "-id")
    )


def response_for_invitation(*, invitation: SurveyInvitation) -> SurveyResponse | None:
    """The guarded invitation's response with its answers, or None while unanswered."""
    return SurveyResponse.objects.filter(invitation=invitation).prefetch_related("answers").first()


def survey_list_for_program(*, program: Program) -> list[tuple[Survey, SurveyVersion | None]]:
    """The programme's surveys (the caller passed the programme's guard), each with its
    current version (two queries)."""
    surveys = list(Survey.objects.filter(program=program).order_by("id"))
    latest: dict[int, SurveyVersion] = {}
    for version in SurveyVersion.objects.filter(survey__program=program).order_by("number"):
        latest[version.survey_id] = version
    return [(survey, latest.get(survey.pk)) for survey in surveys]


def survey_current_version(*, survey: Survey) -> SurveyVersion | None:
    return survey.versions.order_by("-number").first()


@dataclass(frozen=True)
class QuestionResult:
    key: str
    type: str
    text: str
    people: int  # distinct people in the published answers (0 while withheld)
    mean: float | None = None  # rating, nps
    nps: int | None = None  # promoters % minus detractors % (nps)
    counts: dict[str, int] = field(default_factory=dict)  # choices, pairing fit
    texts: list[str] = field(default_factory=list)  # free text, no names, sorted


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    min_group: int
    invited_people: int  # in the published rate's cohorts (0 while withheld)
    response_rate: float | None  # percent, rounded
    published_through: datetime.date | None
    questions: list[QuestionResult]


def _nps(values: list[int]) -> int | None:
    if not values:
        return None
    groups = Counter(nps_group(value) for value in values)
    return round(100 * (groups["promoters"] - groups["detractors"]) / len(values))


def survey_results(
    *, survey: Survey, now: datetime.datetime | None = None, min_group: int | None = None
) -> SurveyResults:
    """The survey's results as a manager may see them (the caller passed `survey_access`):
    every number through the aggregate rule, per question over all versions that asked it
    (same key and type). Three queries whatever the number of answers."""
    group = (
        aggregate_min_group(survey.program.organization)
        if min_group is None
        else min_group_size(min_group)
    )
    invitations = SurveyInvitation.objects.filter(survey=survey).values_list(
        "user_id", "created_at", "response__submitted_at"
    )
    rate = publish(
        [
            Contribution(
                member=user_id,
                period=period_of(created_at + RESPONSE_WINDOW),
                value=submitted_at is not None and submitted_at <= created_at + RESPONSE_WINDOW,
            )
            for user_id, created_at, submitted_at in invitations
        ],
        min_group=group,
        now=now,
    )
    answered = rate.values
    response_rate = (
        rounded_mean([100.0 if value else 0.0 for value in answered]) if answered else None
    )

    current = survey_current_version(survey=survey)
    questions = questions_of(current.definition) if current else []
    rows = SurveyAnswer.objects.filter(response__invitation__survey=survey).values_list(
        "question_key",
        "question_type",
        "number",
        "choices",
        "text",
        "response__invitation__user_id",
        "response__submitted_at",
    )
    by_key: dict[tuple[str, str], list[Contribution[Any]]] = {}
    for key, kind, number, choices, text, user_id, submitted_at in rows:
        value = (
            number if kind in ("rating", "nps") else (text if kind == "text" else tuple(choices))
        )
        by_key.setdefault((key, kind), []).append(
            Contribution(member=user_id, period=period_of(submitted_at), value=value)
        )
    results = []
    published_through = rate.published_through
    for question in questions:
        key, kind = question["key"], question["type"]
        publication = publish(by_key.get((key, kind), []), min_group=group, now=now)
        values = publication.values
        if publication.published_through and (
            published_through is None or publication.published_through > published_through
        ):
            published_through = publication.published_through
        result = QuestionResult(
            key=key, type=kind, text=question["text"], people=publication.people
        )
        if kind in ("rating", "nps"):
            result = QuestionResult(
                **{
                    **result.__dict__,
                    "mean": rounded_mean(values),
                    "nps": _nps(values) if kind == "nps" else None,
                }
            )
        elif kind == "text":
            result = QuestionResult(**{**result.__dict__, "texts": sorted(values)})
        else:
            options = list(PAIRING_FIT_CHOICES) if kind == "pairing_fit" else question["choices"]
            tally = Counter(choice for chosen in values for choice in chosen)
            counts = {option: tally.get(option, 0) for option in options} if values else {}
            result = QuestionResult(**{**result.__dict__, "counts": counts})
        results.append(result)
    return SurveyResults(
        survey=survey,
        min_group=group,
        invited_people=rate.people,
        response_rate=response_rate,
        published_through=published_through,
        questions=results,
    )


def survey_version_is_answered(*, version: SurveyVersion | None) -> bool:
    """Whether someone answered `version` (an edit of its questions then makes a new one)."""
    return version is not None and version.responses.exists()


# --- relationship health: signals, never answers ----------------------------------------------

PULSE_PROGRESS_KEY = "progress"
LOW_PULSE_RATING = 2  # at or below, on the 1-5 scale


def survey_concerns_by_relationship(
    *, relationships: QuerySet[Any, Any]
) -> dict[int, tuple[bool, bool]]:
    """For relationship health, per relationship: (fit concern, low pulse) — whether someone's
    latest pairing-fit answer is "not a good fit", and whether someone's latest pulse progress
    rating is low. Booleans only: health shows managers coarse words, never who answered what
    or the number. `relationships` is a queryset (a subquery, whatever its size); relationships
    without either answer are left out. One query."""
    rows = (
        SurveyAnswer.objects.filter(
            response__invitation__relationship__in=relationships.values("pk"),
            question_type__in=("pairing_fit", "rating"),
        )
        .filter(
            Q(question_type="pairing_fit")
            | Q(
                response__invitation__survey__kind=SurveyKind.PULSE,
                question_key=PULSE_PROGRESS_KEY,
            )
        )
        .order_by("response__submitted_at", "pk")
        .values_list(
            "response__invitation__relationship_id",
            "response__invitation__user_id",
            "question_type",
            "choices",
            "number",
        )
    )
    latest: dict[tuple[int, int, str], bool] = {}
    for relationship_id, user_id, question_type, choices, number in rows:
        if question_type == "pairing_fit":
            latest[(relationship_id, user_id, "fit")] = choices == [NOT_A_GOOD_FIT]
        else:
            latest[(relationship_id, user_id, "pulse")] = (
                number is not None and number <= LOW_PULSE_RATING
            )
    found: dict[int, tuple[bool, bool]] = {}
    for (relationship_id, _user_id, kind), raised in latest.items():
        if not raised:
            continue
        fit, pulse = found.get(relationship_id, (False, False))
        found[relationship_id] = (fit or kind == "fit", pulse or kind == "pulse")
    return found
