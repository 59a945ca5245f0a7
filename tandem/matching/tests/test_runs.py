"""Bulk matching runs: start -> task -> draft, draft edits, publish, discard, settings."""

import datetime
from dataclasses import dataclass

import pytest
from django.core import mail

from tandem.audit.models import AuditEntry
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.matching import engine
from tandem.matching.adapters import EXCLUDED_BY_RULE, Pool, matching_problem_build
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    MatchUnmatched,
    PairRule,
    PairRuleKind,
    RunStatus,
)
from tandem.matching.runs import services as runs
from tandem.matching.tests.factories import PairRuleFactory, enrol_person
from tandem.notifications.models import (
    Notification,
    NotificationCategory,
    OutboxMessage,
    OutboxStatus,
)
from tandem.notifications.services import notification_preferences_update
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.people.tests.factories import SkillFactory
from tandem.programs.models import Program, ProgramFormat, ProgramStatus
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.announcements import circle_announced_key, match_announced_key
from tandem.relationships.models import Circle, Relationship, RelationshipStatus
from tandem.relationships.services import relationship_propose

MENTOR = ParticipantRole.MENTOR
ZERO = {
    "skills": 0.0,
    "goals": 0.0,
    "seniority": 0.0,
    "department": 0.0,
    "timezone": 0.0,
    "language": 0.0,
    "questions": 0.0,
    "preferred": 0.0,
}


@dataclass
class Team:
    program: Program
    ada: Participant  # wants Python
    bob: Participant  # wants SQL
    cy: Participant  # wants nothing
    grace: Participant  # offers Python, one place
    linus: Participant  # offers SQL, one place


def _team(cast, **program_fields) -> Team:
    program = ProgramFactory(
        organization=cast.org, name="Engineering circle", managers=[cast.manager], **program_fields
    )
    python = SkillFactory(organization=cast.org, name="Python")
    sql = SkillFactory(organization=cast.org, name="SQL")
    return Team(
        program=program,
        ada=enrol_person(program, first_name="Ada", last_name="Lovelace", wants=[python]),
        bob=enrol_person(program, first_name="Bob", last_name="Byte", wants=[sql]),
        cy=enrol_person(program, first_name="Cy", last_name="Young"),
        grace=enrol_person(
            program, role=MENTOR, first_name="Grace", last_name="Hopper", offers=[python]
        ),
        linus=enrol_person(
            program, role=MENTOR, first_name="Linus", last_name="Torvalds", offers=[sql]
        ),
    )


def _start(cast, capture, team: Team, objective: str = "total", seed: int = 0) -> MatchRun:
    with capture(execute=True):
        run = runs.match_run_start(
            actor=cast.manager, program_id=team.program.pk, objective=objective, seed=seed
        )
    run.refresh_from_db()
    return run


def _pairs(run: MatchRun) -> list[tuple[int, int]]:
    return sorted(MatchProposal.objects.filter(run=run).values_list("mentee_id", "mentor_id"))


def _explain(run: MatchRun, mentee: Participant, mentor: Participant) -> engine.Explanation:
    built = matching_problem_build(
        program=run.program,
        pool=Pool.from_inputs(run.inputs),
        config=runs._config_of(run),
    )
    return engine.explain(built.problem, *built.pair_indices(mentee.pk, mentor.pk))


def _rows(*models) -> list[list[dict]]:
    return [list(model.objects.order_by("pk").values()) for model in models]


ALL_ROWS = (MatchRun, MatchProposal, MatchUnmatched, PairRule, Relationship, Circle)


# --- start -> draft ----------------------------------------------------------------------


