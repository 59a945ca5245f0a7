"""Every use case that changes who is matched takes its row locks in the one order of
docs/architecture.md ("Lock order"), on bare rows: read from the SQL PostgreSQL is sent.

For each use case the locking statements are captured; each must lock one table's rows only
(no join, or FOR ... OF the one table) ordered by nothing but the key, and the first lock on
each table must come in the documented order: match run, programme, participants, match
requests, relationships. (A later statement on a table already locked re-locks rows the
transaction holds, as `relationship_propose` does inside an accept.)

PostgreSQL only: SQLite has no row locks (Django sends no FOR UPDATE there).
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.matching.models import MatchingSettings
from tandem.matching.requests import services
from tandem.matching.runs.services import match_run_publish
from tandem.matching.tests.factories import MatchProposalFactory, MatchRunFactory
from tandem.matching.tests.requests_world import ask, mentee_in, mentor_in
from tandem.participants.services import participant_set_capacity, participant_withdraw
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_transition

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks exist on PostgreSQL only"
)

RANK = {
    "matching_matchrun": 1,
    "programs_program": 2,
    "participants_participant": 3,
    "matching_matchrequest": 4,
    "relationships_relationship": 5,
}
_LOCK = re.compile(r" FOR (NO KEY )?UPDATE( OF (?P<of>[^;]+?))?( SKIP LOCKED)?$")
_FROM = re.compile(r' FROM "(?P<table>\w+)"')


def _locks(sql_statements: list[str]) -> list[tuple[str, str]]:
    """(table, statement) of each locking statement, in the order sent."""
    found = []
    for sql in sql_statements:
        lock = _LOCK.search(sql.strip())
        if lock is None:
            continue
        of = lock.group("of")
        if " JOIN " in sql:
            # a join is allowed only when the lock names the one table it takes
            assert of is not None, f"a lock on joined rows: {sql}"
            assert "," not in of, f"a lock on joined rows: {sql}"
            table = of.strip().strip('"')
        else:
            table = _FROM.search(sql).group("table")
        found.append((table, sql))
    return found


def _assert_lock_order(run: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    locks = _locks([query["sql"] for query in queries.captured_queries])
    first: list[str] = []
    for table, _ in locks:
        if table not in first:
            first.append(table)
    ranked = [RANK[table] for table in first if table in RANK]
    assert ranked == sorted(ranked), first
    return first


@pytest.fixture
def world(db):
    program = ProgramFactory(name="Leadership cohort")
    admin = UserFactory(organization=program.organization, role=Role.ORG_ADMIN)
    mentors = [mentor_in(program, name, capacity=3) for name in ("Ada", "Bo", "Cy")]
    mentees = [mentee_in(program, name) for name in ("Di", "Ed", "Flo", "Gus")]
    return program, admin, mentors, mentees


def test_accept_locks_programme_then_people_then_requests(world):
    # given a mentee who asked two mentors
    _, _, mentors, mentees = world
    first, _second = ask(mentees[0], mentors[0]), ask(mentees[0], mentors[1])
    # when the first accepts / then
    first_locks = _assert_lock_order(
        lambda: services.match_request_accept(actor=mentors[0].user, request_id=first.pk)
    )
    assert first_locks[:3] == [
        "programs_program",
        "participants_participant",
        "matching_matchrequest",
    ]


@pytest.mark.parametrize("verb", ["decline", "withdraw", "approve", "reject"])
def test_every_other_decision_locks_like_an_accept(world, verb):
    # given a request waiting for the one who decides (a manager for approve and reject)
    program, admin, mentors, mentees = world
    if verb in ("approve", "reject"):
        MatchingSettings.objects.create(program=program, requests_need_approval=True)
    asked = ask(mentees[0], mentors[0])
    actor = {
        "decline": mentors[0].user,
        "withdraw": mentees[0].user,
        "approve": admin,
        "reject": admin,
    }[verb]
    decide = getattr(services, f"match_request_{verb}")
    # when / then
    assert _assert_lock_order(lambda: decide(actor=actor, request_id=asked.pk))[:3] == [
        "programs_program",
        "participants_participant",
        "matching_matchrequest",
    ]


def test_never_suggest_again_locks_people_then_requests(world):
    program, _, mentors, mentees = world
    ask(mentees[0], mentors[0])
    assert _assert_lock_order(
        lambda: services.suggestion_decline_create(
            actor=mentors[0].user,
            program_id=program.pk,
            mentor_participant_id=mentors[0].pk,
            mentee_participant_id=mentees[0].pk,
        )
    ) == ["participants_participant", "matching_matchrequest"]


def test_the_expiry_job_locks_requests_only_skipping_those_taken(world):
    _, _, mentors, mentees = world
    asked = ask(mentees[0], mentors[0])
    type(asked).objects.filter(pk=asked.pk).update(expires_at=asked.created_at)
    with CaptureQueriesContext(connection) as queries:
        services.match_request_expire_lapsed()
    locks = _locks([q["sql"] for q in queries.captured_queries])
    assert [table for table, _ in locks] == ["matching_matchrequest"]
    assert locks[0][1].endswith("FOR NO KEY UPDATE SKIP LOCKED")


def test_publish_locks_run_programme_then_every_person_then_requests(world):
    program, admin, mentors, mentees = world
    ask(mentees[0], mentors[0])
    run = MatchRunFactory(program=program, created_by=admin)
    # pairs listed against the id order, so the draft's order is not the lock order
    for mentor, mentee in zip(reversed(mentors), mentees, strict=False):
        MatchProposalFactory(run=run, mentor=mentor, mentee=mentee)
    first = _assert_lock_order(lambda: match_run_publish(actor=admin, run_id=run.pk))
    assert first[:4] == [
        "matching_matchrun",
        "programs_program",
        "participants_participant",
        "matching_matchrequest",
    ]


@pytest.mark.parametrize("action", ["end", "complete"])
def test_a_relationship_that_frees_places_locks_people_then_itself(world, action):
    _, _, mentors, mentees = world
    asked = ask(mentees[0], mentors[0])
    services.match_request_accept(actor=mentors[0].user, request_id=asked.pk)
    # (accepting started the pair, so it can be completed or ended)
    relationship = Relationship.objects.get()
    first = _assert_lock_order(
        lambda: relationship_transition(
            actor=mentors[0].user,
            relationship_id=relationship.pk,
            action=action,
            reason="Moving teams",
        )
    )
    assert first == ["participants_participant", "relationships_relationship"]


def test_capacity_change_and_withdrawal_lock_the_one_person(world):
    _, _, mentors, mentees = world
    assert _assert_lock_order(
        lambda: participant_set_capacity(
            actor=mentors[0].user, participant_id=mentors[0].pk, capacity=2
        )
    ) == ["participants_participant"]
    assert _assert_lock_order(
        lambda: participant_withdraw(actor=mentees[3].user, participant_id=mentees[3].pk)
    ) == ["participants_participant"]
