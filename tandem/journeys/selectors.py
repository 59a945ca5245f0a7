"""Every read about journeys.

Auto steps are never stored: whether "the agreement is signed" or "three meetings are held" is
derived on every read from the other apps' state, by `relationship_signals` — one query over
relationships, each signal a set-based piece that the concept's owner exposes (signed:
`agreements.selectors.agreement_signed_exists`; held: `meetings.selectors.held_meeting_count`
and `last_held_at`; goals set: `goals.selectors.goals_set_exists`), so a step agrees with the
managers' signals and the nudges by construction. One set-based query rather than the owners'
id-list selectors so the batch form (`journey_steps_due`) costs the same for 5 or 100,000
relationships and never sends one SQL parameter per relationship.

Reads never write. A programme with no stored journey reads its default journey in memory
(`default_steps`: unsaved stages and steps from the programme format's default, with the
organisation's starter resources), so a fresh pair's pages show their journey and store
nothing. The journey is stored by a write that needs it: a manager's first edit, the pair's
first tick (`services.journey_default_step_complete`), or the scheduler
(`services.journeys_ensure_for_active_programs`, before the journey nudges); what is stored is
exactly `default_steps`, so nothing the pair saw moves.

Due dates: a step is due `due_offset_days` after `Relationship.started_on`, or at
`due_at_fraction` of the planned length (`started_on` + fraction * (`planned_end_on` -
`started_on`), rounded to a day). Before the relationship starts, nothing is due.

The current stage (one rule, everywhere: the journey page, the hub's card, meeting mode, the
API) follows time and progress, and never goes back because something earlier is left undone:
- by time: the first stage that still has a step due today or later (when every due date has
  passed, the last stage with a due date; before the relationship starts, the first stage);
- by progress: the latest stage where a step is done, or the stage after it once every step of
  that one is done;
- the current stage is the later of the two. An undone step of an earlier stage shows as
  overdue on its own stage (the pair has catching up to do), but does not pull the pair back:
  six meetings in with one box of "Getting started" never ticked, they are working together.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from tandem.agreements.selectors import agreement_signed_exists
from tandem.core.errors import NotFound
from tandem.feedback.models import Feedback, FeedbackDirection
from tandem.goals.selectors import goals_set_exists
from tandem.journeys.defaults import default_stages
from tandem.journeys.models import Completion, Journey, Stage, Step, StepCompletion
from tandem.meetings.selectors import held_meeting_count, last_held_at
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.permissions import RelationshipAccess
from tandem.resources.models import Resource

# Undone steps due within this many days show in the workspace's "what's next".
DUE_SOON_DAYS = 7

# The word a step's status marker says to screen readers (and the marker's look, by key).
STATUS_LABELS = {"done": "Done", "overdue": "Overdue", "due": "Due soon", "todo": "To do"}


# --- signals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signals:
    """What the system can see of one relationship, for auto steps."""

    status: str
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    agreement_signed: bool = False
    meetings_held: int = 0
    last_held_at: datetime.datetime | None = None
    goals_set: bool = False
    mentor_feedback: bool = False
    mentee_feedback: bool = False


def _with_signals(relationships: QuerySet[Relationship]) -> QuerySet[Relationship]:
    """Annotate each relationship with the signals auto steps read (one query, subqueries)."""
    feedback = Feedback.objects.filter(relationship_id=OuterRef("pk"))
    return relationships.annotate(
        agreement_signed=agreement_signed_exists(),
        meetings_held=held_meeting_count(),
        last_held_at=last_held_at(),
        goals_set=goals_set_exists(),
        mentor_feedback=Exists(feedback.filter(direction=FeedbackDirection.MENTOR_TO_MENTEE)),
        mentee_feedback=Exists(feedback.filter(direction=FeedbackDirection.MENTEE_TO_MENTOR)),
    )


SIGNAL_FIELDS = (
    "status",
    "started_on",
    "planned_end_on",
    "agreement_signed",
    "meetings_held",
    "last_held_at",
    "goals_set",
    "mentor_feedback",
    "mentee_feedback",
)


def relationship_signals(*, relationship_ids: list[int]) -> dict[int, Signals]:
    """The signals of these relationships, by id (one query). The caller has checked who may
    know them (they are numbers and yes/no, never content)."""
    rows = _with_signals(Relationship.objects.filter(pk__in=relationship_ids)).values(
        "pk", *SIGNAL_FIELDS
    )
    return {row.pop("pk"): Signals(**row) for row in rows}


def step_due_on(step: Step, signals: Signals) -> datetime.date | None:
    return step.due_on(started_on=signals.started_on, planned_end_on=signals.planned_end_on)


def auto_done(step: Step, signals: Signals) -> bool:
    """Whether an auto step's signal is there (False for manual steps)."""
    kind = step.completion
    if kind == Completion.AGREEMENT_SIGNED:
        return signals.agreement_signed
    if kind == Completion.FIRST_MEETING_HELD:
        return signals.meetings_held >= 1
    if kind == Completion.MEETINGS_HELD_N:
        return signals.meetings_held >= step.meetings_count
    if kind == Completion.GOALS_SET:
        return signals.goals_set
    if kind == Completion.MIDPOINT_REVIEW:
        if signals.last_held_at is None or signals.started_on is None:
            return False
        if signals.planned_end_on is None:
            return False
        length = max((signals.planned_end_on - signals.started_on).days, 0)
        half_time = signals.started_on + datetime.timedelta(days=round(length / 2))
        return timezone.localdate(signals.last_held_at) >= half_time
    if kind == Completion.FEEDBACK_GIVEN:
        return signals.mentor_feedback and signals.mentee_feedback
    if kind == Completion.RELATIONSHIP_COMPLETED:
        return signals.status == RelationshipStatus.COMPLETED
    return False