def test_a_run_is_queued_with_its_inputs_then_the_task_writes_the_draft(
    cast, django_capture_on_commit_callbacks
):
    # given
    team = _team(cast)
    # when the run is started (the task runs once the transaction commits)
    with django_capture_on_commit_callbacks() as callbacks:
        queued = runs.match_run_start(
            actor=cast.manager, program_id=team.program.pk, objective="total", seed=7
        )
    # then it is queued with what it will match
    queued.refresh_from_db()
    assert (queued.status, queued.progress, queued.seed, queued.created_by) == (
        RunStatus.QUEUED,
        0,
        7,
        cast.manager,
    )
    assert queued.inputs == {
        "mentees": [team.ada.pk, team.bob.pk, team.cy.pk],
        "mentors": [team.grace.pk, team.linus.pk],
        "capacity": [1, 1],
        "pins": [],
        "exclusions": [],
    }
    assert queued.weights == {
        "skills": 4,
        "goals": 2,
        "seniority": 2,
        "department": 1,
        "timezone": 2,
        "language": 1,
        "questions": 2,
    }
    assert queued.rules["department"] == "different"
    assert len(callbacks) == 1
    # when the task runs
    callbacks[0]()
    run = MatchRun.objects.get(pk=queued.pk)
    # then the draft holds the best pairs, with scores and reasons from the engine
    assert (run.status, run.progress, run.error, run.certified_gap) == (
        RunStatus.DRAFT,
        100,
        "",
        0.0,
    )
    assert run.started_at is not None
    assert run.finished_at is not None
    assert _pairs(run) == [(team.ada.pk, team.grace.pk), (team.bob.pk, team.linus.pk)]
    ada_grace = MatchProposal.objects.get(run=run, mentee=team.ada)
    explanation = _explain(run, team.ada, team.grace)
    assert (ada_grace.score, ada_grace.is_pinned) == (6.0, False)
    assert ada_grace.contributions == {**ZERO, "skills": 4.0, "timezone": 2.0}
    assert ada_grace.reasons == explanation.reasons
    assert "Python" in ada_grace.reasons[0]
    unmatched = MatchUnmatched.objects.get(run=run)
    assert (unmatched.mentee_id, unmatched.reason, unmatched.detail) == (
        team.cy.pk,
        "no_capacity_left",
        "All allowed mentors are full.",
    )
    statistics = dict(run.statistics)
    seconds = statistics.pop("seconds")
    assert set(seconds) == {"building", "scoring", "solving", "total"}
    assert statistics == {
        "mentees": 3,
        "mentors": 2,
        "places": 2,
        "matched": 2,
        "circles": None,  # a one-to-one programme forms no circles
        "unmatched": 1,
        "matched_percent": 66.7,
        "mean_score": 6.0,
        "lowest_score": 6.0,
        "highest_score": 6.0,
        "max_score": 14.0,
        "pinned": 0,
        "histogram": [
            {"low": round(i * 1.4, 2), "high": round((i + 1) * 1.4, 2), "count": 2 if i == 4 else 0}
            for i in range(10)
        ],
        "unmatched_reasons": {"no_capacity_left": 1},
    }


def test_unmatched_mentees_are_told_why_no_mentor_was_allowed(
    cast, django_capture_on_commit_callbacks
):
    # given Cy reports to Grace, and a manager ruled Linus out for Cy
    team = _team(cast)
    profile = team.cy.user.profile
    profile.manager = team.grace.user
    profile.save(update_fields=["manager"])
    PairRuleFactory(mentor=team.linus, mentee=team.cy, kind=PairRuleKind.EXCLUDE)
    # when
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # then
    unmatched = MatchUnmatched.objects.get(run=run)
    assert (unmatched.mentee_id, unmatched.reason) == (team.cy.pk, "no_allowed_mentor")
    assert unmatched.detail == (
        "No mentor with a free place is allowed for them: 1 is ruled out because the mentor is "
        "in the mentee's reporting line; 1 is ruled out because a manager said never to pair "
        "them."
    )


def test_with_no_mentors_everyone_is_unmatched_with_a_reason(
    cast, django_capture_on_commit_callbacks
):
    # given
    program = ProgramFactory(organization=cast.org, managers=[cast.manager])
    mentee = enrol_person(program)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="fair")
    run.refresh_from_db()
    # then
    assert run.status == RunStatus.DRAFT
    assert list(MatchUnmatched.objects.filter(run=run).values_list("mentee_id", "detail")) == [
        (mentee.pk, "No mentor has a free place in this programme.")
    ]
    assert (run.statistics["matched"], run.statistics["mean_score"]) == (0, None)


@pytest.mark.parametrize("objective", ["fair", "stable"])
def test_every_objective_produces_a_draft(cast, django_capture_on_commit_callbacks, objective):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team, objective=objective)
    assert (run.status, run.objective) == (RunStatus.DRAFT, objective)
    assert _pairs(run) == [(team.ada.pk, team.grace.pk), (team.bob.pk, team.linus.pk)]


def test_a_failing_run_is_marked_failed_with_the_error(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    # given an engine that breaks
    team = _team(cast)

    def broken(*args, **kwargs):
        raise engine.InvalidProblem("a mentee is pinned to more than one mentor")

    monkeypatch.setattr(engine, "solve", broken)
    # when
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # then
    assert (run.status, run.error) == (
        RunStatus.FAILED,
        "InvalidProblem: a mentee is pinned to more than one mentor",
    )
    assert run.finished_at is not None
    assert MatchProposal.objects.filter(run=run).count() == 0
    assert MatchUnmatched.objects.filter(run=run).count() == 0


def test_executing_twice_writes_the_draft_once(cast, django_capture_on_commit_callbacks):
    # given a finished draft
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    before = _rows(MatchProposal, MatchUnmatched)
    # when the task is delivered again
    again = runs.match_run_execute(run_id=run.pk)
    # then nothing changes
    assert again is not None
    assert again.status == RunStatus.DRAFT
    assert _rows(MatchProposal, MatchUnmatched) == before


def test_a_run_left_running_by_a_dead_worker_is_executed_again_without_duplicates(
    cast, django_capture_on_commit_callbacks
):
    # given a run whose worker died after writing part of the draft
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=40)
    # when
    runs.match_run_execute(run_id=run.pk)
    # then
    run.refresh_from_db()
    assert (run.status, run.progress) == (RunStatus.DRAFT, 100)
    assert MatchProposal.objects.filter(run=run).count() == 2
    assert MatchUnmatched.objects.filter(run=run).count() == 1


