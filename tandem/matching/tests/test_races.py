"""Two requests at the same moment, over real HTTP, on the real database: whatever the order
the database lets them in, nobody gets a server error, every refusal is problem+json naming
what happened, the legitimate one is never lost to a deadlock, and the places add up.

Each scenario pairs an accept with something that touches the same people or requests:
a decline, a withdrawal, the expiry job, a bulk run's publish, a capacity change, a
relationship ending. Each is run many times (on PostgreSQL; a few times on SQLite, whose
one-writer-at-a-time database cannot deadlock but must still answer every race plainly),
with two threads, each its own test client and database connection, released together.

The invariants checked after every trial (`_assert_consistent`):
- a mentor's matched_count equals their open relationships and never exceeds capacity;
- a mentee has at most one open relationship, and their matched_count counts the
  relationships that hold their place (open ones, and closed ones that did not ask for a
  new match: `relationship_transition` frees a mentee's place only then);
- a request is accepted exactly when its pair has a relationship opened from a request, and
  no mentee with an open relationship still has an open request.

Run on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_conc \
        .venv/bin/pytest -p no:cacheprovider -q tandem/matching/tests/test_races.py
"""

import datetime
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Q
from django.utils import timezone

from conftest import ApiClient
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.core.transactions import TRY_AGAIN
from tandem.matching.models import MatchProposal, MatchRequest, MatchRun, RequestStatus, RunStatus
from tandem.matching.requests.selectors import OPEN_STATUSES
from tandem.matching.tests.factories import MatchRunFactory
from tandem.matching.tests.requests_world import ask, mentee_in, mentor_in
from tandem.participants.models import Participant, ParticipantRole
from tandem.programs.models import Program
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship, RelationshipSource, RelationshipStatus

OPEN_RELATIONSHIP = [
    RelationshipStatus.PROPOSED,
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
]
OK = (200, "")


def _trials() -> int:
    # PostgreSQL is where row locks can deadlock; SQLite serialises writers, so a few trials
    # there check that every race still ends in a plain answer.
    return 20 if connection.vendor == "postgresql" else 3


@dataclass(frozen=True)
class Outcome:
    status: int
    detail: str

    @property
    def pair(self) -> tuple[int, str]:
        return (self.status, self.detail)


def _http(client: ApiClient, path: str, body: dict | None = None) -> Callable[[], Outcome]:
    def call() -> Outcome:
        response = client.post(path, body)
        if response.status_code < 300:
            return Outcome(response.status_code, "")
        # Every refusal is problem+json; a 5xx would be a failure of the test, not an outcome.
        assert response["Content-Type"] == "application/problem+json", response.content
        problem = json.loads(response.content)
        assert problem["status"] == response.status_code
        return Outcome(response.status_code, problem["detail"])

    return call


