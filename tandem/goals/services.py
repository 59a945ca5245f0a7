"""Every write about goals. Each service takes the relationship through its guard, checks which
side of the pair may act (permissions.py explains the rules), writes the goal's history
(GoalChange) for every field it changes, records the pair's timeline event, and tells the
partner — or both people when something is celebrated."""

import datetime
from collections.abc import Callable, Iterable
from typing import Final, NamedTuple

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tandem.accounts.languages import language_for
from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.goals.models import (
    Goal,
    GoalChange,
    GoalChangeField,
    GoalComment,
    GoalStatus,
    Milestone,
    ProgressMode,
)
from tandem.goals.permissions import GoalAccess, goal_access, milestone_of, require_mentee
from tandem.goals.selectors import local_today
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.relationships.models import Relationship, RelationshipEventKind
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.services import relationship_record_activity
from tandem.webhooks.events import GoalCompletedData
from tandem.webhooks.services import webhook_emit

TITLE_MAX = 200
MEASURE_MAX = 2000
COMMENT_MAX = 4000


class _Keep:
    """'Leave this field as it is' for fields that may also be cleared (None)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()


def _goals_url(goal: Goal) -> str:
    return reverse("goals:list", args=[goal.relationship_id]) + f"#goal-{goal.pk}"


def _both(access: RelationshipAccess) -> list[User]:
    return [access.relationship.mentor.user, access.relationship.mentee.user]


def _partner(access: RelationshipAccess) -> list[User]:
    return [person for person in [access.partner] if person is not None]


def _record(access: RelationshipAccess, actor: User, kind: str, did: str) -> None:
    """Put "<actor's name> <did>" on the pair's timeline (both people see it, so `did` names
    goals and milestones by title only); it moves the relationship's last activity on."""
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=kind,
        summary=f"{display_name(actor)} {did}",
    )


def _tell(recipients: list[User], goal: Goal, message: Callable[[], tuple[str, str]]) -> None:
    """Notify `recipients` about `goal`, linking to it on the pair's goals page. `message`
    gives (subject, body); it is called in each recipient's language."""
    for language in dict.fromkeys(language_for(person) for person in recipients):
        with translation.override(language):
            subject, body = message()
            notification_send(
                recipients=[person for person in recipients if language_for(person) == language],
                category=NotificationCategory.GOALS,
                subject=subject,
                body=body,
                url=_goals_url(goal),
            )