def test_progress_is_written_at_most_every_interval(cast):
    # given a running run
    run = MatchRun.objects.create(program=cast.program, objective="total", status="running")
    writer = runs._ProgressWriter(run.pk, interval=3600)
    # when the engine reports often
    for fraction in (0.0, 0.2, 0.5, 0.9):
        writer(fraction)
    # then only the first report reached the database
    run.refresh_from_db()
    assert run.progress == 0
    eager = runs._ProgressWriter(run.pk, interval=0)
    eager(0.2)
    eager(0.55)
    eager(0.4)  # never goes backwards
    run.refresh_from_db()
    assert run.progress == 55


def test_start_refuses_while_another_run_is_in_progress(cast, django_capture_on_commit_callbacks):
    # given a queued run
    team = _team(cast)
    with django_capture_on_commit_callbacks():
        first = runs.match_run_start(
            actor=cast.manager, program_id=team.program.pk, objective="total"
        )
    # when / then
    with pytest.raises(Conflict, match=f"Run {first.pk} of Engineering circle is still queued"):
        runs.match_run_start(actor=cast.manager, program_id=team.program.pk, objective="total")
    assert MatchRun.objects.filter(program=team.program).count() == 1


@pytest.mark.parametrize(
    ("objective", "seed", "field"),
    [("best", 0, "objective"), ("total", -1, "seed"), ("total", 2**31, "seed")],
)
def test_start_checks_its_input(cast, objective, seed, field):
    with pytest.raises(InvalidInput) as caught:
        runs.match_run_start(
            actor=cast.manager, program_id=cast.program.pk, objective=objective, seed=seed
        )
    assert [error.field for error in caught.value.errors] == [field]
    assert MatchRun.objects.count() == 0


def test_start_refuses_archived_programmes_and_non_managers(cast):
    archived = ProgramFactory(
        organization=cast.org, status=ProgramStatus.ARCHIVED, managers=[cast.manager]
    )
    with pytest.raises(Conflict, match="archived"):
        runs.match_run_start(actor=cast.manager, program_id=archived.pk, objective="total")
    with pytest.raises(Forbidden):
        runs.match_run_start(actor=cast.mentor, program_id=cast.program.pk, objective="total")
    with pytest.raises(NotFound):
        runs.match_run_start(actor=cast.outsider, program_id=cast.program.pk, objective="total")
    assert MatchRun.objects.count() == 0


# --- editing the draft -------------------------------------------------------------------


def test_pinning_keeps_the_pair_in_every_later_run(cast, django_capture_on_commit_callbacks):
    # given a draft
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    # when
    pinned = runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk)
    # then
    assert pinned.is_pinned is True
    assert list(PairRule.objects.values_list("mentee_id", "mentor_id", "kind", "created_by")) == [
        (team.ada.pk, team.grace.pk, PairRuleKind.PIN, cast.manager.pk)
    ]
    run.refresh_from_db()
    assert run.statistics["pinned"] == 1
    # when the draft is run again around its pins
    with django_capture_on_commit_callbacks(execute=True):
        rerun = runs.match_run_rerun(actor=cast.manager, run_id=run.pk)
    # then the new draft keeps the pinned pair, and the old one is discarded
    rerun.refresh_from_db()
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED
    assert (rerun.status, rerun.objective, rerun.seed, rerun.weights) == (
        RunStatus.DRAFT,
        run.objective,
        run.seed,
        run.weights,
    )
    assert rerun.inputs["pins"] == [[team.ada.pk, team.grace.pk]]
    assert rerun.inputs["rerun_of"] == run.pk
    assert list(
        MatchProposal.objects.filter(run=rerun, is_pinned=True).values_list(
            "mentee_id", "mentor_id"
        )
    ) == [(team.ada.pk, team.grace.pk)]


def test_pinning_a_worse_pair_forces_the_next_run_around_it(
    cast, django_capture_on_commit_callbacks
):
    # given a draft where the manager takes Ada from Grace and gives Grace to Cy, pinned
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    removed = MatchProposal.objects.get(run=run, mentee=team.ada)
    runs.match_proposal_remove(actor=cast.manager, run_id=run.pk, proposal_id=removed.pk)
    added = runs.match_proposal_add(
        actor=cast.manager, run_id=run.pk, mentee_id=team.cy.pk, mentor_id=team.grace.pk
    )
    runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=added.pk)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        rerun = runs.match_run_rerun(actor=cast.manager, run_id=run.pk)
    # then Cy keeps Grace; Ada may not have Grace again and Linus is taken by Bob
    assert _pairs(rerun) == sorted([(team.cy.pk, team.grace.pk), (team.bob.pk, team.linus.pk)])
    assert list(MatchUnmatched.objects.filter(run=rerun).values_list("mentee_id", "reason")) == [
        (team.ada.pk, "no_capacity_left")
    ]


def test_unpinning_drops_the_rule(cast, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk)
    # when
    unpinned = runs.match_proposal_unpin(actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk)
    # then
    assert unpinned.is_pinned is False
    assert PairRule.objects.count() == 0
    run.refresh_from_db()
    assert run.statistics["pinned"] == 0


