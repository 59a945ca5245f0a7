"""One owner for every rule: "signed", "held", "active goal" each have one definition, exposed by
the owning app per object and set-based, and every consumer (the owner's own panels, the
managers' signals, the journeys' auto steps, the nudges) agrees with it.

Each test generates histories for the two pairs of the `pair` fixture through the services
(sign, edit, re-sign; schedule, hold, cancel; create, suggest, accept, achieve, drop, reopen),
keeps an independent oracle of what the concept should say, and asserts that the owner's
predicate, the owner's set-based piece and every consumer say exactly that. Each example runs
in a transaction rolled back afterwards, so examples never see each other's rows.

It lives outside `tandem/` because it reads the workspace and the nudges together, which the
layer contract keeps from importing each other.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.agreements.models import AgreementStatus
from tandem.agreements.selectors import (
    agreement_get_for_workspace,
    agreement_is_signed,
    agreement_panel,
    agreement_signed_exists,
    agreement_signed_relationship_ids,
    signed_relationship_ids,
)
from tandem.agreements.services import agreement_sign, agreement_update
from tandem.agreements.tests.factories import content
from tandem.core.errors import InvalidInput
from tandem.goals import services as goals
from tandem.goals.models import Goal
from tandem.goals.selectors import (
    active_goal,
    completed_goal,
    counted_goal,
    goal_is_active,
    goal_is_completed,
    goal_is_counted,
    goal_progress_by_relationship,
    goals_panel,
    goals_set_exists,
)
from tandem.health.selectors import program_health_summary
from tandem.health.services import health_refresh
from tandem.journeys.models import Completion, Step
from tandem.journeys.selectors import auto_done, relationship_signals
from tandem.meetings.models import Meeting
from tandem.meetings.selectors import (
    AT_RISK_AFTER,
    at_risk_relationship,
    first_meeting_held,
    has_held_a_meeting,
    held_meeting,
    held_meeting_count,
    held_meetings,
    last_held_at,
    meeting_is_held,
    meeting_signals_by_relationship,
    relationship_is_at_risk,
)
from tandem.meetings.services import meeting_cancel, meeting_record_held
from tandem.meetings.tests.factories import schedule, started
from tandem.nudges.rules import RULES_BY_NAME, Context, RuleSettings
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import relationship_access
from tandem.workspace.selectors import relationship_signals as workspace_signals

EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a transaction that is rolled back whatever happens."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _pairs(pair) -> list[tuple[Relationship, object, object]]:
    """(relationship, mentor user, mentee user) of both pairs of the fixture."""
    return [
        (pair.relationship, pair.mentor, pair.mentee),
        (pair.other_relationship, pair.other_mentor, pair.other_mentee),
    ]


def _due(rule_name: str, now: datetime.datetime) -> set[str]:
    """The subjects a nudge rule finds due at `now`, with every programme on its defaults."""
    rule = RULES_BY_NAME[rule_name]
    return {nudge.subject for nudge in rule.evaluate(Context(now), RuleSettings(rule, []))}


def _auto(kind: str, **fields) -> Step:
    return Step(completion=kind, **fields)


# --- signed --------------------------------------------------------------------------------

AGREEMENT_ACTS = st.lists(st.sampled_from(["edit", "mentor_signs", "mentee_signs"]), max_size=7)


def _apply_agreement(history: list[str], relationship, mentor, mentee) -> bool:
    """Play `history` through the services; answer what "signed" must be (the oracle: both
    people signed the version that is current at the end)."""
    version, edits, complete = 1, 0, False
    signers: set[str] = set()
    for act in history:
        if act == "edit":
            edits += 1
            agreement_update(
                actor=mentee,
                relationship_id=relationship.pk,
                version=version,
                **content(boundaries=f"Edit {edits}."),
            )
            version, complete, signers = version + 1, True, set()
            continue
        who = mentor if act == "mentor_signs" else mentee
        if not complete:
            # an empty draft cannot be signed: refused, nothing changes
            with pytest.raises(InvalidInput):
                agreement_sign(actor=who, relationship_id=relationship.pk, version=version)
            continue
        agreement_sign(actor=who, relationship_id=relationship.pk, version=version)
        signers.add(act)
    return signers == {"mentor_signs", "mentee_signs"}


@pytest.mark.django_db
@EXAMPLES
@given(first=AGREEMENT_ACTS, second=AGREEMENT_ACTS)
# signed, then edited: unsigned again until both sign the new version
@example(first=["edit", "mentor_signs", "mentee_signs", "edit"], second=["edit", "mentee_signs"])
def test_signed_means_the_current_version_signed_by_both_for_every_reader(pair, first, second):
    with rolled_back():
        # given: a generated history for each pair
        expected = {
            relationship.pk: _apply_agreement(history, relationship, mentor, mentee)
            for history, (relationship, mentor, mentee) in zip(
                (first, second), _pairs(pair), strict=True
            )
        }
        ids = list(expected)
        relationships = list(Relationship.objects.filter(pk__in=ids).order_by("pk"))
        signed_ids = {pk for pk, signed in expected.items() if signed}
        # then: the owner's per-pair predicate and its set-based pieces
        for relationship, _mentor, _mentee in _pairs(pair):
            assert agreement_is_signed(relationship=relationship) is expected[relationship.pk]
        assert set(Relationship.objects.filter(pk__in=signed_relationship_ids())) == {
            r for r in relationships if r.pk in signed_ids
        }
        assert (
            dict(
                Relationship.objects.filter(pk__in=ids)
                .annotate(signed=agreement_signed_exists())
                .values_list("pk", "signed")
            )
            == expected
        )
        assert agreement_signed_relationship_ids(relationship_ids=ids) == signed_ids
        # and: the pair's own views
        for relationship, mentor, mentee in _pairs(pair):
            for user in (mentor, mentee):
                access = relationship_access(actor=user, relationship_id=relationship.pk)
                panel_status = agreement_panel(access=access)["status"]
                detail_status = agreement_get_for_workspace(access=access).status
                assert (panel_status == AgreementStatus.SIGNED) is expected[relationship.pk]
                assert (detail_status == AgreementStatus.SIGNED) is expected[relationship.pk]
        # and: the managers' signals, the journeys' auto step, the nudge
        assert {
            row.relationship.pk: row.agreement_signed
            for row in workspace_signals(relationships=relationships)
        } == expected
        signals = relationship_signals(relationship_ids=ids)
        assert {pk: signals[pk].agreement_signed for pk in ids} == expected
        step = _auto(Completion.AGREEMENT_SIGNED)
        assert {pk: auto_done(step, signals[pk]) for pk in ids} == expected
        unsigned_nudged = _due("agreement_unsigned", timezone.now() + datetime.timedelta(days=8))
        assert unsigned_nudged == {str(pk) for pk in ids if not expected[pk]}


# --- held ----------------------------------------------------------------------------------

MEETING_ACTS = st.lists(
    st.tuples(st.sampled_from(["schedule", "hold", "cancel"]), st.integers(0, 3)), max_size=8
)


def _apply_meetings(history, relationship, mentor) -> dict[int, bool]:
    """Play `history`: schedule a meeting, or hold / cancel the n-th still scheduled one.
    Answers each meeting's oracle "held"."""
    held: dict[int, bool] = {}
    scheduled: list[int] = []
    for act, index in history:
        if act == "schedule":
            meeting = schedule(relationship, actor=mentor)
            held[meeting.pk] = False
            scheduled.append(meeting.pk)
            continue
        if not scheduled:
            continue
        meeting_id = scheduled.pop(index % len(scheduled))
        if act == "hold":
            started(Meeting.objects.get(pk=meeting_id))
            meeting_record_held(
                actor=mentor, relationship_id=relationship.pk, meeting_id=meeting_id
            )
            held[meeting_id] = True
        else:
            meeting_cancel(actor=mentor, relationship_id=relationship.pk, meeting_id=meeting_id)
    return held