def _history(
    goal: Goal,
    actor: User,
    changes: Iterable[tuple[str, str, str]],
    *,
    subject: str = "",
) -> list[GoalChange]:
    now = timezone.now()
    return GoalChange.objects.bulk_create(
        GoalChange(
            goal=goal,
            actor=actor,
            at=now,
            field=field,
            subject=subject[:200],
            before=before,
            after=after,
        )
        for field, before, after in changes
    )


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _text(value: object) -> str:
    """A field's value as the history keeps it (dates in ISO form)."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _clean_goal_fields(
    *,
    actor: User,
    title: str | None,
    measure: str | None,
    target_on: datetime.date | None,
    target_changed: bool,
    progress_mode: str | None,
    manual_progress: int | None,
) -> tuple[str | None, str | None]:
    """Check the fields given (None: not given); raise one InvalidInput naming each bad one."""
    errors: list[FieldError] = []
    if title is not None:
        title = title.strip()
        if not title:
            errors.append(FieldError("title", _("Say what the outcome is, in a few words.")))
        elif len(title) > TITLE_MAX:
            errors.append(
                FieldError(
                    "title",
                    _("Keep the outcome within %(max)d characters.") % {"max": TITLE_MAX},
                )
            )
    if measure is not None:
        measure = measure.strip()
        if not measure:
            errors.append(FieldError("measure", _("Say how you will know the goal is achieved.")))
        elif len(measure) > MEASURE_MAX:
            errors.append(
                FieldError(
                    "measure",
                    _("Keep the measure within %(max)d characters.") % {"max": MEASURE_MAX},
                )
            )
    if target_on is not None and target_changed:
        today = local_today(actor)
        if target_on < today:
            errors.append(
                FieldError(
                    "target_on",
                    _("The target date %(date)s is in the past; choose today or a later date.")
                    % {"date": formats.date_format(target_on, "j M Y")},
                )
            )
    if progress_mode is not None and progress_mode not in ProgressMode.values:
        errors.append(
            FieldError(
                "progress_mode",
                _("Progress is either 'derived' (from the milestones) or 'manual'."),
            )
        )
    if manual_progress is not None and not 0 <= manual_progress <= 100:
        errors.append(FieldError("manual_progress", _("Progress is a percentage from 0 to 100.")))
    if errors:
        raise InvalidInput(
            errors[0].message
            if len(errors) == 1
            else _("Some of the goal's details are not valid."),
            errors=errors,
        )
    return title, measure


def _next_order(model: type[Goal] | type[Milestone], **scope: object) -> int:
    highest = model.objects.filter(**scope).aggregate(highest=Max("order"))["highest"]
    return 0 if highest is None else highest + 1


def _require_active(goal: Goal, doing: str) -> None:
    if goal.status == GoalStatus.ACTIVE:
        return
    if goal.status == GoalStatus.SUGGESTED:
        raise Conflict(
            _("This goal is only suggested: accept it before you %(doing)s.") % {"doing": doing}
        )
    if goal.status == GoalStatus.DECLINED:
        raise Conflict(_("This suggestion was declined; it can no longer change."))
    raise Conflict(
        _("This goal is %(status)s: reopen it before you %(doing)s.")
        % {"status": goal.get_status_display().lower(), "doing": doing}
    )


# --- goals -------------------------------------------------------------------------------


@transaction.atomic
def goal_create(
    *,
    actor: User,
    relationship_id: int,
    title: str,
    measure: str,
    target_on: datetime.date,
    progress_mode: str = ProgressMode.DERIVED,
    manual_progress: int = 0,
) -> Goal:
    """The mentee sets a goal: a specific outcome, how success will be measured, a target date
    (today or later). The mentor is told; a mentor is Forbidden (they suggest instead)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    require_mentee(
        access, _("Goals belong to the mentee: as the mentor, suggest a goal for them to accept.")
    )
    access.require_open()
    clean_title, clean_measure = _clean_goal_fields(
        actor=actor,
        title=title,
        measure=measure,
        target_on=target_on,
        target_changed=True,
        progress_mode=progress_mode,
        manual_progress=manual_progress,
    )
    goal = Goal.objects.create(
        relationship=access.relationship,
        title=clean_title or "",
        measure=clean_measure or "",
        target_on=target_on,
        progress_mode=progress_mode,
        manual_progress=manual_progress,
        status=GoalStatus.ACTIVE,
        created_by=actor,
        order=_next_order(Goal, relationship=access.relationship),
    )
    _history(goal, actor, [(GoalChangeField.CREATED, "", goal.title)])
    _record(access, actor, RelationshipEventKind.GOAL_CREATED, f"set a goal: {goal.title}")
    _tell(
        _partner(access),
        goal,
        lambda: (
            _("New goal: %(title)s") % {"title": goal.title},
            _("%(actor)s set a goal: %(title)s (target %(date)s).")
            % {
                "actor": display_name(actor),
                "title": goal.title,
                "date": formats.date_format(target_on, "j M Y"),
            },
        ),
    )
    return goal