def _expiry_job() -> Outcome:
    call_command("expire_match_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Outcome(200, "")


def _race(*actions: Callable[[], Outcome]) -> list[Outcome]:
    """Run each action in its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Outcome | BaseException | None] = [None] * len(actions)

    def run(position: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[position] = actions[position]()
        except BaseException as error:  # reported below: a server error is a failed test
            outcomes[position] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    for outcome in outcomes:
        if not isinstance(outcome, Outcome):
            raise AssertionError(f"a request failed instead of answering: {outcome!r}")
        assert outcome.status < 500, outcome
        assert outcome.detail != TRY_AGAIN, "a deadlock reached the caller: the lock order broke"
    return [outcome for outcome in outcomes if isinstance(outcome, Outcome)]


def _assert_consistent(program: Program) -> None:
    mentor_open = Q(relationships_as_mentor__status__in=OPEN_RELATIONSHIP)
    mentee_open = Q(relationships_as_mentee__status__in=OPEN_RELATIONSHIP)
    people = Participant.objects.filter(program=program).annotate(
        open_as_mentor=Count("relationships_as_mentor", filter=mentor_open, distinct=True),
        open_as_mentee=Count("relationships_as_mentee", filter=mentee_open, distinct=True),
        place_held=Count(
            "relationships_as_mentee",
            filter=mentee_open | Q(relationships_as_mentee__wants_new_match=False),
            distinct=True,
        ),
    )
    for person in people:
        if person.role == ParticipantRole.MENTOR:
            assert person.matched_count == person.open_as_mentor, person
            assert person.matched_count <= person.capacity, person
        else:
            assert person.open_as_mentee <= 1, person
            assert person.matched_count == person.place_held, person
    from_requests = set(
        Relationship.objects.filter(program=program, source=RelationshipSource.REQUEST).values_list(
            "mentor_id", "mentee_id"
        )
    )
    accepted = set(
        MatchRequest.objects.filter(program=program, status=RequestStatus.ACCEPTED).values_list(
            "mentor_id", "mentee_id"
        )
    )
    assert accepted == from_requests
    matched_mentees = Relationship.objects.filter(program=program, status__in=OPEN_RELATIONSHIP)
    assert not MatchRequest.objects.filter(
        mentee_id__in=matched_mentees.values("mentee_id"), status__in=OPEN_STATUSES
    ).exists()


def _statuses(*requests: MatchRequest) -> list[str]:
    by_id = dict(
        MatchRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list("pk", "status")
    )
    return [by_id[r.pk] for r in requests]


def _cannot(verb: str, status: str) -> tuple[int, str]:
    return (409, f"This request cannot be {verb}: its status is '{status}'.")


@pytest.fixture
def program(database_with_real_locking: None) -> Program:
    return ProgramFactory(name="Leadership cohort")


@pytest.fixture(autouse=True)
def no_lost_race(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Not even a retried one: `atomic_with_retry` logs every lost race, and with one lock
    order there is none to log (a retry would hide a deadlock from the assertions above)."""
    caplog.set_level(logging.WARNING, logger="tandem.core.transactions")
    yield
    lost = [r.getMessage() for r in caplog.records if r.name == "tandem.core.transactions"]
    assert lost == []


@pytest.mark.django_db(transaction=True)
def test_accept_racing_a_decline_of_another_request_of_the_mentee(program):
    for trial in range(_trials()):
        # given a mentee who asked two mentors
        mentee = mentee_in(program, f"Ana{trial}")
        first, second = (mentor_in(program, f"M{trial}x{i}", capacity=3) for i in (1, 2))
        accepted, declined = ask(mentee, first), ask(mentee, second)
        # when the first accepts while the second declines (for good on odd trials)
        accept, decline = _race(
            _http(ApiClient(first.user), f"match-requests/{accepted.pk}/accept"),
            _http(
                ApiClient(second.user),
                f"match-requests/{declined.pk}/decline",
                {"message": "Full this term", "do_not_suggest_again": trial % 2 == 1},
            ),
        )
        # then the accept always wins; the decline either came first or finds it withdrawn
        assert accept.pair == OK
        assert decline.pair in {OK, _cannot("declined", "withdrawn")}
        expected = "declined" if decline.pair == OK else "withdrawn"
        assert _statuses(accepted, declined) == ["accepted", expected]
        _assert_consistent(program)


@pytest.mark.django_db(transaction=True)
def test_accept_racing_a_withdrawal(program):
    for trial in range(_trials()):
        # given a mentee who asked two mentors
        mentee = mentee_in(program, f"Ben{trial}")
        first, second = (mentor_in(program, f"W{trial}x{i}", capacity=3) for i in (1, 2))
        asked, other = ask(mentee, first), ask(mentee, second)
        # when the first mentor accepts while the mentee withdraws that same request (even
        # trials) or the other one (odd trials)
        withdrawn = asked if trial % 2 == 0 else other
        accept, withdraw = _race(
            _http(ApiClient(first.user), f"match-requests/{asked.pk}/accept"),
            _http(ApiClient(mentee.user), f"match-requests/{withdrawn.pk}/withdraw"),
        )
        # then exactly one story happened, told plainly to the one who lost
        if withdrawn is asked:
            assert {accept.pair, withdraw.pair} in (
                {OK, _cannot("withdrawn", "accepted")},
                {OK, _cannot("accepted", "withdrawn")},
            )
            assert _statuses(asked, other) == (
                ["accepted", "withdrawn"] if accept.pair == OK else ["withdrawn", "pending"]
            )
        else:
            assert accept.pair == OK
            assert withdraw.pair in {OK, _cannot("withdrawn", "withdrawn")}
            assert _statuses(asked, other) == ["accepted", "withdrawn"]
        _assert_consistent(program)


@pytest.mark.django_db(transaction=True)
def test_accept_racing_the_expiry_job(program):
    for trial in range(_trials()):
        # given a mentee with three requests, two of them past their expiry (and on odd
        # trials the one being accepted too)
        mentee = mentee_in(program, f"Cy{trial}")
        mentors = [mentor_in(program, f"E{trial}x{i}", capacity=3) for i in range(3)]
        asked, *others = [ask(mentee, mentor) for mentor in mentors]
        lapsed = others + ([asked] if trial % 2 else [])
        past = timezone.now() - datetime.timedelta(days=1)
        MatchRequest.objects.filter(pk__in=[r.pk for r in lapsed]).update(expires_at=past)
        # when the mentor accepts while the expiry job runs
        accept, expiry = _race(
            _http(ApiClient(mentors[0].user), f"match-requests/{asked.pk}/accept"),
            _expiry_job,
        )
        # then a fresh request is accepted and a lapsed one is refused; the others end
        # withdrawn by the accept or expired by the job, whichever came first
        assert expiry.pair == OK
        if trial % 2 == 0:
            assert accept.pair == OK
            assert _statuses(asked) == ["accepted"]
            assert set(_statuses(*others)) <= {"withdrawn", "expired"}
        else:
            assert accept.status == 409
            assert accept.detail.startswith("This request expired on ")
            assert accept.detail.endswith("; it can no longer be accepted.")
            assert _statuses(*others) == ["expired", "expired"]
            # pending: the job skipped it while the refused accept held it; the next run
            # expires it (and every reader already treats it as expired)
            assert _statuses(asked) in (["expired"], ["pending"])
        _assert_consistent(program)


@pytest.mark.django_db(transaction=True)
def test_accept_racing_a_publish_that_pairs_the_same_mentee(program):
    admin = UserFactory(organization=program.organization, role=Role.ORG_ADMIN)
    for trial in range(_trials()):
        # given a mentee who asked a mentor, and a draft run that pairs them with another
        mentee = mentee_in(program, f"Dee{trial}")
        asker, bulk = (mentor_in(program, f"P{trial}x{i}", capacity=3) for i in (1, 2))
        asked = ask(mentee, asker)
        run = MatchRunFactory(program=program, status=RunStatus.DRAFT, created_by=admin)
        MatchProposal.objects.create(
            run=run, mentor=bulk, mentee=mentee, score=5.0, contributions={}, reasons=[]
        )
        # when the mentor accepts while an admin publishes the run
        accept, publish = _race(
            _http(ApiClient(asker.user), f"match-requests/{asked.pk}/accept"),
            _http(ApiClient(admin), f"matching/runs/{run.pk}/publish"),
        )
        # then exactly one of them pairs the mentee; the other is told why
        already = f"{mentee.user} already has a mentor in this programme."
        if accept.pair == OK:
            assert publish.status == 409
            assert (
                publish.detail == f"Nothing was published. {bulk.user} and {mentee.user}: {already}"
            )
            assert _statuses(asked) == ["accepted"]
            assert MatchRun.objects.get(pk=run.pk).status == RunStatus.DRAFT
        else:
            assert publish.pair == OK
            assert accept.pair == _cannot("accepted", "withdrawn")
            assert _statuses(asked) == ["withdrawn"]
            assert MatchRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED
        assert Relationship.objects.filter(mentee=mentee).count() == 1
        _assert_consistent(program)


@pytest.mark.django_db(transaction=True)
def test_accept_racing_a_capacity_change(program):
    for trial in range(_trials()):
        # given a mentor with two places, one taken, and a second mentee's request waiting
        mentor = mentor_in(program, f"K{trial}", capacity=2)
        first, second = mentee_in(program, f"Fi{trial}"), mentee_in(program, f"Se{trial}")
        taken, waiting = ask(first, mentor), ask(second, mentor)
        assert _http(ApiClient(mentor.user), f"match-requests/{taken.pk}/accept")().pair == OK
        # when the mentor accepts the second while lowering their capacity to one
        accept, capacity = _race(
            _http(ApiClient(mentor.user), f"match-requests/{waiting.pk}/accept"),
            _http(ApiClient(mentor.user), f"participants/{mentor.pk}/capacity", {"capacity": 1}),
        )
        # then either the accept came first (the capacity cannot go below two) or the
        # capacity did (no place left, the request still waits)
        stored = Participant.objects.get(pk=mentor.pk)
        if accept.pair == OK:
            assert capacity.pair == (
                409,
                f"{mentor.user} already has 2 mentees in {program.name}, so their capacity "
                "cannot go below 2.",
            )
            assert (stored.capacity, stored.matched_count) == (2, 2)
            assert _statuses(waiting) == ["accepted"]
        else:
            assert capacity.pair == OK
            assert accept.pair == (
                409,
                f"{mentor.user} has no mentee places left in this programme.",
            )
            assert (stored.capacity, stored.matched_count) == (1, 1)
            assert _statuses(waiting) == ["pending"]
        _assert_consistent(program)


@pytest.mark.django_db(transaction=True)
def test_accept_racing_the_end_of_the_mentors_other_relationship(program):
    for trial in range(_trials()):
        # given a full mentor (one place, taken) and another mentee's request waiting
        mentor = mentor_in(program, f"N{trial}", capacity=1)
        first, second = mentee_in(program, f"Old{trial}"), mentee_in(program, f"New{trial}")
        taken, waiting = ask(first, mentor), ask(second, mentor)
        assert _http(ApiClient(mentor.user), f"match-requests/{taken.pk}/accept")().pair == OK
        relationship = Relationship.objects.get(mentor=mentor, mentee=first)
        # when the mentor accepts the new request while ending the old relationship early
        accept, end = _race(
            _http(ApiClient(mentor.user), f"match-requests/{waiting.pk}/accept"),
            _http(
                ApiClient(mentor.user),
                f"relationships/{relationship.pk}/end",
                {"reason": "Moving teams", "find_new_match": trial % 2 == 0},
            ),
        )
        # then the end always happens; the accept gets the freed place only if it came after
        assert end.pair == OK
        assert accept.pair in {
            OK,
            (409, f"{mentor.user} has no mentee places left in this programme."),
        }
        assert _statuses(waiting) == (["accepted"] if accept.pair == OK else ["pending"])
        _assert_consistent(program)