def test_pinning_replaces_the_mentees_other_pins(cast, django_capture_on_commit_callbacks):
    # given Ada was pinned to Linus by an older rule that the run could not honour (Linus full)
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    PairRuleFactory(mentor=team.linus, mentee=team.ada, kind=PairRuleKind.PIN)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    # when
    runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk)
    # then
    assert list(PairRule.objects.values_list("mentee_id", "mentor_id", "kind")) == [
        (team.ada.pk, team.grace.pk, PairRuleKind.PIN)
    ]


def test_removing_a_pair_excludes_it_from_later_runs(cast, django_capture_on_commit_callbacks):
    # given
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    # when
    unmatched = runs.match_proposal_remove(
        actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk
    )
    # then
    assert not MatchProposal.objects.filter(pk=proposal.pk).exists()
    assert (unmatched.mentee_id, unmatched.reason) == (team.ada.pk, "removed")
    assert unmatched.detail == (
        f"Removed from the draft by {cast.manager}; Grace Hopper will not be proposed for them "
        "again."
    )
    assert list(PairRule.objects.values_list("mentee_id", "mentor_id", "kind")) == [
        (team.ada.pk, team.grace.pk, PairRuleKind.EXCLUDE)
    ]
    run.refresh_from_db()
    assert (run.statistics["matched"], run.statistics["unmatched_reasons"]) == (
        1,
        {"no_capacity_left": 1, "removed": 1},
    )
    # and the next run respects it
    with django_capture_on_commit_callbacks(execute=True):
        rerun = runs.match_run_rerun(actor=cast.manager, run_id=run.pk)
    assert (team.ada.pk, team.grace.pk) not in _pairs(rerun)
    assert [team.ada.pk, team.grace.pk, EXCLUDED_BY_RULE] in rerun.inputs["exclusions"]


def test_swapping_exchanges_mentees_and_rescores_both_pairs(
    cast, django_capture_on_commit_callbacks
):
    # given
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    # when
    swapped = runs.match_proposals_swap(
        actor=cast.manager, run_id=run.pk, first_id=first.pk, second_id=second.pk
    )
    # then Ada now has Linus and Bob has Grace, each explained afresh
    assert [(p.pk, p.mentee_id, p.mentor_id) for p in swapped] == [
        (first.pk, team.ada.pk, team.linus.pk),
        (second.pk, team.bob.pk, team.grace.pk),
    ]
    ada_linus = MatchProposal.objects.get(pk=first.pk)
    explanation = _explain(run, team.ada, team.linus)
    assert (ada_linus.score, ada_linus.reasons) == (2.0, explanation.reasons)
    assert ada_linus.contributions == {**ZERO, "timezone": 2.0}
    run.refresh_from_db()
    assert (run.statistics["mean_score"], run.statistics["lowest_score"]) == (2.0, 2.0)


def test_a_swap_that_breaks_a_rule_changes_nothing(cast, django_capture_on_commit_callbacks):
    # given a draft, then a manager's rule that Ada never pairs with Linus
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    PairRuleFactory(mentor=team.linus, mentee=team.ada, kind=PairRuleKind.EXCLUDE)
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    before = _rows(*ALL_ROWS)
    # when / then
    with pytest.raises(Conflict) as caught:
        runs.match_proposals_swap(
            actor=cast.manager, run_id=run.pk, first_id=first.pk, second_id=second.pk
        )
    assert caught.value.detail == (
        "Linus Torvalds and Ada Lovelace: a manager said never to pair them."
    )
    assert _rows(*ALL_ROWS) == before


