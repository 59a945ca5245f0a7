"""A year of a programme's life on top of `bench.nudges.build`'s organisation, for the analytics
benchmark: written with bulk_create, not through the services (as `bench.nudges` explains).

Per pair, from its start to now: a held meeting every 2 to 5 weeks with check-ins from one or
both people, two action items (60 % done), three messages, the goal achieved for 30 %, self-
assessments at the start (and at the end for a closed pair), answers to the pulse and NPS
surveys for about half; 15 % of the older pairs completed and 7 % ended early; profiles with a
department, a location, a seniority and a hire date for everyone; 5 % more mentees still
waiting for a match.
"""

import datetime
import random
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import models

BATCH = 5000
DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Finance",
    "Operations",
    "Marketing",
    "People",
    "Legal",
    "Support",
    "Product",
    "Data",
    "Design",
    "Security",
)
LOCATIONS = ("London", "Leeds", "Dublin", "Berlin", "Madrid", "Toronto", "Austin", "Singapore")

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def _chunks(rows: Iterable[T]) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(model: type[M], rows: Iterable[M]) -> int:
    """bulk_create in batches without keeping the rows (a million objects would not fit twice)."""
    written = 0
    for chunk in _chunks(rows):
        model.objects.bulk_create(chunk, batch_size=BATCH)
        written += len(chunk)
    return written