@transaction.atomic
def goal_suggest(
    *,
    actor: User,
    relationship_id: int,
    title: str,
    measure: str,
    target_on: datetime.date,
) -> Goal:
    """The mentor suggests a goal; it waits, status suggested, until the mentee accepts
    (it becomes active) or declines it. The mentee is told. A mentee just creates goals."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    if access.side != "mentor":
        raise Conflict(_("Your goals are yours to set: create the goal instead of suggesting it."))
    access.require_open()
    clean_title, clean_measure = _clean_goal_fields(
        actor=actor,
        title=title,
        measure=measure,
        target_on=target_on,
        target_changed=True,
        progress_mode=None,
        manual_progress=None,
    )
    goal = Goal.objects.create(
        relationship=access.relationship,
        title=clean_title or "",
        measure=clean_measure or "",
        target_on=target_on,
        status=GoalStatus.SUGGESTED,
        created_by=actor,
        order=_next_order(Goal, relationship=access.relationship),
    )
    _history(
        goal,
        actor,
        [(GoalChangeField.CREATED, "", goal.title), (GoalChangeField.STATUS, "", goal.status)],
    )
    _record(access, actor, RelationshipEventKind.GOAL_UPDATED, f"suggested a goal: {goal.title}")
    _tell(
        _partner(access),
        goal,
        lambda: (
            _("Suggested goal: %(title)s") % {"title": goal.title},
            _(
                "%(actor)s suggested a goal for you: %(title)s. "
                "Accept it to make it one of your goals, or decline it."
            )
            % {"actor": display_name(actor), "title": goal.title},
        ),
    )
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    relationship_id: int,
    goal_id: int,
    title: str | None = None,
    measure: str | None = None,
    target_on: datetime.date | None = None,
    progress_mode: str | None = None,
    manual_progress: int | None = None,
    order: int | None = None,
) -> Goal:
    """The mentee adjusts an active goal (None leaves a field as it is). Each changed field is
    written to the goal's history. A new target date must be today or later. Setting progress
    by hand needs progress_mode 'manual' (given here or already the goal's)."""
    found = goal_access(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, for_update=True
    )
    access, goal = found.access, found.goal
    require_mentee(access)
    access.require_open()
    _require_active(goal, _("change it"))
    clean_title, clean_measure = _clean_goal_fields(
        actor=actor,
        title=title,
        measure=measure,
        target_on=target_on,
        target_changed=target_on is not None and target_on != goal.target_on,
        progress_mode=progress_mode,
        manual_progress=manual_progress,
    )
    new_mode = progress_mode or goal.progress_mode
    if (
        manual_progress is not None
        and manual_progress != goal.manual_progress
        and new_mode != ProgressMode.MANUAL
    ):
        raise InvalidInput.for_field(
            "manual_progress",
            _("This goal's progress comes from its milestones; choose 'set by hand' to set it."),
        )
    if order is not None and order < 0:
        raise InvalidInput.for_field("order", _("The position is 0 or more."))
    wanted: dict[str, object] = {
        "title": clean_title,
        "measure": clean_measure,
        "target_on": target_on,
        "progress_mode": progress_mode,
        "manual_progress": manual_progress,
        "order": order,
    }
    changes: list[tuple[str, str, str]] = []
    fields: list[str] = []
    for name, value in wanted.items():
        current = getattr(goal, name)
        if value is None or value == current:
            continue
        changes.append((name, _text(current), _text(value)))
        setattr(goal, name, value)
        fields.append(name)
    if not fields:
        return goal
    goal.save(update_fields=[*fields, "updated_at"])
    _history(goal, actor, changes)
    _record(access, actor, RelationshipEventKind.GOAL_UPDATED, f"updated a goal: {goal.title}")
    return goal


class _Transition(NamedTuple):
    sources: tuple[str, ...]  # the statuses the action may start from
    target: str  # where it goes
    kind: str  # the timeline event it makes
    did: str  # what the timeline says the mentee did, before the goal's title


_TRANSITIONS: dict[str, _Transition] = {
    "accept": _Transition(
        sources=(GoalStatus.SUGGESTED,),
        target=GoalStatus.ACTIVE,
        kind=RelationshipEventKind.GOAL_CREATED,
        did="set a goal",
    ),
    "decline": _Transition(
        sources=(GoalStatus.SUGGESTED,),
        target=GoalStatus.DECLINED,
        kind=RelationshipEventKind.GOAL_UPDATED,
        did="declined a suggested goal",
    ),
    "achieve": _Transition(
        sources=(GoalStatus.ACTIVE,),
        target=GoalStatus.ACHIEVED,
        kind=RelationshipEventKind.GOAL_COMPLETED,
        did="achieved a goal",
    ),
    "drop": _Transition(
        sources=(GoalStatus.ACTIVE,),
        target=GoalStatus.DROPPED,
        kind=RelationshipEventKind.GOAL_UPDATED,
        did="dropped a goal",
    ),
    "reopen": _Transition(
        sources=(GoalStatus.ACHIEVED, GoalStatus.DROPPED),
        target=GoalStatus.ACTIVE,
        kind=RelationshipEventKind.GOAL_UPDATED,
        did="reopened a goal",
    ),
}


def _refusal(refused: Refused) -> str:
    # "reopen" leads back to active, which reads badly as "cannot be active".
    doing = (
        pgettext("goal", "reopened")
        if refused.verb == "reopen"
        else refused.lifecycle.label(_TRANSITIONS[refused.verb].target)
    )
    return _("This goal is %(current)s, so it cannot be %(doing)s.") % {
        "current": refused.current,
        "doing": doing,
    }


# The same rows in the core's shape: the one thing that says what may happen from a status.
GOAL_LIFECYCLE = Lifecycle.from_actions(
    "goal",
    {action: (t.sources, t.target) for action, t in _TRANSITIONS.items()},
    labels=GoalStatus.choices,
    refusal=_refusal,
)


def _transition(*, actor: User, relationship_id: int, goal_id: int, action: str) -> GoalAccess:
    """Apply a status action of `_TRANSITIONS` to the goal (locked): the mentee only, in an
    open relationship, from an allowed status; written to the goal's history and the pair's
    timeline. Telling people is the caller's part (it differs by action)."""
    _sources, _target, kind, did = _TRANSITIONS[action]
    found = goal_access(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, for_update=True
    )
    access, goal = found.access, found.goal
    if action in ("accept", "decline"):
        require_mentee(access, _("Only the mentee can accept or decline a suggested goal."))
    else:
        require_mentee(access)
    access.require_open()
    target = GOAL_LIFECYCLE.apply(goal.status, action).target
    before = goal.status
    goal.status = target
    goal.achieved_at = timezone.now() if target == GoalStatus.ACHIEVED else None
    goal.save(update_fields=["status", "achieved_at", "updated_at"])
    _history(goal, actor, [(GoalChangeField.STATUS, before, target)])
    _record(access, actor, kind, f"{did}: {goal.title}")
    if goal.achieved_at is not None:
        _tell_webhooks_completed(goal, access.relationship, goal.achieved_at)
    return found


def _tell_webhooks_completed(
    goal: Goal, relationship: Relationship, completed_at: datetime.datetime
) -> None:
    """The "goal.completed" webhook: ids and the time, never the goal's words."""
    webhook_emit(
        organization_id=relationship.program.organization_id,
        event_type="goal.completed",
        data=lambda: GoalCompletedData(
            goal_id=goal.pk,
            relationship_id=relationship.pk,
            program_id=relationship.program_id,
            completed_at=completed_at,
        ),
    )


@transaction.atomic
def goal_suggestion_accept(*, actor: User, relationship_id: int, goal_id: int) -> Goal:
    """The mentee accepts the mentor's suggestion: it becomes one of their active goals."""
    found = _transition(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, action="accept"
    )
    goal = found.goal
    _tell(
        _partner(found.access),
        goal,
        lambda: (
            _("Suggestion accepted: %(title)s") % {"title": goal.title},
            _("%(actor)s accepted your suggested goal: %(title)s.")
            % {"actor": display_name(actor), "title": goal.title},
        ),
    )
    return goal


@transaction.atomic
def goal_suggestion_decline(*, actor: User, relationship_id: int, goal_id: int) -> Goal:
    """The mentee declines the mentor's suggestion. It is kept (status declined) with its
    history, and no longer shown among the goals."""
    found = _transition(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, action="decline"
    )
    goal = found.goal
    _tell(
        _partner(found.access),
        goal,
        lambda: (
            _("Suggestion declined: %(title)s") % {"title": goal.title},
            _("%(actor)s declined your suggested goal: %(title)s.")
            % {"actor": display_name(actor), "title": goal.title},
        ),
    )
    return goal


@transaction.atomic
def goal_achieve(*, actor: User, relationship_id: int, goal_id: int) -> Goal:
    """The mentee marks an active goal achieved: celebrated on the timeline and told to both."""
    found = _transition(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, action="achieve"
    )
    goal = found.goal
    _tell(
        _both(found.access),
        goal,
        lambda: (
            "🎉 " + _("Goal achieved: %(title)s") % {"title": goal.title},
            _("%(actor)s achieved the goal “%(title)s”. Well done!")
            % {"actor": display_name(actor), "title": goal.title},
        ),
    )
    return goal


@transaction.atomic
def goal_drop(*, actor: User, relationship_id: int, goal_id: int) -> Goal:
    """The mentee drops an active goal (it stays in the list, and can be reopened)."""
    found = _transition(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, action="drop"
    )
    return found.goal


@transaction.atomic
def goal_reopen(*, actor: User, relationship_id: int, goal_id: int) -> Goal:
    """The mentee takes an achieved or dropped goal up again (active)."""
    found = _transition(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, action="reopen"
    )
    return found.goal


# --- comments ----------------------------------------------------------------------------


@transaction.atomic
def goal_comment_create(
    *, actor: User, relationship_id: int, goal_id: int, body: str
) -> GoalComment:
    """Either person comments on a goal; the other is told (the comment itself stays in the
    workspace: the timeline and the notification only name the goal)."""
    found = goal_access(actor=actor, relationship_id=relationship_id, goal_id=goal_id)
    found.access.require_open()
    body = body.strip()
    if not body:
        raise InvalidInput.for_field("body", _("Write something to comment."))
    if len(body) > COMMENT_MAX:
        raise InvalidInput.for_field(
            "body", _("Keep a comment within %(max)d characters.") % {"max": COMMENT_MAX}
        )
    comment = GoalComment.objects.create(goal=found.goal, author=actor, body=body)
    _record(
        found.access,
        actor,
        RelationshipEventKind.GOAL_UPDATED,
        f"commented on a goal: {found.goal.title}",
    )
    _tell(
        _partner(found.access),
        found.goal,
        lambda: (
            _("New comment on: %(title)s") % {"title": found.goal.title},
            _("%(actor)s commented on the goal “%(title)s”.")
            % {"actor": display_name(actor), "title": found.goal.title},
        ),
    )
    return comment


# --- milestones --------------------------------------------------------------------------


def _clean_milestone(
    *, actor: User, goal: Goal, title: str | None, due_on: datetime.date | None, due_changed: bool
) -> str | None:
    errors: list[FieldError] = []
    if title is not None:
        title = title.strip()
        if not title:
            errors.append(FieldError("title", _("Name the milestone.")))
        elif len(title) > TITLE_MAX:
            errors.append(
                FieldError(
                    "title",
                    _("Keep a milestone within %(max)d characters.") % {"max": TITLE_MAX},
                )
            )
    if due_on is not None and due_changed:
        if due_on < local_today(actor):
            errors.append(
                FieldError(
                    "due_on",
                    _("The due date %(date)s is in the past; choose today or a later date.")
                    % {"date": formats.date_format(due_on, "j M Y")},
                )
            )
        elif due_on > goal.target_on:
            errors.append(
                FieldError(
                    "due_on",
                    _("A milestone is due by the goal's target date (%(date)s).")
                    % {"date": formats.date_format(goal.target_on, "j M Y")},
                )
            )
    if errors:
        raise InvalidInput(
            errors[0].message if len(errors) == 1 else _("Some of the milestone is not valid."),
            errors=errors,
        )
    return title


def _milestone_goal(*, actor: User, relationship_id: int, goal_id: int, doing: str) -> GoalAccess:
    found = goal_access(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, for_update=True
    )
    require_mentee(found.access)
    found.access.require_open()
    _require_active(found.goal, doing)
    return found


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    relationship_id: int,
    goal_id: int,
    title: str,
    due_on: datetime.date | None = None,
) -> Milestone:
    """The mentee adds a milestone to an active goal (due today or later, by the target date)."""
    found = _milestone_goal(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, doing=_("add milestones")
    )
    goal = found.goal
    clean_title = _clean_milestone(
        actor=actor, goal=goal, title=title, due_on=due_on, due_changed=True
    )
    milestone = Milestone.objects.create(
        goal=goal, title=clean_title or "", due_on=due_on, order=_next_order(Milestone, goal=goal)
    )
    _history(
        goal,
        actor,
        [(GoalChangeField.MILESTONE_ADDED, "", _iso(due_on))],
        subject=milestone.title,
    )
    _record(
        found.access,
        actor,
        RelationshipEventKind.GOAL_UPDATED,
        f"added a milestone to a goal: {goal.title}",
    )
    return milestone


