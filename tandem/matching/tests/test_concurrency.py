"""A mentor can never exceed capacity, even when several requests are accepted at the same
moment: the database refuses the extra places (the CHECK on matched_count), not a count read
beforehand. Real threads, each with its own connection, on the real database engine.

Run on PostgreSQL too:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_selfmatch \
        python -m pytest tandem/matching/tests/test_concurrency.py -n 0
"""

import threading

import pytest
from django.db import connections

from tandem.core.errors import Conflict
from tandem.matching.models import MatchRequest, RequestStatus
from tandem.matching.requests.services import match_request_accept
from tandem.matching.tests.requests_world import ask, mentee_in, mentor_in
from tandem.participants.models import Participant
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship

THREADS = 8
CAPACITY = 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_never_exceed_capacity(database_with_real_locking):
    # given a mentor with two places and eight mentees who each asked them
    program = ProgramFactory(name="Leadership cohort")
    morgan = mentor_in(program, "Morgan", capacity=CAPACITY)
    mentees = [mentee_in(program, f"Mentee{index}") for index in range(THREADS)]
    requests = [ask(mentee, morgan) for mentee in mentees]
    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, str] = {}

    def accept(request_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            match_request_accept(actor=morgan.user, request_id=request_id)
            outcomes[request_id] = "accepted"
        except Conflict as refusal:
            outcomes[request_id] = refusal.detail
        except Exception as error:  # reported by the assertions below
            outcomes[request_id] = repr(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=accept, args=(r.pk,)) for r in requests]
    # when they all accept at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly two succeed and every other one gets the clear refusal
    assert not any(thread.is_alive() for thread in threads)
    winners = sorted(pk for pk, outcome in outcomes.items() if outcome == "accepted")
    assert len(winners) == CAPACITY
    assert sorted(outcome for outcome in outcomes.values() if outcome != "accepted") == [
        "Morgan Mentor has no mentee places left in this programme."
    ] * (THREADS - CAPACITY)
    # and the database agrees: two places taken, two relationships, losers still pending
    assert Participant.objects.get(pk=morgan.pk).matched_count == CAPACITY
    assert Relationship.objects.filter(mentor=morgan).count() == CAPACITY
    by_status = dict(MatchRequest.objects.values_list("pk", "status"))
    assert sorted(pk for pk, status in by_status.items() if status == "accepted") == winners
    assert sorted(by_status.values()).count(RequestStatus.PENDING) == THREADS - CAPACITY
    winner_mentees = set(
        MatchRequest.objects.filter(pk__in=winners).values_list("mentee_id", flat=True)
    )
    assert set(Relationship.objects.values_list("mentee_id", flat=True)) == winner_mentees
    assert (
        sorted(
            Participant.objects.filter(pk__in=[m.pk for m in mentees]).values_list(
                "matched_count", flat=True
            )
        )
        == [0] * (THREADS - CAPACITY) + [1] * CAPACITY
    )


def _run_together(actions: list) -> list[str]:
    """Run each action in its own thread, all released at once; what each one ended with."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(position: int) -> None:
        try:
            barrier.wait(timeout=30)
            actions[position]()
            outcomes[position] = "accepted"
        except Conflict as refusal:
            outcomes[position] = refusal.detail
        except Exception as error:  # reported by the assertions below
            outcomes[position] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_mentors_accepting_the_same_mentee_at_once(database_with_real_locking):
    # given a mentee who asked three mentors, in rounds so the threads meet in every order
    program = ProgramFactory(name="Leadership cohort")
    mentors = [mentor_in(program, name, capacity=10) for name in ("Ada", "Bo", "Cy")]
    for round_number in range(4):
        mentee = mentee_in(program, f"Round{round_number}")
        requests = [ask(mentee, mentor) for mentor in mentors]
        # when all three mentors accept at the same moment
        outcomes = _run_together(
            [
                lambda r=r: match_request_accept(actor=r.mentor.user, request_id=r.pk)
                for r in requests
            ]
        )
        # then exactly one wins; the others are told plainly, never a database error
        assert outcomes.count("accepted") == 1, outcomes
        refusals = {outcome for outcome in outcomes if outcome != "accepted"}
        assert refusals <= {
            "This request cannot be accepted: its status is 'withdrawn'.",
            f"{mentee.user} already has a mentor in this programme.",
        }, outcomes
        assert Participant.objects.get(pk=mentee.pk).matched_count == 1
        assert Relationship.objects.filter(mentee=mentee).count() == 1
        assert sorted(
            MatchRequest.objects.filter(mentee=mentee).values_list("status", flat=True)
        ) == ["accepted", "withdrawn", "withdrawn"]