@pytest.mark.django_db
@EXAMPLES
@given(first=MEETING_ACTS, second=MEETING_ACTS)
def test_held_means_recorded_as_held_for_every_reader(pair, first, second):
    with rolled_back():
        # given: both pairs started long ago (so a pair that has not met is at risk)
        long_ago = timezone.now() - datetime.timedelta(weeks=10)
        Relationship.objects.filter(
            pk__in=[pair.relationship.pk, pair.other_relationship.pk]
        ).update(activated_at=long_ago)
        oracle = {
            relationship.pk: _apply_meetings(history, relationship, mentor)
            for history, (relationship, mentor, _mentee) in zip(
                (first, second), _pairs(pair), strict=True
            )
        }
        ids = list(oracle)
        count = {pk: sum(meetings.values()) for pk, meetings in oracle.items()}
        held_ids = {m for meetings in oracle.values() for m, is_held in meetings.items() if is_held}
        # then: the owner, per meeting and per pair
        for meeting in Meeting.objects.filter(relationship_id__in=ids):
            assert meeting_is_held(meeting) is (meeting.pk in held_ids)
        for relationship, _mentor, _mentee in _pairs(pair):
            assert has_held_a_meeting(relationship=relationship) is (count[relationship.pk] > 0)
        # and: its set-based pieces
        assert set(
            held_meetings().filter(relationship_id__in=ids).values_list("pk", flat=True)
        ) == (held_ids)
        assert (
            set(
                Meeting.objects.filter(held_meeting(), relationship_id__in=ids).values_list(
                    "pk", flat=True
                )
            )
            == held_ids
        )
        rows = Relationship.objects.filter(pk__in=ids).annotate(
            n=held_meeting_count(), first=first_meeting_held(), last=last_held_at()
        )
        assert {row.pk: (row.n, row.first, row.last is not None) for row in rows} == {
            pk: (n, n > 0, n > 0) for pk, n in count.items()
        }
        # and: every consumer
        signals = meeting_signals_by_relationship(relationship_ids=ids)
        assert {pk: signals[pk]["held_count"] for pk in ids} == count
        relationships = list(Relationship.objects.filter(pk__in=ids))
        managers = {
            row.relationship.pk: row for row in workspace_signals(relationships=relationships)
        }
        assert {pk: managers[pk].meetings_held for pk in ids} == count
        journey = relationship_signals(relationship_ids=ids)
        assert {pk: journey[pk].meetings_held for pk in ids} == count
        first_step = _auto(Completion.FIRST_MEETING_HELD)
        two_step = _auto(Completion.MEETINGS_HELD_N, meetings_count=2)
        assert {pk: auto_done(first_step, journey[pk]) for pk in ids} == {
            pk: n >= 1 for pk, n in count.items()
        }
        assert {pk: auto_done(two_step, journey[pk]) for pk in ids} == {
            pk: n >= 2 for pk, n in count.items()
        }
        # the managers' digest counts the pairs at risk as relationship health stores them
        health_refresh()
        at_risk = program_health_summary(program_ids=[pair.cast.program.pk])[pair.cast.program.pk][
            "at_risk"
        ]
        digests = [
            nudge
            for nudge in RULES_BY_NAME["manager_digest"].evaluate(
                Context(timezone.now()), RuleSettings(RULES_BY_NAME["manager_digest"], [])
            )
            if nudge.program_id == pair.cast.program.pk
        ]
        assert digests
        for digest in digests:
            assert f"- pairs at risk: {at_risk}, " in digest.text
        # the check-in request goes out for every held meeting (nobody checked in), 3 hours on
        asked = _due("checkin_request", timezone.now() + datetime.timedelta(hours=3))
        assert asked == {str(pk) for pk in held_ids}