# --- the pair's journey ---------------------------------------------------------------------


@dataclass
class StepView:
    step: Step
    due_on: datetime.date | None
    is_done: bool
    done_at: datetime.datetime | None = None  # manual ticks only
    done_by: Any = None
    overdue: bool = False
    due_soon: bool = False
    resources: list[Resource] = field(default_factory=list)

    @property
    def is_auto(self) -> bool:
        return self.step.is_auto

    @property
    def is_stored(self) -> bool:
        """False for a step of a default journey read in memory (no id yet)."""
        return self.step.pk is not None

    @property
    def ref(self) -> str:
        """The step's anchor on the page: its id, or "<stage key>-<order>" in memory."""
        if self.step.pk is not None:
            return str(self.step.pk)
        return f"{self.step.stage.key}-{self.step.order}"

    @property
    def status(self) -> str:
        """One key of STATUS_LABELS: done, else overdue, else due (soon), else to do."""
        if self.is_done:
            return "done"
        if self.overdue:
            return "overdue"
        return "due" if self.due_soon else "todo"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class StageView:
    stage: Stage
    steps: list[StepView]
    is_current: bool = False

    @property
    def is_done(self) -> bool:
        return all(step.is_done for step in self.steps)

    @property
    def status(self) -> str:
        """done, current or todo: what the stage's marker shows (its badge says it in words)."""
        if self.is_done:
            return "done"
        return "current" if self.is_current else "todo"

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.is_done)


@dataclass
class JourneyView:
    relationship: Relationship
    stages: list[StageView]
    current: StageView | None
    today: datetime.date

    @property
    def done_count(self) -> int:
        return sum(stage.done_count for stage in self.stages)

    @property
    def total_count(self) -> int:
        return sum(len(stage.steps) for stage in self.stages)


