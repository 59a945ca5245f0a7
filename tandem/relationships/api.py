"""Relationships over HTTP: thin — guard, then a service or selector, then a schema."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from tandem.accounts.api_auth import caller
from tandem.accounts.names import display_name
from tandem.core.aggregates import week_of
from tandem.core.params import Id
from tandem.relationships import selectors, services
from tandem.relationships.lifecycle import actions_from
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import relationship_access
from tandem.relationships.schemas import RelationshipOut, TransitionIn

router = Router(tags=["relationships"])


def _person(participant: Any) -> dict[str, Any]:
    user = participant.user
    return {"user_id": user.pk, "name": display_name(user), "email": user.email}


def _last_activity(relationship: Relationship, side: str) -> datetime.datetime | None:
    """The pair see when they last acted; a manager sees the start of that week only (a
    timestamp next to an aggregate that just moved says who acted: decision record 0004)."""
    moment = relationship.last_activity_at
    if side in ("mentor", "mentee") or moment is None:
        return moment
    week = week_of(moment)
    return timezone.make_aware(datetime.datetime.combine(week, datetime.time.min))


def relationship_out(relationship: Relationship, side: str) -> dict[str, Any]:
    return {
        "id": relationship.pk,
        "program_id": relationship.program_id,
        "program_name": relationship.program.name,
        "status": relationship.status,
        "source": relationship.source,
        "mentor": _person(relationship.mentor),
        "mentee": _person(relationship.mentee),
        "circle_id": relationship.circle_id,
        "started_on": relationship.started_on,
        "planned_end_on": relationship.planned_end_on,
        "last_activity_at": _last_activity(relationship, side),
        "closed_at": relationship.closed_at,
        "close_reason": relationship.close_reason,
        "wants_new_match": relationship.wants_new_match,
        "my_side": side,
        "actions": [t.action for t in actions_from(relationship.status)],
    }


@router.get("/me/relationships", response=list[RelationshipOut], summary="My relationships")
def my_relationships(request: HttpRequest) -> object:
    actor = caller(request)
    return [
        relationship_out(r, "mentor" if r.mentor.user_id == actor.pk else "mentee")
        for r in selectors.relationship_list_for_user_api(actor=actor)
    ]


@router.get(
    "/relationships/{relationship_id}", response=RelationshipOut, summary="One relationship"
)
def relationship_detail(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(
        actor=caller(request), relationship_id=relationship_id, allow_manager=True
    )
    return relationship_out(access.relationship, access.side)


def _transition(request: HttpRequest, relationship_id: Id, action: str, payload: TransitionIn):
    actor = caller(request)
    services.relationship_transition(
        actor=actor,
        relationship_id=relationship_id,
        action=action,
        reason=payload.reason,
        find_new_match=payload.find_new_match,
    )
    access = relationship_access(actor=actor, relationship_id=relationship_id, allow_manager=True)
    return relationship_out(access.relationship, access.side)


@router.post(
    "/relationships/{relationship_id}/start",
    response=RelationshipOut,
    summary="Start (proposed → active)",
)
def relationship_start(request: HttpRequest, relationship_id: Id, payload: TransitionIn) -> object:
    return _transition(request, relationship_id, "start", payload)


@router.post(
    "/relationships/{relationship_id}/pause",
    response=RelationshipOut,
    summary="Pause (active → paused)",
)
def relationship_pause(request: HttpRequest, relationship_id: Id, payload: TransitionIn) -> object:
    return _transition(request, relationship_id, "pause", payload)


@router.post(
    "/relationships/{relationship_id}/resume",
    response=RelationshipOut,
    summary="Resume (paused → active)",
)
def relationship_resume(request: HttpRequest, relationship_id: Id, payload: TransitionIn) -> object:
    return _transition(request, relationship_id, "resume", payload)


@router.post(
    "/relationships/{relationship_id}/complete", response=RelationshipOut, summary="Complete"
)
def relationship_complete(
    request: HttpRequest, relationship_id: Id, payload: TransitionIn
) -> object:
    return _transition(request, relationship_id, "complete", payload)


@router.post(
    "/relationships/{relationship_id}/end",
    response=RelationshipOut,
    summary="End early (with a reason; optionally return the mentee to matching)",
)
def relationship_end(request: HttpRequest, relationship_id: Id, payload: TransitionIn) -> object:
    return _transition(request, relationship_id, "end", payload)