# --- active, completed, counted goals --------------------------------------------------------

GOAL_ACTS = st.lists(
    st.tuples(
        st.sampled_from(["create", "suggest", "accept", "decline", "achieve", "drop", "reopen"]),
        st.integers(0, 3),
    ),
    max_size=8,
)
GOAL_MOVES = {
    # act: (from statuses, to status, service)
    "accept": (("suggested",), "active", goals.goal_suggestion_accept),
    "decline": (("suggested",), "declined", goals.goal_suggestion_decline),
    "achieve": (("active",), "achieved", goals.goal_achieve),
    "drop": (("active",), "dropped", goals.goal_drop),
    "reopen": (("achieved", "dropped"), "active", goals.goal_reopen),
}


def _apply_goals(history, relationship, mentor, mentee) -> dict[int, str]:
    """Play `history` through the goals services; answers each goal's oracle status."""
    status: dict[int, str] = {}
    target = timezone.localdate() + datetime.timedelta(days=3)
    for number, (act, index) in enumerate(history):
        fields = {"title": f"Goal {number}", "measure": "Measured.", "target_on": target}
        if act == "create":
            goal = goals.goal_create(actor=mentee, relationship_id=relationship.pk, **fields)
            status[goal.pk] = "active"
            continue
        if act == "suggest":
            goal = goals.goal_suggest(actor=mentor, relationship_id=relationship.pk, **fields)
            status[goal.pk] = "suggested"
            continue
        sources, to, service = GOAL_MOVES[act]
        candidates = sorted(pk for pk, now in status.items() if now in sources)
        if not candidates:
            continue
        goal_id = candidates[index % len(candidates)]
        service(actor=mentee, relationship_id=relationship.pk, goal_id=goal_id)
        status[goal_id] = to
    return status