def test_a_swap_into_the_reporting_line_is_refused(cast, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    profile = team.bob.user.profile
    profile.manager = team.grace.user
    profile.save(update_fields=["manager"])
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    with pytest.raises(Conflict, match="reporting line"):
        runs.match_proposals_swap(
            actor=cast.manager, run_id=run.pk, first_id=first.pk, second_id=second.pk
        )


def test_swaps_of_pinned_or_same_mentor_pairs_are_refused(cast, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    with pytest.raises(InvalidInput, match="two different pairs"):
        runs.match_proposals_swap(
            actor=cast.manager, run_id=run.pk, first_id=first.pk, second_id=first.pk
        )
    runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=first.pk)
    with pytest.raises(Conflict, match="pinned; unpin them before swapping"):
        runs.match_proposals_swap(
            actor=cast.manager, run_id=run.pk, first_id=first.pk, second_id=second.pk
        )
    with pytest.raises(NotFound):
        runs.match_proposals_swap(
            actor=cast.manager, run_id=run.pk, first_id=second.pk, second_id=999_999
        )


def test_adding_a_pair_by_hand_respects_places_and_rules(cast, django_capture_on_commit_callbacks):
    # given a draft where Cy is unmatched and both mentors are full
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # when / then a full mentor is refused
    with pytest.raises(Conflict, match=r"Grace Hopper has no place left in this draft \(1 of 1"):
        runs.match_proposal_add(
            actor=cast.manager, run_id=run.pk, mentee_id=team.cy.pk, mentor_id=team.grace.pk
        )
    # and someone who is not unmatched is refused
    with pytest.raises(InvalidInput, match="not on this draft's unmatched list"):
        runs.match_proposal_add(
            actor=cast.manager, run_id=run.pk, mentee_id=team.ada.pk, mentor_id=team.linus.pk
        )
    # when a place frees up
    bob = MatchProposal.objects.get(run=run, mentee=team.bob)
    runs.match_proposal_remove(actor=cast.manager, run_id=run.pk, proposal_id=bob.pk)
    # then the removed pair cannot be added back
    with pytest.raises(Conflict, match="a manager said never to pair them"):
        runs.match_proposal_add(
            actor=cast.manager, run_id=run.pk, mentee_id=team.bob.pk, mentor_id=team.linus.pk
        )
    # but Cy can take the place
    added = runs.match_proposal_add(
        actor=cast.manager, run_id=run.pk, mentee_id=team.cy.pk, mentor_id=team.linus.pk
    )
    assert (added.mentee_id, added.mentor_id, added.score, added.is_pinned) == (
        team.cy.pk,
        team.linus.pk,
        2.0,
        False,
    )
    assert added.reasons == _explain(run, team.cy, team.linus).reasons
    assert list(MatchUnmatched.objects.filter(run=run).values_list("mentee_id", flat=True)) == [
        team.bob.pk
    ]
    run.refresh_from_db()
    assert (run.statistics["matched"], run.statistics["unmatched_reasons"]) == (
        2,
        {"removed": 1},
    )


def test_a_mentor_outside_the_run_cannot_be_added(cast, django_capture_on_commit_callbacks):
    # given a draft; a mentor who joins afterwards was not part of it
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    latecomer = enrol_person(team.program, role=MENTOR, capacity=2)
    with pytest.raises(Conflict, match="no place left in this draft"):
        runs.match_proposal_add(
            actor=cast.manager, run_id=run.pk, mentee_id=team.cy.pk, mentor_id=latecomer.pk
        )


def test_edits_need_a_draft(cast, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    runs.match_run_discard(actor=cast.manager, run_id=run.pk)
    with pytest.raises(Conflict, match="cannot be edited: it is 'discarded'"):
        runs.match_proposal_pin(actor=cast.manager, run_id=run.pk, proposal_id=proposal.pk)
    with pytest.raises(Conflict, match="cannot be published: it is 'discarded'"):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    assert PairRule.objects.count() == 0


# --- publish -----------------------------------------------------------------------------


def test_publishing_opens_the_relationships_and_emails_both_people(
    cast, django_capture_on_commit_callbacks
):
    # given a draft
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    ada_grace = MatchProposal.objects.get(run=run, mentee=team.ada)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        published = runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then
    run.refresh_from_db()
    assert (run.status, run.published_by) == (RunStatus.PUBLISHED, cast.manager)
    assert run.published_at is not None
    assert published.pk == run.pk
    relationships = list(
        Relationship.objects.order_by("mentee_id").values_list(
            "program_id", "mentee_id", "mentor_id", "status", "source", "match_score", "circle"
        )
    )
    assert relationships == [
        (
            team.program.pk,
            team.ada.pk,
            team.grace.pk,
            RelationshipStatus.PROPOSED,
            "bulk",
            6.0,
            None,
        ),
        (
            team.program.pk,
            team.bob.pk,
            team.linus.pk,
            RelationshipStatus.PROPOSED,
            "bulk",
            6.0,
            None,
        ),
    ]
    assert Relationship.objects.get(mentee=team.ada).match_explanation == {
        "contributions": ada_grace.contributions,
        "reasons": ada_grace.reasons,
    }
    counts = dict(
        Participant.objects.filter(program=team.program).values_list("pk", "matched_count")
    )
    assert counts == {
        team.ada.pk: 1,
        team.bob.pk: 1,
        team.cy.pk: 0,
        team.grace.pk: 1,
        team.linus.pk: 1,
    }
    # and both people of each pair got a short email naming their match and the reasons
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (team.ada.user.email, "Your mentor in Engineering circle: Grace Hopper"),
            (team.grace.user.email, "Your mentee in Engineering circle: Ada Lovelace"),
            (team.bob.user.email, "Your mentor in Engineering circle: Linus Torvalds"),
            (team.linus.user.email, "Your mentee in Engineering circle: Bob Byte"),
        ]
    )
    to_ada = next(m for m in mail.outbox if m.to == [team.ada.user.email])
    assert f"Grace Hopper ({team.grace.user.email}) will be your mentor" in to_ada.body
    assert f"- {ada_grace.reasons[0]}" in to_ada.body
    run.refresh_from_db()
    assert run.statistics["emails_sent"] == 4
    # and sending again sends nothing more
    assert runs.match_run_notify(run_id=run.pk) == 0
    assert len(mail.outbox) == 4


def _outbox() -> list[tuple[str, str, int, str, str]]:
    return sorted(
        OutboxMessage.objects.values_list("key", "rule", "recipient_id", "category", "status")
    )