@transaction.atomic
def milestone_update(
    *,
    actor: User,
    relationship_id: int,
    goal_id: int,
    milestone_id: int,
    title: str | None = None,
    due_on: datetime.date | _Keep | None = KEEP,
) -> Milestone:
    """The mentee renames a milestone or moves (or clears, with None) its due date."""
    found = _milestone_goal(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, doing=_("change milestones")
    )
    milestone = milestone_of(goal=found.goal, milestone_id=milestone_id, for_update=True)
    new_due = milestone.due_on if isinstance(due_on, _Keep) else due_on
    clean_title = _clean_milestone(
        actor=actor,
        goal=found.goal,
        title=title,
        due_on=new_due,
        due_changed=new_due != milestone.due_on,
    )
    changes: list[tuple[str, str, str]] = []
    fields: list[str] = []
    old_title = milestone.title
    if clean_title is not None and clean_title != milestone.title:
        changes.append((GoalChangeField.MILESTONE_TITLE, milestone.title, clean_title))
        milestone.title = clean_title
        fields.append("title")
    if new_due != milestone.due_on:
        changes.append((GoalChangeField.MILESTONE_DUE_ON, _iso(milestone.due_on), _iso(new_due)))
        milestone.due_on = new_due
        fields.append("due_on")
    if not fields:
        return milestone
    milestone.save(update_fields=[*fields, "updated_at"])
    _history(found.goal, actor, changes, subject=old_title)
    _record(
        found.access,
        actor,
        RelationshipEventKind.GOAL_UPDATED,
        f"updated a milestone of a goal: {found.goal.title}",
    )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, relationship_id: int, goal_id: int, milestone_id: int) -> None:
    """The mentee removes a milestone (its removal stays in the goal's history)."""
    found = _milestone_goal(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, doing=_("remove milestones")
    )
    milestone = milestone_of(goal=found.goal, milestone_id=milestone_id, for_update=True)
    _history(
        found.goal,
        actor,
        [(GoalChangeField.MILESTONE_REMOVED, _iso(milestone.due_on), "")],
        subject=milestone.title,
    )
    milestone.delete()
    _record(
        found.access,
        actor,
        RelationshipEventKind.GOAL_UPDATED,
        f"removed a milestone from a goal: {found.goal.title}",
    )


