"""The current stage, as a rule over any journey: it follows time and progress and never goes
back because a step of an earlier stage is undone (`selectors` module docstring)."""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.journeys.models import Stage, Step
from tandem.journeys.selectors import StageView, StepView, current_stage

TODAY = datetime.date(2026, 12, 13)

# A step: its due date as days from today (None: no date), and whether it is done.
step_strategy = st.tuples(st.one_of(st.none(), st.integers(-200, 200)), st.booleans())
journey_strategy = st.lists(st.lists(step_strategy, min_size=1, max_size=4), min_size=1, max_size=6)


# (The machine running the suite may be busy: generation speed is not what is tested.)
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _journey(spec: list[list[tuple[int | None, bool]]]) -> list[StageView]:
    stages = []
    for number, steps in enumerate(spec):
        stage = Stage(key=f"stage-{number}", title=f"Stage {number}", order=number)
        views = []
        for order, (offset, done) in enumerate(steps):
            due_on = None if offset is None else TODAY + datetime.timedelta(days=offset)
            views.append(
                StepView(
                    step=Step(title=f"{number}.{order}", order=order),
                    due_on=due_on,
                    is_done=done,
                    overdue=not done and due_on is not None and due_on < TODAY,
                )
            )
        stages.append(StageView(stage=stage, steps=views))
    return stages


def _index(spec: list[list[tuple[int | None, bool]]], today: datetime.date = TODAY) -> int:
    stages = _journey(spec)
    current = current_stage(stages, today)
    assert current is not None
    return stages.index(current)


def _with(spec, stage: int, step: int, done: bool):
    copy = [list(steps) for steps in spec]
    copy[stage][step] = (copy[stage][step][0], done)
    return copy


@RELAXED
@given(spec=journey_strategy, data=st.data())
def test_an_undone_step_before_the_current_stage_never_pulls_it_back(spec, data):
    # given any journey and any step of a stage before the current one
    current = _index(spec)
    if current == 0:
        return
    stage = data.draw(st.integers(0, current - 1))
    step = data.draw(st.integers(0, len(spec[stage]) - 1))
    opened_by_it = stage == current - 1 and all(done for _, done in spec[stage])
    # when that step is undone (a box never ticked, or unticked)
    after = _index(_with(spec, stage, step, False))
    # then the current stage stays, unless completing that stage was the only thing that had
    # opened the current one: then the pair is back where the rest of their progress and the
    # calendar put them, never further back than if that whole stage had never been begun
    if opened_by_it:
        never_begun = [
            [(offset, False) for offset, _ in steps] if number == stage else steps
            for number, steps in enumerate(spec)
        ]
        assert _index(never_begun) <= after <= current
    else:
        assert after == current


@RELAXED
@given(spec=journey_strategy, data=st.data())
def test_doing_a_step_never_moves_the_current_stage_back(spec, data):
    stage = data.draw(st.integers(0, len(spec) - 1))
    step = data.draw(st.integers(0, len(spec[stage]) - 1))
    assert _index(_with(spec, stage, step, True)) >= _index(spec)


@RELAXED
@given(spec=journey_strategy, days=st.integers(0, 400))
def test_time_passing_never_moves_the_current_stage_back(spec, days):
    later = TODAY + datetime.timedelta(days=days)
    assert _index(spec, later) >= _index(spec)


@RELAXED
@given(spec=journey_strategy)
def test_the_current_stage_is_never_before_a_stage_with_a_done_step(spec):
    begun = [number for number, steps in enumerate(spec) if any(done for _, done in steps)]
    assert _index(spec) >= (begun[-1] if begun else 0)


@RELAXED
@given(spec=journey_strategy)
def test_the_current_stage_is_never_before_the_stage_by_time(spec):
    # the first stage with a step due today or later; the last dated one when all are past
    dated = [n for n, steps in enumerate(spec) if any(o is not None for o, _ in steps)]
    upcoming = [n for n in dated if any(o is not None and o >= 0 for o, _ in spec[n])]
    by_time = upcoming[0] if upcoming else (dated[-1] if dated else 0)
    assert _index(spec) >= by_time


@RELAXED
@given(spec=journey_strategy)
def test_with_nothing_done_and_nothing_dated_the_first_stage_is_current(spec):
    blank = [[(None, False) for _ in steps] for steps in spec]
    assert _index(blank) == 0
