"""Every write about relationships. Matching (bulk publish, accepted requests) and managers'
manual pairing all open relationships through `relationship_propose`, so the capacity rule
lives in one place: the database's CHECK on Participant.matched_count."""

import calendar
import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.languages import language_for
from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.transactions import atomic_with_retry, lock_rows
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.relationships.lifecycle import LIFECYCLE, TRANSITIONS
from tandem.relationships.models import (
    Circle,
    Relationship,
    RelationshipEvent,
    RelationshipEventKind,
    RelationshipSource,
)
from tandem.relationships.permissions import relationship_access
from tandem.webhooks.events import ProgramRef, RelationshipData
from tandem.webhooks.services import webhook_emit


def circle_create(*, program_id: int, mentor: Participant, topic: str) -> Circle:
    """Open a group circle led by `mentor`; relationships join it through `relationship_propose`.
    The caller checks who may do this."""
    if mentor.program_id != program_id or mentor.role != ParticipantRole.MENTOR:
        raise InvalidInput(_("A circle is led by a mentor of the same programme."))
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
        raise InvalidInput.for_field(
            "source", _("'%(source)s' is not a relationship source.") % {"source": source}
        )
    if (
        mentor.program_id != mentee.program_id
        or mentor.role != ParticipantRole.MENTOR
        or mentee.role != ParticipantRole.MENTEE
    ):
        raise InvalidInput(_("A relationship needs a mentor and a mentee of the same programme."))
    if (
        ParticipantStatus.ACTIVE not in (mentor.status,)
        or mentee.status != ParticipantStatus.ACTIVE
    ):
        raise Conflict(_("Both people must be enrolled in the programme to be matched."))
    # The lock order (docs/architecture.md): the two people in ascending id, before either
    # place is taken. A caller that already holds them (an accept, a publish) waits for
    # nothing here; one that does not still never takes them mentor-first against someone
    # else's mentee-first.
    lock_rows(Participant, [mentor.pk, mentee.pk])
    try:
        with transaction.atomic():
            _take_place(mentor)
    except IntegrityError as exc:
        raise Conflict(
            _("%(mentor)s has no mentee places left in this programme.") % {"mentor": mentor.user}
        ) from exc
    try:
        with transaction.atomic():
            _take_place(mentee)
    except IntegrityError as exc:
        raise Conflict(
            _("%(mentee)s already has a mentor in this programme.") % {"mentee": mentee.user}
        ) from exc
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
        raise Conflict(
            _("%(mentor)s and %(mentee)s are already paired.")
            % {"mentor": mentor.user, "mentee": mentee.user}
        ) from exc
    return relationship


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved on by whole months, clamped to the month's last day (31 Jan + 1 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _release_place(participant_id: int) -> None:
    Participant.objects.filter(pk=participant_id, matched_count__gt=0).update(
        matched_count=F("matched_count") - 1
    )


# The lifecycle actions that are webhook events ("resume" is not one).
_WEBHOOK_EVENTS = {
    "start": "relationship.started",
    "pause": "relationship.paused",
    "complete": "relationship.ended",
    "end": "relationship.ended",
}


def _tell_webhooks(relationship: Relationship, action: str, at: datetime.datetime) -> None:
    """The relationship's webhook event, in the transition's transaction: ids, status and
    time only (never the reason, which is the pair's)."""
    event_type = _WEBHOOK_EVENTS.get(action)
    if event_type is None:
        return
    program = relationship.program
    webhook_emit(
        organization_id=program.organization_id,
        event_type=event_type,
        data=lambda: RelationshipData(
            relationship_id=relationship.pk,
            program=ProgramRef(id=program.pk, name=program.name),
            mentor_person_id=relationship.mentor.user_id,
            mentee_person_id=relationship.mentee.user_id,
            status=relationship.status,
            outcome={"complete": "completed", "end": "ended_early"}.get(action),
            changed_at=at,
        ),
    )