def default_steps(*, program: Program) -> list[Step]:
    """The default journey of the programme's format, unsaved: its steps in order, each with
    its unsaved `stage` (one Stage object per stage) and `starter_resources` (the
    organisation's visible starter pieces it names, by title). One query (the resources).
    `services.journey_ensure` stores exactly these rows."""
    stages = default_stages(program.format)
    keys = {key for stage in stages for step in stage.steps for key in step.resources}
    by_key = {
        resource.starter_key: resource
        for resource in Resource.objects.filter(
            organization_id=program.organization_id,
            program__isnull=True,
            is_hidden=False,
            starter_key__in=keys,
        )
    }
    steps: list[Step] = []
    for stage_order, default in enumerate(stages, start=1):
        stage = Stage(
            key=default.key, title=default.title, description=default.description, order=stage_order
        )
        for step_order, step_default in enumerate(default.steps, start=1):
            step = Step(
                stage=stage,
                title=step_default.title,
                description=step_default.description,
                due_offset_days=step_default.offset,
                due_at_fraction=step_default.fraction,
                completion=step_default.completion,
                meetings_count=step_default.meetings_count,
                order=step_order,
            )
            linked = [by_key[key] for key in step_default.resources if key in by_key]
            step.starter_resources = sorted(  # type: ignore[attr-defined]
                linked, key=lambda resource: (resource.title, resource.pk)
            )
            steps.append(step)
    return steps


def _resources_of(step: Step) -> list[Resource]:
    if step.pk is None:
        return list(step.starter_resources)
    return list(step.resources.all())


def _steps_for(program: Program, *, relationship_id: int, journey_stored: bool) -> list[Step]:
    """The journey's steps with their stage, visible resources and the relationship's tick of
    each (`tick_at` and `tick_by_id`, None when not ticked: a LEFT JOIN on the one tick a
    step may have). Two queries; a programme with no stored journey (`journey_stored`, asked
    with the signals) reads `default_steps` instead (two queries, nothing written)."""
    visible = Resource.objects.filter(is_hidden=False).order_by("title", "id")
    steps: list[Step] = list(
        Step.objects.filter(stage__journey__program_id=program.pk)
        .annotate(
            tick=FilteredRelation(
                "completions", condition=Q(completions__relationship_id=relationship_id)
            ),
            tick_at=F("tick__completed_at"),
            tick_by_id=F("tick__completed_by_id"),
        )
        .select_related("stage")
        .prefetch_related(Prefetch("resources", queryset=visible))
        .order_by("stage__order", "stage_id", "order", "id")
    )
    if steps or journey_stored:
        return steps
    defaults = default_steps(program=program)
    for step in defaults:  # nothing is ticked in a journey that is not stored
        step.tick_at = None  # type: ignore[attr-defined]
        step.tick_by_id = None  # type: ignore[attr-defined]
    return defaults


def _stage_by_time(stages: list[StageView], today: datetime.date) -> int:
    dated = [
        index for index, stage in enumerate(stages) if any(step.due_on for step in stage.steps)
    ]
    for index in dated:
        if any(step.due_on and step.due_on >= today for step in stages[index].steps):
            return index
    return dated[-1] if dated else 0


def _stage_by_progress(stages: list[StageView]) -> int:
    begun = [
        index for index, stage in enumerate(stages) if any(step.is_done for step in stage.steps)
    ]
    if not begun:
        return 0
    latest = begun[-1]
    if stages[latest].is_done and latest + 1 < len(stages):
        return latest + 1
    return latest


def current_stage(stages: list[StageView], today: datetime.date) -> StageView | None:
    """The module's rule (see its docstring): the later of the stage by time and the stage by
    progress."""
    if not stages:
        return None
    return stages[max(_stage_by_time(stages, today), _stage_by_progress(stages))]


def _same_stage(stage: Stage, step: Step) -> bool:
    if step.stage_id is None:  # a default journey in memory: one Stage object per stage
        return stage is step.stage
    return stage.pk == step.stage_id


class _Tick(NamedTuple):
    at: datetime.datetime
    by: Any  # the User who ticked (None once their account is gone)


def _build(
    *,
    relationship: Relationship,
    steps: list[Step],
    signals: Signals,
    ticks: dict[int, _Tick],
    today: datetime.date,
) -> JourneyView:
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    stages: list[StageView] = []
    for step in steps:
        if not stages or not _same_stage(stages[-1].stage, step):
            stages.append(StageView(stage=step.stage, steps=[]))
        due_on = step_due_on(step, signals)
        tick = ticks.get(step.pk)
        done = auto_done(step, signals) if step.is_auto else tick is not None
        stages[-1].steps.append(
            StepView(
                step=step,
                due_on=due_on,
                is_done=done,
                done_at=tick.at if tick and not step.is_auto else None,
                done_by=tick.by if tick and not step.is_auto else None,
                overdue=not done and due_on is not None and due_on < today,
                due_soon=not done and due_on is not None and today <= due_on <= soon,
                resources=_resources_of(step),
            )
        )
    current = current_stage(stages, today)
    if current is not None:
        current.is_current = True
    return JourneyView(relationship=relationship, stages=stages, current=current, today=today)