def test_publishing_writes_one_announcement_per_person_under_the_match_announced_key(
    cast, django_capture_on_commit_callbacks
):
    # given a draft
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # when published, inside its transaction (before any delivery)
    with django_capture_on_commit_callbacks() as callbacks:
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then each person of each pair is owed one email, under the key of the nudge rule
    ada_grace = Relationship.objects.get(mentee=team.ada)
    bob_linus = Relationship.objects.get(mentee=team.bob)

    def owed(relationship: Relationship, participant: Participant) -> tuple:
        key = match_announced_key(
            relationship_id=relationship.pk,
            recipient_id=participant.user_id,
            opened_at=relationship.created_at,
        )
        return (key, "match_announced", participant.user_id, "welcome", OutboxStatus.PENDING)

    assert _outbox() == sorted(
        [
            owed(ada_grace, team.ada),
            owed(ada_grace, team.grace),
            owed(bob_linus, team.bob),
            owed(bob_linus, team.linus),
        ]
    )
    day = ada_grace.created_at.astimezone(datetime.UTC).date().isoformat()
    assert (
        owed(ada_grace, team.ada)[0] == f"match_announced:{ada_grace.pk}:{team.ada.user_id}:{day}"
    )
    assert sorted(Notification.objects.values_list("user_id", "title")) == sorted(
        [
            (team.ada.user_id, "Your mentor in Engineering circle: Grace Hopper"),
            (team.grace.user_id, "Your mentee in Engineering circle: Ada Lovelace"),
            (team.bob.user_id, "Your mentor in Engineering circle: Linus Torvalds"),
            (team.linus.user_id, "Your mentee in Engineering circle: Bob Byte"),
        ]
    )
    assert mail.outbox == []
    # when the transaction commits, delivery sends them, links to the pair's workspace
    for callback in callbacks:
        callback()
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 4
    to_ada = next(m for m in mail.outbox if m.to == [team.ada.user.email])
    assert f"/relationships/{ada_grace.pk}/" in to_ada.body
    assert to_ada.extra_headers["X-Tandem-Outbox-Key"] == owed(ada_grace, team.ada)[0]
    # and announcing again (the task of an older deploy) writes nothing
    assert runs.match_run_notify(run_id=run.pk) == 0
    assert OutboxMessage.objects.count() == 4


def test_a_person_who_chose_in_app_only_for_announcements_gets_no_email(
    cast, django_capture_on_commit_callbacks
):
    # given Ada wants welcome and match announcements in the app only
    team = _team(cast)
    notification_preferences_update(
        actor=team.ada.user, channels={NotificationCategory.WELCOME: "in_app"}
    )
    run = _start(cast, django_capture_on_commit_callbacks, team)
    # when published
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then she has the in-app copy and her key is recorded, but no email was sent to her
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [team.grace.user.email, team.bob.user.email, team.linus.user.email]
    )
    assert OutboxMessage.objects.get(recipient=team.ada.user).status == OutboxStatus.SKIPPED
    assert list(
        Notification.objects.filter(user=team.ada.user).values_list("title", flat=True)
    ) == ["Your mentor in Engineering circle: Grace Hopper"]
    run.refresh_from_db()
    assert run.statistics["emails_sent"] == 3


def test_a_conflict_on_publish_changes_nothing(cast, django_capture_on_commit_callbacks):
    # given a draft, after which Bob was paired with Linus by someone else
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    other = enrol_person(team.program, role=MENTOR, first_name="Olga", last_name="Other")
    relationship_propose(mentor=other, mentee=team.bob, source="manual")
    before = _rows(*ALL_ROWS, Participant)
    # when / then
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    assert caught.value.detail == (
        "Nothing was published. Linus Torvalds and Bob Byte: Bob Byte already has a mentor in "
        "this programme."
    )
    assert [e.as_dict() for e in caught.value.errors] == [
        {
            "field": "pair",
            "message": "Linus Torvalds and Bob Byte: Bob Byte already has a mentor in this "
            "programme.",
        }
    ]
    assert _rows(*ALL_ROWS, Participant) == before
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == Notification.objects.count() == 0


def test_publish_checks_pairs_again_against_todays_rules(cast, django_capture_on_commit_callbacks):
    # given a draft; then Grace declined Ada and Linus withdrew
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    from tandem.matching.tests.factories import SuggestionDeclineFactory

    SuggestionDeclineFactory(mentor=team.grace, mentee=team.ada)
    Participant.objects.filter(pk=team.linus.pk).update(status=ParticipantStatus.WITHDRAWN)
    before = _rows(*ALL_ROWS)
    # when / then
    with pytest.raises(Conflict) as caught:
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    assert [e.message for e in caught.value.errors] == [
        "Grace Hopper and Ada Lovelace: the mentor declined this mentee.",
        "Linus Torvalds and Bob Byte: Linus Torvalds is no longer enrolled.",
    ]
    assert _rows(*ALL_ROWS) == before


def test_a_draft_with_no_pairs_cannot_be_published(cast, django_capture_on_commit_callbacks):
    program = ProgramFactory(organization=cast.org, managers=[cast.manager])
    enrol_person(program)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    with pytest.raises(Conflict, match="no pairs to publish"):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)