@atomic_with_retry
def relationship_transition(
    *,
    actor: User,
    relationship_id: int,
    action: str,
    reason: str = "",
    find_new_match: bool = False,
    tell_partner: bool = True,
) -> Relationship:
    """Apply one lifecycle action (start, pause, resume, complete, end) to a relationship.

    Either person of the pair, the programme's managers and organisation admins may do it.
    The table in `lifecycle.py` decides what is allowed: anything else is a Conflict that says
    what the relationship's status is and what can be done from it. Starting fixes the start
    and the planned end (the programme's duration). Completing or ending frees the mentor's
    place; ending with `find_new_match` also frees the mentee's, which returns them to
    matching. The other person is told, unless the caller tells them itself
    (`tell_partner=False`: an accepted request starts the pair inside its own announcement).
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput.for_field(
            "action",
            _("'%(action)s' is not an action; use one of %(actions)s.")
            % {"action": action, "actions": ", ".join(TRANSITIONS)},
        )
    seen = relationship_access(actor=actor, relationship_id=relationship_id, allow_manager=True)
    # The lock order (docs/architecture.md): the two people, whose places a closing frees,
    # then the relationship. Locking the relationship first would take the two kinds of row
    # the other way round from every other path that holds a person and a relationship.
    lock_rows(Participant, [seen.relationship.mentor_id, seen.relationship.mentee_id])
    access = relationship_access(
        actor=actor, relationship_id=relationship_id, allow_manager=True, for_update=True
    )
    relationship = access.relationship
    move = LIFECYCLE.apply(relationship.status, action, subject=_("This relationship"))
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise InvalidInput(
            _("Say why the relationship is ending."),
            errors=[FieldError("reason", _("Say why the relationship is ending."))],
        )
    if find_new_match and action != "end":
        raise InvalidInput.for_field(
            "find_new_match", _("Only ending early can ask for a new match.")
        )
    now = timezone.now()
    fields = ["status", "updated_at", "last_activity_at"]
    if action == "start":
        today = timezone.localdate()
        if relationship.started_on is None or relationship.started_on > today:
            relationship.started_on = today
        relationship.planned_end_on = add_months(
            relationship.started_on, relationship.program.duration_months
        )
        relationship.activated_at = now
        fields += ["started_on", "planned_end_on", "activated_at"]
    elif action == "pause":
        relationship.paused_at = now
        fields.append("paused_at")
    elif action == "resume":
        relationship.paused_at = None
        fields.append("paused_at")
    if transition.closes:
        relationship.closed_at = now
        relationship.closed_by = actor
        relationship.close_reason = reason
        relationship.wants_new_match = find_new_match
        fields += ["closed_at", "closed_by", "close_reason", "wants_new_match"]
        _release_place(relationship.mentor_id)
        if find_new_match:
            _release_place(relationship.mentee_id)
    elif reason:
        relationship.close_reason = reason
        fields.append("close_reason")
    relationship.status = move.target
    relationship.last_activity_at = now
    relationship.save(update_fields=fields)
    _tell_webhooks(relationship, action, now)
    if transition.closes:
        # The reason is the people's own words: the trail keeps only that it ended, and how.
        audit_record(
            actor=actor,
            event=audit_events.RELATIONSHIP_ENDED
            if action == "end"
            else audit_events.RELATIONSHIP_COMPLETED,
            organization_id=relationship.program.organization_id,
            target=relationship,
            data={"action": action, "find_new_match": find_new_match},
        )
    summary = f"{display_name(actor)} {transition.done}"
    RelationshipEvent.objects.create(
        relationship=relationship,
        actor=actor,
        kind=RelationshipEventKind.STATUS_CHANGED,
        summary=summary[:300],
        created_at=now,
    )
    others = [
        person
        for person in (relationship.mentor.user, relationship.mentee.user)
        if person.pk != actor.pk and tell_partner
    ]
    # Each person is told in their own language: one message per language among them.
    for language in dict.fromkeys(language_for(person) for person in others):
        with translation.override(language):
            status_text = relationship.get_status_display().lower()
            body = _("%(actor)s changed your relationship in %(program)s to %(status)s.") % {
                "actor": display_name(actor),
                "program": relationship.program.name,
                "status": status_text,
            }
            if reason:
                body += "\n\n" + _("Reason: %(reason)s") % {"reason": reason}
            notification_send(
                recipients=[person for person in others if language_for(person) == language],
                category=NotificationCategory.RELATIONSHIP,
                subject=_("Your mentoring relationship is now %(status)s")
                % {"status": status_text},
                body=body,
                url=reverse("workspace:detail", args=[relationship.pk]),
            )
    return relationship


def relationship_record_activity(
    *,
    relationship: Relationship,
    actor: User | None,
    kind: str,
    summary: str,
) -> RelationshipEvent:
    """Note on the pair's timeline that something happened, and move the relationship's
    last-activity time on. Call it inside the service's transaction. `summary` is shown to
    both people: never put private text (notes, journal, messages, feedback) in it."""
    if kind not in RelationshipEventKind.values:
        raise InvalidInput.for_field(
            "kind", _("'%(kind)s' is not an activity kind.") % {"kind": kind}
        )
    now = timezone.now()
    Relationship.objects.filter(
        Q(last_activity_at__lt=now) | Q(last_activity_at__isnull=True), pk=relationship.pk
    ).update(last_activity_at=now)
    relationship.last_activity_at = now
    return RelationshipEvent.objects.create(
        relationship=relationship, actor=actor, kind=kind, summary=summary[:300], created_at=now
    )