def journey_for_relationship(*, access: RelationshipAccess) -> JourneyView:
    """The pair's journey: every stage with its steps, each step's due date, whether it is
    done (auto steps from the signals, manual ones from the pair's ticks), overdue or due
    soon, its resources; and the current stage. Three queries (the signals, with whether the
    programme's journey is stored; steps with the pair's ticks; their resources, or the
    default's when nothing is stored), whatever the number of steps. Writes nothing."""
    if not access.is_party:
        raise NotFound("No such relationship.")
    relationship = access.relationship
    row = (
        _with_signals(Relationship.objects.filter(pk=relationship.pk))
        .annotate(journey_stored=Exists(Journey.objects.filter(program_id=OuterRef("program_id"))))
        .values("journey_stored", *SIGNAL_FIELDS)
        .first()
    )
    if row is None:  # pragma: no cover - the guard just read it
        raise NotFound("No such relationship.")
    journey_stored = row.pop("journey_stored")
    signals = Signals(**row)
    steps = _steps_for(
        relationship.program, relationship_id=relationship.pk, journey_stored=journey_stored
    )
    # Only the pair tick steps, and the guard loaded both of them with the relationship.
    pair = {person.user_id: person.user for person in (relationship.mentor, relationship.mentee)}
    ticks = {
        step.pk: _Tick(at=step.tick_at, by=pair.get(step.tick_by_id))  # type: ignore[attr-defined]
        for step in steps
        if step.tick_at is not None  # type: ignore[attr-defined]
    }
    return _build(
        relationship=relationship,
        steps=steps,
        signals=signals,
        ticks=ticks,
        today=timezone.localdate(),
    )


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b}"


def journeys_panel(*, access: RelationshipAccess) -> dict[str, Any]:
    """The workspace hub's journey card: the current stage, its checklist with resources
    inline, progress, and "what's next" (undone steps overdue or due within DUE_SOON_DAYS, for
    an open relationship). Three queries, as `journey_for_relationship`."""
    view = journey_for_relationship(access=access)
    url = reverse("journeys:relationship", args=[access.relationship.pk])
    next_items: list[dict[str, Any]] = []
    if access.is_open:
        for stage in view.stages:
            for item in stage.steps:
                if item.due_on is not None and (item.overdue or item.due_soon):
                    next_items.append(
                        {
                            "text": f"{item.step.title} (due {_day(item.due_on)})",
                            "due_text": f"due {_day(item.due_on)}",
                            "url": f"{url}#step-{item.ref}",
                            "due": item.due_on,
                            "overdue": item.overdue,
                            # What the step is about, so the hub can fold it into the owning
                            # panel's own item ("Sign the agreement") instead of listing both.
                            "concern": item.step.completion if item.is_auto else None,
                        }
                    )
    return {
        "url": url,
        "journey": view,
        "current": view.current,
        "checklist": view.current.steps if view.current else [],
        "done_count": view.done_count,
        "total_count": view.total_count,
        "next_items": next_items,
    }


# --- many relationships at once (nudges) ----------------------------------------------------


@dataclass(frozen=True)
class DueStep:
    """A journey step that is due (its date has come) and not done in one relationship."""

    relationship_id: int
    step_id: int
    step_title: str
    due_on: datetime.date
    program_id: int
    recipient_ids: tuple[int, int]  # the mentor's and the mentee's user ids