@pytest.mark.django_db
@EXAMPLES
@given(first=GOAL_ACTS, second=GOAL_ACTS)
def test_active_completed_and_counted_goals_agree_for_every_reader(pair, first, second):
    with rolled_back():
        # given
        oracle = {
            relationship.pk: _apply_goals(history, relationship, mentor, mentee)
            for history, (relationship, mentor, mentee) in zip(
                (first, second), _pairs(pair), strict=True
            )
        }
        ids = list(oracle)
        status = {goal: s for goals_of in oracle.values() for goal, s in goals_of.items()}
        active = {goal for goal, s in status.items() if s == "active"}
        completed = {goal for goal, s in status.items() if s == "achieved"}
        counted = active | completed
        # then: the owner, per goal and set-based
        for goal in Goal.objects.filter(relationship_id__in=ids):
            assert goal_is_active(goal) is (goal.pk in active)
            assert goal_is_completed(goal) is (goal.pk in completed)
            assert goal_is_counted(goal) is (goal.pk in counted)
        in_pairs = Goal.objects.filter(relationship_id__in=ids)
        assert set(in_pairs.filter(active_goal()).values_list("pk", flat=True)) == active
        assert set(in_pairs.filter(completed_goal()).values_list("pk", flat=True)) == completed
        assert set(in_pairs.filter(counted_goal()).values_list("pk", flat=True)) == counted
        has_goals = {pk: any(g in counted for g in oracle[pk]) for pk in ids}
        assert (
            dict(
                Relationship.objects.filter(pk__in=ids)
                .annotate(flag=goals_set_exists())
                .values_list("pk", "flag")
            )
            == has_goals
        )
        # and: the pair's goals panel, the managers' progress, the journey, the nudge
        for relationship, _mentor, mentee in _pairs(pair):
            access = relationship_access(actor=mentee, relationship_id=relationship.pk)
            panel = goals_panel(access=access)
            mine = oracle[relationship.pk]
            assert panel["active_count"] == sum(1 for g in mine if g in active)
            assert panel["achieved_count"] == sum(1 for g in mine if g in completed)
        progress = goal_progress_by_relationship(relationship_ids=ids)
        assert set(progress) == {pk for pk in ids if has_goals[pk]}
        journey = relationship_signals(relationship_ids=ids)
        assert {pk: journey[pk].goals_set for pk in ids} == has_goals
        step = _auto(Completion.GOALS_SET)
        assert {pk: auto_done(step, journey[pk]) for pk in ids} == has_goals
        due_soon = _due("goal_due_soon", timezone.now())
        assert {s for s in due_soon if s.startswith("goal-")} == {f"goal-{g}" for g in active}


# --- at risk -------------------------------------------------------------------------------

# Hours ago, drawn around the six-week line (1,008 hours) as well as anywhere in three months.
HOURS_AGO = st.one_of(st.integers(0, 2_200), st.integers(1_000, 1_016))
PAIR_HISTORY = st.tuples(
    st.sampled_from(["active", "paused"]), HOURS_AGO, st.lists(HOURS_AGO, max_size=3)
)


@pytest.mark.django_db
@EXAMPLES
@given(first=PAIR_HISTORY, second=PAIR_HISTORY)
def test_at_risk_is_one_definition_for_every_reader(pair, first, second):
    with rolled_back():
        # given: two pairs, each activated some hours ago, with meetings held some hours ago
        now = timezone.now()
        oracle = {}
        for (status, activated_ago, held_ago), (relationship, mentor, _mentee) in zip(
            (first, second), _pairs(pair), strict=True
        ):
            activated = now - datetime.timedelta(hours=activated_ago)
            Relationship.objects.filter(pk=relationship.pk).update(
                status=status, activated_at=activated
            )
            for hours in held_ago:
                meeting = started(schedule(relationship, actor=mentor))
                meeting_record_held(
                    actor=mentor, relationship_id=relationship.pk, meeting_id=meeting.pk
                )
                Meeting.objects.filter(pk=meeting.pk).update(
                    held_at=now - datetime.timedelta(hours=hours)
                )
            latest = max([activated, *(now - datetime.timedelta(hours=h) for h in held_ago)])
            oracle[relationship.pk] = status == "active" and latest < now - AT_RISK_AFTER
        ids = list(oracle)
        relationships = list(Relationship.objects.filter(pk__in=ids))
        # then: the owner's per-pair answer
        last = dict(
            Relationship.objects.filter(pk__in=ids)
            .annotate(last=last_held_at())
            .values_list("pk", "last")
        )
        assert {
            r.pk: relationship_is_at_risk(
                status=r.status, activated_at=r.activated_at, last_held=last[r.pk], now=now
            )
            for r in relationships
        } == oracle
        # and: its set-based piece (what the weekly digest counts)
        assert set(
            Relationship.objects.filter(at_risk_relationship(now), pk__in=ids).values_list(
                "pk", flat=True
            )
        ) == {pk for pk, at_risk in oracle.items() if at_risk}
        # (the managers' signals and the weekly digest ask relationship health for "at risk" now:
        # tandem/health/tests check that they read its stored bucket)