def build_history(seed: int, now: datetime.datetime) -> dict[str, int]:
    """Add the year of activity to every pair `bench.nudges.build` wrote; returns row counts."""
    from tandem.accounts.models import User
    from tandem.actions.models import ActionItem, ActionItemStatus
    from tandem.assessments.models import Competency, Moment, Rating, SelfAssessment
    from tandem.conversations.models import Message
    from tandem.goals.models import Goal, GoalStatus
    from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
    from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
    from tandem.people.models import Profile, Seniority
    from tandem.programs.models import Program
    from tandem.relationships.models import Relationship, RelationshipStatus
    from tandem.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
    from tandem.surveys.services import surveys_add_defaults

    rng = random.Random(seed + 1)
    counts: dict[str, int] = {}
    users = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", "email"))
    seniorities = [value for value, _ in Seniority.choices]
    counts["profiles"] = _write(
        Profile,
        (
            Profile(
                user_id=pk,
                department=rng.choice(DEPARTMENTS),
                location=rng.choice(LOCATIONS),
                seniority=rng.choice(seniorities),
                hire_date=(now - datetime.timedelta(days=rng.uniform(60, 3650))).date(),
            )
            for pk, _ in users
        ),
    )

    pairs: list[dict[str, Any]] = list(
        Relationship.objects.values(
            "pk", "program_id", "activated_at", "mentor__user_id", "mentee__user_id"
        ).order_by("pk")
    )
    # Close some of the older pairs: completed at their planned end, or ended early.
    completed, ended = [], []
    for pair in pairs:
        age = (now - pair["activated_at"]).days
        draw = rng.random()
        if age > 200 and draw < 0.15:
            pair["closed_at"] = pair["activated_at"] + datetime.timedelta(
                days=rng.uniform(180, age)
            )
            completed.append(pair)
        elif age > 60 and draw > 0.93:
            pair["closed_at"] = pair["activated_at"] + datetime.timedelta(days=rng.uniform(30, age))
            ended.append(pair)
    for status, group in (
        (RelationshipStatus.COMPLETED, completed),
        (RelationshipStatus.ENDED, ended),
    ):
        rows = Relationship.objects.in_bulk([pair["pk"] for pair in group])
        for pair in group:
            row = rows[pair["pk"]]
            row.status = status
            row.closed_at = pair["closed_at"]
            row.last_activity_at = pair["closed_at"]
            row.close_reason = (
                "Finished" if status == RelationshipStatus.COMPLETED else "Moved role"
            )
        Relationship.objects.bulk_update(
            list(rows.values()), ["status", "closed_at", "last_activity_at", "close_reason"], BATCH
        )
    counts["completed"], counts["ended"] = len(completed), len(ended)

    def span(pair: dict[str, Any]) -> tuple[datetime.datetime, datetime.datetime]:
        return pair["activated_at"], pair.get("closed_at") or now

    meetings: list[tuple[int, int, int, datetime.datetime]] = []  # pair, mentor, mentee, held

    def meeting_rows() -> Iterator[Meeting]:
        for pair in pairs:
            start, end = span(pair)
            moment = start + datetime.timedelta(days=rng.uniform(3, 21))
            # The pair's last meeting (bench.nudges wrote one in the last 60 days) stays the last.
            end -= datetime.timedelta(days=60)
            while moment < end:
                meetings.append(
                    (pair["pk"], pair["mentor__user_id"], pair["mentee__user_id"], moment)
                )
                yield Meeting(
                    relationship_id=pair["pk"],
                    title="Mentoring conversation",
                    starts_at=moment - datetime.timedelta(hours=1),
                    timezone="Europe/London",
                    status=MeetingStatus.HELD,
                    held_at=moment,
                )
                moment += datetime.timedelta(days=rng.uniform(14, 35))

    counts["meetings"] = _write(Meeting, meeting_rows())
    held_ids = list(
        Meeting.objects.filter(status=MeetingStatus.HELD)
        .order_by("relationship_id", "held_at")
        .values_list("pk", "relationship_id", "held_at")
    )

    def checkin_rows() -> Iterator[CheckIn]:
        people = {pair["pk"]: (pair["mentor__user_id"], pair["mentee__user_id"]) for pair in pairs}
        for meeting_id, pair_id, _held in held_ids:
            for user_id in people[pair_id]:
                if rng.random() < 0.6:
                    yield CheckIn(
                        meeting_id=meeting_id,
                        user_id=user_id,
                        usefulness=rng.choices((1, 2, 3, 4, 5), (1, 2, 6, 12, 9))[0],
                    )

    counts["checkins"] = _write(CheckIn, checkin_rows())
    # Check-ins are stamped when written: move them to their meeting.
    if counts["checkins"]:
        CheckIn.objects.update(
            created_at=models.Subquery(
                Meeting.objects.filter(pk=models.OuterRef("meeting_id")).values("held_at")[:1]
            )
        )

    counts["action_items"] = _write(
        ActionItem,
        (
            ActionItem(
                relationship_id=pair["pk"],
                title="Practise the opening question",
                owner_id=pair["mentee__user_id"],
                status=ActionItemStatus.DONE if done else ActionItemStatus.OPEN,
                closed_at=span(pair)[0] + datetime.timedelta(days=rng.uniform(7, 60))
                if done
                else None,
            )
            for pair in pairs
            for done in (rng.random() < 0.6, rng.random() < 0.6)
        ),
    )
    counts["messages"] = _write(
        Message,
        (
            Message(
                relationship_id=pair["pk"],
                author_id=pair["mentor__user_id" if index % 2 else "mentee__user_id"],
                body="See you next week.",
                created_at=span(pair)[0] + (span(pair)[1] - span(pair)[0]) * rng.random(),
            )
            for pair in pairs
            for index in range(3)
        ),
    )
    achieved = [pair["pk"] for pair in pairs if rng.random() < 0.3]
    Goal.objects.filter(relationship_id__in=achieved).update(
        status=GoalStatus.ACHIEVED, achieved_at=now - datetime.timedelta(days=7)
    )
    counts["goals_achieved"] = len(achieved)

    # Self-assessments: every pair's mentee at the start, and at the end once closed.
    competencies = list(
        Competency.objects.filter(organization__isnull=True).values_list("pk", flat=True)
    )
    assessments: list[SelfAssessment] = []
    for pair in pairs:
        start, end = span(pair)
        assessments.append(
            SelfAssessment(
                relationship_id=pair["pk"],
                user_id=pair["mentee__user_id"],
                moment=Moment.START,
                submitted_at=start + datetime.timedelta(days=2),
            )
        )
        if pair.get("closed_at"):
            assessments.append(
                SelfAssessment(
                    relationship_id=pair["pk"],
                    user_id=pair["mentee__user_id"],
                    moment=Moment.END,
                    submitted_at=end,
                )
            )
    for chunk in _chunks(assessments):
        written = SelfAssessment.objects.bulk_create(chunk, batch_size=BATCH)
        Rating.objects.bulk_create(
            (
                Rating(
                    assessment_id=assessment.pk,
                    competency_id=competency,
                    score=min(5, rng.randint(1, 4) + (assessment.moment == Moment.END)),
                )
                for assessment in written
                for competency in competencies
            ),
            batch_size=BATCH,
        )
    counts["self_assessments"] = len(assessments)

    # Surveys: the shipped ones, answered by about half of the people invited.
    surveys_add_defaults(program_ids=Program.objects.values_list("pk", flat=True))
    shipped = {
        (survey.program_id, survey.template_key): survey
        for survey in Survey.objects.filter(template_key__in=("pulse", "nps")).prefetch_related(
            "versions"
        )
    }
    invitations: list[tuple[SurveyInvitation, datetime.datetime, str]] = []
    for pair in pairs:
        start, end = span(pair)
        for key, offset in (("pulse", 30), ("nps", 90)):
            asked = start + datetime.timedelta(days=offset)
            if asked > end:
                continue
            survey = shipped[(pair["program_id"], key)]
            for user_id in (pair["mentor__user_id"], pair["mentee__user_id"]):
                invitations.append(
                    (
                        SurveyInvitation(
                            survey=survey,
                            version=survey.versions.all()[0],
                            relationship_id=pair["pk"],
                            user_id=user_id,
                            occasion=f"after_match:{offset}",
                        ),
                        asked,
                        key,
                    )
                )
    answered = 0
    for chunk in _chunks(invitations):
        written = SurveyInvitation.objects.bulk_create([row[0] for row in chunk], batch_size=BATCH)
        responses = [
            (
                SurveyResponse(
                    invitation_id=invitation.pk,
                    version_id=invitation.version_id,
                    submitted_at=asked + datetime.timedelta(days=rng.uniform(0, 5)),
                ),
                key,
            )
            for invitation, (_, asked, key) in zip(written, chunk, strict=True)
            if rng.random() < 0.5
        ]
        stored = SurveyResponse.objects.bulk_create([row[0] for row in responses], batch_size=BATCH)
        SurveyAnswer.objects.bulk_create(
            (
                SurveyAnswer(
                    response_id=response.pk,
                    question_key="progress" if key == "pulse" else "recommend",
                    question_type="rating" if key == "pulse" else "nps",
                    number=rng.randint(2, 5)
                    if key == "pulse"
                    else rng.choices(range(11), range(1, 12))[0],
                )
                for response, (_, key) in zip(stored, responses, strict=True)
            ),
            batch_size=BATCH,
        )
        answered += len(stored)
    counts["survey_invitations"] = len(invitations)
    counts["survey_responses"] = answered

    # People still waiting for a match: 5 % more mentees, enrolled over the last 60 days.
    organization_id = User.objects.get(email="person0@bench.example").organization_id
    waiting_users = User.objects.bulk_create(
        (
            User(
                email=f"waiting{index}@bench.example",
                first_name="Waiting",
                last_name=str(index),
                organization_id=organization_id,
                password="!",  # noqa: S106 - unusable
            )
            for index in range(len(pairs) // 20)
        ),
        batch_size=BATCH,
    )
    program_ids = list(Program.objects.values_list("pk", flat=True))
    counts["waiting"] = _write(
        Participant,
        (
            Participant(
                program_id=program_ids[index % len(program_ids)],
                user=user,
                role=ParticipantRole.MENTEE,
                status=ParticipantStatus.ACTIVE,
                enrolled_at=now - datetime.timedelta(days=rng.uniform(1, 60)),
            )
            for index, user in enumerate(waiting_users)
        ),
    )
    return counts


def build_hr_records(seed: int, now: datetime.datetime, others: int) -> dict[str, int]:
    """`others` employees who never join a programme, and an HR record for every person of the
    organisation (hired 1 to 10 years ago, a fifth left since, promotions for a third), as an
    HR outcomes import would leave them."""
    from tandem.accounts.models import User
    from tandem.outcomes.models import EmploymentRecord, Promotion

    rng = random.Random(seed + 2)
    organization_id = User.objects.get(email="person0@bench.example").organization_id
    User.objects.bulk_create(
        (
            User(
                email=f"employee{index}@bench.example",
                first_name="Employee",
                last_name=str(index),
                organization_id=organization_id,
                password="!",  # noqa: S106 - unusable
            )
            for index in range(others)
        ),
        batch_size=BATCH,
    )
    today = now.date()
    people = list(User.objects.filter(organization_id=organization_id).values_list("pk", flat=True))
    promoted: list[tuple[int, datetime.date]] = []

    def records() -> Iterator[EmploymentRecord]:
        for user_id in people:
            hired = today - datetime.timedelta(days=rng.uniform(365, 3650))
            left = (
                today - datetime.timedelta(days=rng.uniform(1, 360)) if rng.random() < 0.2 else None
            )
            if rng.random() < 0.33:
                promoted.append((user_id, hired + datetime.timedelta(days=rng.uniform(30, 300))))
            yield EmploymentRecord(
                organization_id=organization_id,
                user_id=user_id,
                employee_id=f"E{user_id}",
                hired_on=hired,
                terminated_on=left,
                department=rng.choice(DEPARTMENTS),
                grade=f"G{rng.randint(1, 5)}",
                location=rng.choice(LOCATIONS),
            )

    counts = {"hr_records": _write(EmploymentRecord, records())}
    record_ids = dict(EmploymentRecord.objects.values_list("user_id", "pk"))
    counts["promotions"] = _write(
        Promotion,
        (Promotion(record_id=record_ids[user_id], promoted_on=day) for user_id, day in promoted),
    )
    return counts