def journey_steps_due(
    *,
    now: datetime.datetime,
    relationship_ids: list[int] | None = None,
    due_from: datetime.date | None = None,
) -> list[DueStep]:
    """Every (relationship, step) whose due date is on or before `now`'s date (in the server's
    time zone) and that is not done, for ACTIVE relationships that have started, in programmes
    whose journey exists (`services.journeys_ensure_for_active_programs` makes the missing
    ones). `relationship_ids` narrows to those relationships (None: all of them); `due_from`
    leaves out steps due before that date (the nudges look back a week, not to the start).

    Three queries whatever the number of relationships: the relationships with their signals
    (one set-based query), the steps of their programmes' journeys, the manual ticks. No
    per-relationship query, so 100,000 relationships cost the same three queries. Ordered by
    relationship, then due date, then step. Nothing here checks who may know it: the caller
    is the scheduler."""
    today = timezone.localdate(now)
    relationships = Relationship.objects.filter(
        status=RelationshipStatus.ACTIVE,
        started_on__isnull=False,
        program__journey__isnull=False,
    )
    if relationship_ids is not None:
        relationships = relationships.filter(pk__in=relationship_ids)
    rows = list(
        _with_signals(relationships)
        .values("pk", "program_id", "mentor__user_id", "mentee__user_id", *SIGNAL_FIELDS)
        .order_by("pk")
    )
    if not rows:
        return []
    program_ids = {row["program_id"] for row in rows}
    steps_by_program: dict[int, list[Step]] = {}
    for annotated in (
        Step.objects.filter(stage__journey__program_id__in=program_ids)
        .annotate(program_id=F("stage__journey__program_id"))
        .order_by("stage__order", "stage_id", "order", "id")
    ):
        steps_by_program.setdefault(annotated.program_id, []).append(annotated)
    ticks_query = StepCompletion.objects.filter(relationship__status=RelationshipStatus.ACTIVE)
    if relationship_ids is not None:
        ticks_query = ticks_query.filter(relationship_id__in=relationship_ids)
    ticks = set(ticks_query.values_list("relationship_id", "step_id"))
    due: list[DueStep] = []
    for row in rows:
        relationship_id = row.pop("pk")
        program_id = row.pop("program_id")
        recipients = (row.pop("mentor__user_id"), row.pop("mentee__user_id"))
        signals = Signals(**row)
        found = []
        for step in steps_by_program.get(program_id, []):
            due_on = step_due_on(step, signals)
            if due_on is None or due_on > today or (due_from is not None and due_on < due_from):
                continue
            done = auto_done(step, signals) if step.is_auto else (relationship_id, step.pk) in ticks
            if not done:
                found.append(
                    DueStep(relationship_id, step.pk, step.title, due_on, program_id, recipients)
                )
        due += sorted(found, key=lambda item: (item.due_on, item.step_id))
    return due


# --- the managers' editor -------------------------------------------------------------------


def journey_for_editor(*, program: Program) -> Journey | None:
    """The programme's stored journey for its managers' editor, with stages, steps and their
    resources prefetched (four queries); None while the programme reads its default
    (`default_journey_stages`: the editor shows it until a manager starts editing).
    `program` comes from `program_access(manage=True)`."""
    return (
        Journey.objects.filter(program=program)
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=Stage.objects.order_by("order", "id").prefetch_related(
                    Prefetch(
                        "steps",
                        queryset=Step.objects.order_by("order", "id").prefetch_related(
                            Prefetch("resources", queryset=Resource.objects.order_by("title"))
                        ),
                    )
                ),
            )
        )
        .first()
    )


def default_journey_stages(*, program: Program) -> list[tuple[Stage, list[Step]]]:
    """`default_steps` grouped by their (unsaved) stage, in order. One query."""
    grouped: list[tuple[Stage, list[Step]]] = []
    for step in default_steps(program=program):
        if not grouped or grouped[-1][0] is not step.stage:
            grouped.append((step.stage, []))
        grouped[-1][1].append(step)
    return grouped


def resource_choices(*, program: Program) -> list[Resource]:
    """What a manager may link to a step: the organisation's library and this programme's
    additions, hidden ones last (one query)."""
    return list(
        Resource.objects.filter(organization_id=program.organization_id)
        .filter(Q(program__isnull=True) | Q(program_id=program.pk))
        .only("pk", "title", "kind", "is_hidden", "program_id")
        .order_by("is_hidden", "title", "id")
    )