def test_discarding_keeps_the_draft_for_the_record(cast, django_capture_on_commit_callbacks):
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    discarded = runs.match_run_discard(actor=cast.manager, run_id=run.pk)
    assert discarded.status == RunStatus.DISCARDED
    assert MatchProposal.objects.filter(run=run).count() == 2
    with pytest.raises(Conflict, match="cannot be discarded: it is 'discarded'"):
        runs.match_run_discard(actor=cast.manager, run_id=run.pk)


def test_a_run_discarded_while_running_writes_no_draft(cast, django_capture_on_commit_callbacks):
    # given a queued run that the manager cancels before the worker finishes
    team = _team(cast)
    with django_capture_on_commit_callbacks() as callbacks:
        run = runs.match_run_start(
            actor=cast.manager, program_id=team.program.pk, objective="total"
        )
    real_solve = engine.solve

    def solve_then_cancel(*args, **kwargs):
        result = real_solve(*args, **kwargs)
        MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.DISCARDED)
        return result

    engine_solve = pytest.MonkeyPatch()
    engine_solve.setattr(engine, "solve", solve_then_cancel)
    try:
        callbacks[0]()
    finally:
        engine_solve.undo()
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED
    assert MatchProposal.objects.filter(run=run).count() == 0


# --- circles -----------------------------------------------------------------------------


def test_forming_circles_caps_them_and_names_each_after_what_its_mentees_share(
    cast, django_capture_on_commit_callbacks
):
    # given a group programme with circles of at most 2; five mentees, two big mentors
    program = ProgramFactory(
        organization=cast.org,
        name="Confidence circles",
        format=ProgramFormat.GROUP,
        max_circle_size=2,
        managers=[cast.manager],
    )
    speaking = SkillFactory(organization=cast.org, name="Confidence and visibility")
    python = SkillFactory(organization=cast.org, name="Python")
    mentees = [enrol_person(program, wants=[speaking]) for _ in range(2)]
    mentees += [enrol_person(program, wants=[python]) for _ in range(2)]
    mentees.append(enrol_person(program))
    speaker = enrol_person(program, role=MENTOR, capacity=6, offers=[speaking])
    coder = enrol_person(program, role=MENTOR, capacity=6, offers=[python])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    run.refresh_from_db()
    # then each circle holds at most two mentees
    assert run.inputs["capacity"] == [2, 2]
    assert _pairs(run) == sorted(
        [(m.pk, speaker.pk) for m in mentees[:2]] + [(m.pk, coder.pk) for m in mentees[2:4]]
    )
    # when published
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then one circle per mentor, named after its mentees' shared skill
    circles = {c.mentor_id: c for c in Circle.objects.filter(program=program)}
    assert {mentor: c.topic for mentor, c in circles.items()} == {
        speaker.pk: "Confidence and visibility",
        coder.pk: "Python",
    }
    assert sorted(
        Relationship.objects.filter(program=program).values_list("mentee_id", "circle__mentor_id")
    ) == sorted(
        [(m.pk, speaker.pk) for m in mentees[:2]] + [(m.pk, coder.pk) for m in mentees[2:4]]
    )
    # and the emails: each mentee one, each mentor one listing the circle
    assert len(mail.outbox) == 6
    to_speaker = next(m for m in mail.outbox if m.to == [speaker.user.email])
    assert to_speaker.subject == "Your mentoring circle in Confidence circles"
    assert "'Confidence and visibility'" in to_speaker.body
    assert all(str(m.user) in to_speaker.body for m in mentees[:2])
    # and in the outbox: the circle's key for its mentor, who is not told pair by pair (the
    # mentor's key of each pair is recorded as covered), and each mentee's pair key
    circle = circles[speaker.pk]
    in_circle = list(Relationship.objects.filter(circle=circle).order_by("pk"))
    assert sorted(
        OutboxMessage.objects.filter(recipient=speaker.user).values_list(
            "key", "status", "last_error"
        )
    ) == sorted(
        [
            (
                circle_announced_key(
                    circle_id=circle.pk, recipient_id=speaker.user_id, opened_at=circle.created_at
                ),
                OutboxStatus.SENT,
                "",
            )
        ]
        + [
            (
                match_announced_key(
                    relationship_id=relationship.pk,
                    recipient_id=speaker.user_id,
                    opened_at=relationship.created_at,
                ),
                OutboxStatus.SKIPPED,
                runs.COVERED_BY_CIRCLE,
            )
            for relationship in in_circle
        ]
    )
    assert OutboxMessage.objects.get(recipient=mentees[0].user).key == match_announced_key(
        relationship_id=in_circle[0].pk,
        recipient_id=mentees[0].user_id,
        opened_at=in_circle[0].created_at,
    )
    assert Notification.objects.filter(user=speaker.user).count() == 1


# --- settings ----------------------------------------------------------------------------


