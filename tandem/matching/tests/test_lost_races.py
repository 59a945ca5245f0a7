"""A request decision that loses a race for its rows twice (the database breaks a deadlock
by failing it, or SQLite's busy timeout runs out) is run twice, keeps nothing of either
attempt, and answers "try again": 409 problem+json from the API, the message on the page for
HTML, never a 500.

The race is made certain by failing the decision's last step (`_tell`, which writes the
outbox rows after every other write) with each kind of lost race the databases raise.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.db import OperationalError
from django.test import Client

from conftest import ApiClient
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.core.transactions import TRY_AGAIN
from tandem.matching.models import MatchingSettings, MatchRequest, SuggestionDecline
from tandem.matching.requests import services as request_services
from tandem.matching.tests.requests_world import ask, mentee_in, mentor_in
from tandem.notifications.models import OutboxMessage
from tandem.participants.models import Participant
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship


def _deadlock() -> OperationalError:
    try:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        except psycopg.Error as cause:
            raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


LOST_RACES: dict[str, Callable[[], OperationalError]] = {
    "deadlock": _deadlock,
    "sqlite busy timeout": lambda: OperationalError("database is locked"),
}


def _database() -> dict[str, Any]:
    """Everything a decision could change, to compare before and after."""
    return {
        "requests": list(MatchRequest.objects.order_by("pk").values()),
        "relationships": list(Relationship.objects.order_by("pk").values()),
        "places": list(Participant.objects.order_by("pk").values_list("pk", "matched_count")),
        "outbox": list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)),
        "declines": list(SuggestionDecline.objects.order_by("pk").values_list("pk", flat=True)),
        "settings": list(MatchingSettings.objects.order_by("pk").values()),
    }


@dataclass
class Case:
    name: str
    act: Callable[[], Any]
    html: bool = False


@pytest.mark.django_db(transaction=True)
def test_a_decision_that_loses_the_race_twice_answers_try_again_and_keeps_nothing(
    monkeypatch, database_with_real_locking
):
    # given a mentor, a mentee's request waiting for them, another waiting for a manager,
    # and a mentor not asked yet
    program = ProgramFactory(name="Leadership cohort")
    manager = UserFactory(organization=program.organization, role=Role.ORG_ADMIN)
    mentor, free_mentor = mentor_in(program, "Morgan"), mentor_in(program, "Nia")
    mentee, waiting_mentee = mentee_in(program, "Ada"), mentee_in(program, "Bo")
    pending = ask(mentee, mentor)
    MatchingSettings.objects.update_or_create(
        program=program, defaults={"requests_need_approval": True}
    )
    awaiting = ask(waiting_mentee, mentor)
    browser = Client()
    browser.force_login(mentor.user)
    cases = [
        Case(
            "API accept", lambda: ApiClient(mentor.user).post(f"match-requests/{pending.pk}/accept")
        ),
        Case(
            "API decline",
            lambda: ApiClient(mentor.user).post(
                f"match-requests/{pending.pk}/decline", {"do_not_suggest_again": True}
            ),
        ),
        Case(
            "API approve", lambda: ApiClient(manager).post(f"match-requests/{awaiting.pk}/approve")
        ),
        Case("API reject", lambda: ApiClient(manager).post(f"match-requests/{awaiting.pk}/reject")),
        Case(
            "API ask",
            lambda: ApiClient(mentee.user).post(
                f"programs/{program.pk}/matching/requests",
                {"mentor_participant_id": free_mentor.pk},
            ),
        ),
        Case(
            "page accept",
            lambda: browser.post(f"/matching/requests/{pending.pk}/accept/", follow=True),
            html=True,
        ),
        Case(
            "page decline",
            lambda: browser.post(
                f"/matching/requests/{pending.pk}/decline/",
                {"do_not_suggest_again": "on"},
                follow=True,
            ),
            html=True,
        ),
    ]
    for race, make_error in LOST_RACES.items():
        for case in cases:
            attempts: list[str] = []

            def lose(items: object, attempts: list[str] = attempts, make=make_error) -> None:
                attempts.append("told")
                raise make()

            monkeypatch.setattr(request_services, "_tell", lose)
            before = _database()
            # when the decision loses its race every time it runs
            response = case.act()
            # then it ran twice, answered "try again", and nothing of it was kept
            label = f"{case.name} ({race})"
            assert attempts == ["told", "told"], label
            if case.html:
                assert response.status_code == 200, label
                assert TRY_AGAIN in response.content.decode(), label
            else:
                assert response.status_code == 409, label
                assert response["Content-Type"] == "application/problem+json", label
                assert json.loads(response.content) == {
                    "type": "https://tandem.example/problems/try-again",
                    "title": "Try again",
                    "status": 409,
                    "detail": TRY_AGAIN,
                }, label
            assert _database() == before, label