def _milestone_to_tick(
    *, actor: User, relationship_id: int, goal_id: int, milestone_id: int, doing: str
) -> tuple[GoalAccess, Milestone]:
    """The goal (locked) and the milestone the mentee ticks or unticks, once the goal is
    theirs to change and active (the mentor is Forbidden: ticks are the mentee's)."""
    found = goal_access(
        actor=actor, relationship_id=relationship_id, goal_id=goal_id, for_update=True
    )
    require_mentee(
        found.access,
        _("Only the mentee ticks off their milestones; as the mentor, comment to cheer them on."),
    )
    found.access.require_open()
    _require_active(found.goal, doing)
    milestone = milestone_of(goal=found.goal, milestone_id=milestone_id, for_update=True)
    return found, milestone


@transaction.atomic
def milestone_complete(
    *, actor: User, relationship_id: int, goal_id: int, milestone_id: int
) -> Milestone:
    """The mentee ticks a milestone off: celebrated on the timeline and told to both people.
    Ticking one already done is a Conflict (so it is celebrated once)."""
    found, milestone = _milestone_to_tick(
        actor=actor,
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
        doing=_("tick off its milestones"),
    )
    if milestone.done_at is not None:
        raise Conflict(_("“%(title)s” is already done.") % {"title": milestone.title})
    milestone.done_at = timezone.now()
    milestone.done_by = actor
    milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    _history(found.goal, actor, [(GoalChangeField.MILESTONE_DONE, "", "")], subject=milestone.title)
    _record(
        found.access,
        actor,
        RelationshipEventKind.MILESTONE_COMPLETED,
        f"reached a milestone: {milestone.title}",
    )
    _tell(
        _both(found.access),
        found.goal,
        lambda: (
            "🎉 " + _("Milestone reached: %(title)s") % {"title": milestone.title},
            _(
                "%(actor)s reached the milestone “%(milestone)s” of the goal "
                "“%(goal)s” (now %(progress)s%% there)."
            )
            % {
                "actor": display_name(actor),
                "milestone": milestone.title,
                "goal": found.goal.title,
                "progress": found.goal.progress,
            },
        ),
    )
    return milestone


@transaction.atomic
def milestone_reopen(
    *, actor: User, relationship_id: int, goal_id: int, milestone_id: int
) -> Milestone:
    """The mentee unticks a milestone ticked by mistake (recorded in the history)."""
    found, milestone = _milestone_to_tick(
        actor=actor,
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
        doing=_("change its milestones"),
    )
    if milestone.done_at is None:
        raise Conflict(_("“%(title)s” is not done yet.") % {"title": milestone.title})
    milestone.done_at = None
    milestone.done_by = None
    milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    _history(
        found.goal, actor, [(GoalChangeField.MILESTONE_REOPENED, "", "")], subject=milestone.title
    )
    _record(
        found.access,
        actor,
        RelationshipEventKind.GOAL_UPDATED,
        f"reopened a milestone: {milestone.title}",
    )
    return milestone
