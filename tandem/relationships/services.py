"""Every write about relationships. Matching (bulk publish, accepted requests) and managers'
manual pairing all open relationships through `relationship_propose`, so the capacity rule
lives in one place: the database's CHECK on Participant.matched_count."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from tandem.core.errors import Conflict, InvalidInput
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.relationships.models import Circle, Relationship, RelationshipSource


def circle_create(*, program_id: int, mentor: Participant, topic: str) -> Circle:
    """Open a group circle led by `mentor`; relationships join it through `relationship_propose`.
    The caller checks who may do this."""
    if mentor.program_id != program_id or mentor.role != ParticipantRole.MENTOR:
        raise InvalidInput("A circle is led by a mentor of the same programme.")
    return Circle.objects.create(program_id=program_id, mentor=mentor, topic=topic.strip()[:200])


def _take_place(participant: Participant) -> None:
    # One UPDATE, checked by the database: concurrent takers cannot both squeeze into the
    # last place, whatever they read before.
    Participant.objects.filter(pk=participant.pk).update(matched_count=F("matched_count") + 1)


@transaction.atomic
def relationship_propose(
    *,
    mentor: Participant,
    mentee: Participant,
    source: str,
    score: float | None = None,
    explanation: dict[str, Any] | None = None,
    circle: Circle | None = None,
    planned_start: datetime.date | None = None,
) -> Relationship:
    """Open a proposed relationship between a mentor and a mentee of the same programme.

    Takes one of the mentor's places and the mentee's one place. Raises Conflict (nothing
    written) when the mentor has no place left, the mentee already has a mentor, or the pair
    is already open; InvalidInput when the two are not a mentor and a mentee of one programme.
    The caller checks who may do this.
    """
    if source not in RelationshipSource.values:
        raise InvalidInput.for_field("source", f"'{source}' is not a relationship source.")
    if (
        mentor.program_id != mentee.program_id
        or mentor.role != ParticipantRole.MENTOR
        or mentee.role != ParticipantRole.MENTEE
    ):
        raise InvalidInput("A relationship needs a mentor and a mentee of the same programme.")
    if (
        ParticipantStatus.ACTIVE not in (mentor.status,)
        or mentee.status != ParticipantStatus.ACTIVE
    ):
        raise Conflict("Both people must be enrolled in the programme to be matched.")
    try:
        with transaction.atomic():
            _take_place(mentor)
    except IntegrityError as exc:
        raise Conflict(f"{mentor.user} has no mentee places left in this programme.") from exc
    try:
        with transaction.atomic():
            _take_place(mentee)
    except IntegrityError as exc:
        raise Conflict(f"{mentee.user} already has a mentor in this programme.") from exc
    try:
        with transaction.atomic():
            relationship = Relationship.objects.create(
                program_id=mentor.program_id,
                mentor=mentor,
                mentee=mentee,
                circle=circle,
                source=source,
                match_score=score,
                match_explanation=explanation or {},
                started_on=planned_start,
            )
    except IntegrityError as exc:
        raise Conflict(f"{mentor.user} and {mentee.user} are already paired.") from exc
    return relationship