def test_settings_are_saved_over_the_defaults(cast):
    # when
    saved = runs.matching_settings_update(
        actor=cast.manager,
        program_id=cast.program.pk,
        change=runs.SettingsChange(
            weights={"skills": 5, "goals": 0},
            seniority_gap_min=0,
            seniority_gap_max=2,
            department="same",
            require_shared_language=True,
            allow_self_matching=False,
            request_expiry_days=7,
        ),
    )
    # then
    row = MatchingSettings.objects.get(program=cast.program)
    assert row.pk == saved.pk
    assert row.weights == {
        "skills": 5,
        "goals": 0,
        "seniority": 2,
        "department": 1,
        "timezone": 2,
        "language": 1,
        "questions": 2,
    }
    assert row.rules == {
        "seniority_gap_min": 0,
        "seniority_gap_max": 2,
        "department": "same",
        "shared_hours_target": 4.0,
        "require_shared_language": True,
        "questions": {},
    }
    assert (row.allow_self_matching, row.requests_need_approval, row.request_expiry_days) == (
        False,
        False,
        7,
    )


def test_settings_report_every_mistake_and_save_nothing(cast):
    from tandem.programs.models import QuestionKind
    from tandem.programs.tests.factories import EnrollmentQuestionFactory

    scale = EnrollmentQuestionFactory(
        program=cast.program, kind=QuestionKind.SCALE, use_for_matching=True, prompt="Pace?"
    )
    with pytest.raises(InvalidInput) as caught:
        runs.matching_settings_update(
            actor=cast.manager,
            program_id=cast.program.pk,
            change=runs.SettingsChange(
                weights={"skills": 9, "charm": 1},
                seniority_gap_min=3,
                seniority_gap_max=1,
                department="nearby",
                question_modes={str(scale.pk): "sideways", "999": "same"},
                request_expiry_days=0,
            ),
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("weights.skills", "The weight of skills must be a whole number from 0 to 5."),
        (
            "weights.charm",
            "'charm' is not a criterion. Use skills, goals, seniority, department, timezone, "
            "language, questions.",
        ),
        ("seniority_gap_max", "The largest seniority gap must not be smaller than the smallest."),
        ("department", "Choose 'different', 'same' or 'either' for departments."),
        (
            f"question_modes.{scale.pk}",
            "'Pace?' can be compared by closer, same, different, not 'sideways'.",
        ),
        (
            "question_modes.999",
            "Question 999 is not one of Leadership cohort's matching questions.",
        ),
        ("request_expiry_days", "Requests expire after 1 to 90 days."),
    ]
    assert MatchingSettings.objects.count() == 0


def test_settings_need_a_manager(cast):
    with pytest.raises(Forbidden):
        runs.matching_settings_update(
            actor=cast.other_manager, program_id=cast.program.pk, change=runs.SettingsChange()
        )
    assert MatchingSettings.objects.count() == 0


def test_publishing_withdraws_the_open_requests_of_mentees_it_matches(
    cast, django_capture_on_commit_callbacks
):
    # given Ada asked Linus herself while the manager's draft pairs her with Grace
    from tandem.matching.models import MatchRequest, RequestStatus
    from tandem.matching.requests.services import match_request_create

    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    request = match_request_create(
        actor=team.ada.user, program_id=team.program.pk, mentor_participant_id=team.linus.pk
    )
    # when the draft is published
    with django_capture_on_commit_callbacks(execute=True):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then her request is closed, with the reason, so Linus cannot accept it any more
    request = MatchRequest.objects.get(pk=request.pk)
    assert (request.status, request.response_message) == (
        RequestStatus.WITHDRAWN,
        "Withdrawn automatically: the programme matched you with a mentor.",
    )


@pytest.mark.parametrize("who", ["a mentee of the draft", "a mentor of another programme"])
def test_only_a_mentor_of_the_programme_can_be_added_by_hand(
    cast, django_capture_on_commit_callbacks, who
):
    # given a draft where Cy is unmatched, and someone who is not one of its mentors
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    elsewhere = ProgramFactory(organization=cast.org, name="Elsewhere")
    not_a_mentor = {
        "a mentee of the draft": team.ada,
        "a mentor of another programme": enrol_person(
            elsewhere, role=MENTOR, first_name="Ken", last_name="Thompson"
        ),
    }[who]
    before = _rows(MatchProposal, MatchUnmatched)
    # when
    with pytest.raises(InvalidInput) as refused:
        runs.match_proposal_add(
            actor=cast.manager, run_id=run.pk, mentee_id=team.cy.pk, mentor_id=not_a_mentor.pk
        )
    # then
    assert refused.value.errors[0].field == "mentor_id"
    assert refused.value.errors[0].message == "That mentor is not in this programme."
    assert _rows(MatchProposal, MatchUnmatched) == before


def test_publishing_is_recorded_in_the_audit_trail(cast, django_capture_on_commit_callbacks):
    # given a draft of two pairs
    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    pairs = MatchProposal.objects.filter(run=run).count()
    # when
    runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    # then
    entry = AuditEntry.objects.get(event="match_run.published")
    assert (entry.organization_id, entry.actor_id, entry.object_pk) == (
        cast.org.pk,
        cast.manager.pk,
        str(run.pk),
    )
    assert entry.additional_data == {"program_id": team.program.pk, "pairs": pairs}
