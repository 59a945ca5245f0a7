"""The lifecycle table, applied by one service, through the API and the status page."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from conftest import PAIR_ACTOR_NAMES
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.participants.models import Participant
from tandem.relationships.lifecycle import TRANSITIONS, actions_from
from tandem.relationships.models import Relationship, RelationshipEvent, RelationshipStatus
from tandem.relationships.services import add_months, relationship_propose, relationship_transition


def _state(relationship: Relationship) -> tuple:
    relationship.refresh_from_db()
    places = list(
        Participant.objects.filter(
            pk__in=[relationship.mentor_id, relationship.mentee_id]
        ).values_list("pk", "matched_count")
    )
    return (
        relationship.status,
        relationship.closed_at,
        relationship.close_reason,
        sorted(places),
        RelationshipEvent.objects.filter(relationship=relationship).count(),
    )


def _places(relationship: Relationship) -> tuple[int, int]:
    mentor = Participant.objects.get(pk=relationship.mentor_id)
    mentee = Participant.objects.get(pk=relationship.mentee_id)
    return mentor.matched_count, mentee.matched_count


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 3, 15), 12, datetime.date(2027, 3, 15)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, end, expected):
    assert add_months(start, end) == expected


def test_the_table_allows_exactly_the_documented_moves():
    assert {status: [t.action for t in actions_from(status)] for status in RelationshipStatus} == {
        "proposed": ["start", "end"],
        "active": ["pause", "complete", "end"],
        "paused": ["resume", "complete", "end"],
        "completed": [],
        "ended": [],
    }


def test_starting_fixes_the_start_and_the_planned_end(cast, django_capture_on_commit_callbacks):
    # given a proposed relationship in a 6-month programme
    cast.program.duration_months = 6
    cast.program.save(update_fields=["duration_months"])
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    # when the mentee starts it
    with django_capture_on_commit_callbacks(execute=True):
        relationship_transition(actor=cast.mentee, relationship_id=relationship.pk, action="start")
    # then
    relationship.refresh_from_db()
    today = timezone.localdate()
    assert (relationship.status, relationship.started_on, relationship.planned_end_on) == (
        "active",
        today,
        add_months(today, 6),
    )
    assert relationship.last_activity_at is not None
    # and the mentor is told, the mentee (who did it) is not
    assert [m.to for m in mail.outbox] == [[cast.mentor.email]]
    assert list(Notification.objects.values_list("user__email", "category")) == [
        (cast.mentor.email, "relationship")
    ]


def test_pause_and_resume_keep_the_places(pair):
    relationship = pair.relationship
    relationship_transition(
        actor=pair.mentor, relationship_id=relationship.pk, action="pause", reason="Parental leave"
    )
    relationship.refresh_from_db()
    assert (relationship.status, relationship.close_reason, _places(relationship)) == (
        "paused",
        "Parental leave",
        (1, 1),
    )
    assert relationship.paused_at is not None
    relationship_transition(actor=pair.mentee, relationship_id=relationship.pk, action="resume")
    relationship.refresh_from_db()
    assert (relationship.status, relationship.paused_at) == ("active", None)


def test_completing_frees_the_mentors_place_but_not_the_mentees(pair):
    relationship_transition(
        actor=pair.cast.manager, relationship_id=pair.relationship.pk, action="complete"
    )
    relationship = pair.relationship
    relationship.refresh_from_db()
    assert (relationship.status, relationship.closed_by, _places(relationship)) == (
        "completed",
        pair.cast.manager,
        (0, 1),
    )


def test_ending_with_a_new_match_returns_the_mentee_to_matching(pair):
    relationship_transition(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        action="end",
        reason="Our schedules never line up",
        find_new_match=True,
    )
    relationship = pair.relationship
    relationship.refresh_from_db()
    assert (
        relationship.status,
        relationship.closed_by,
        relationship.close_reason,
        relationship.wants_new_match,
        _places(relationship),
    ) == ("ended", pair.mentee, "Our schedules never line up", True, (0, 0))


def test_ending_needs_a_reason_and_changes_nothing_without_one(pair):
    before = _state(pair.relationship)
    with pytest.raises(InvalidInput) as caught:
        relationship_transition(
            actor=pair.mentor, relationship_id=pair.relationship.pk, action="end", reason="  "
        )
    assert [e.field for e in caught.value.errors] == ["reason"]
    assert _state(pair.relationship) == before


@pytest.mark.parametrize("action", ["start", "resume"])
def test_a_move_not_in_the_table_is_a_conflict_that_says_what_is_possible(pair, action):
    before = _state(pair.relationship)
    with pytest.raises(Conflict) as caught:
        relationship_transition(
            actor=pair.mentor, relationship_id=pair.relationship.pk, action=action
        )
    assert caught.value.detail == (
        f"This relationship is active, so it cannot be {TRANSITIONS[action].target}; "
        "possible now: pause, complete, end."
    )
    assert _state(pair.relationship) == before


def test_a_closed_relationship_cannot_move_again(pair):
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    with pytest.raises(Conflict, match="possible now: nothing"):
        relationship_transition(
            actor=pair.mentor, relationship_id=pair.relationship.pk, action="end", reason="x"
        )


@pytest.mark.parametrize(
    "name", ["outsider", "member", "other_mentor", "other_mentee", "other_manager"]
)
def test_people_outside_the_pair_and_its_managers_cannot_move_it(pair, name):
    before = _state(pair.relationship)
    with pytest.raises(NotFound):
        relationship_transition(
            actor=pair.by_name(name), relationship_id=pair.relationship.pk, action="pause"
        )
    assert _state(pair.relationship) == before


def test_an_unknown_action_names_the_field(pair):
    with pytest.raises(InvalidInput) as caught:
        relationship_transition(actor=pair.mentor, relationship_id=pair.relationship.pk, action="x")
    assert [e.field for e in caught.value.errors] == ["action"]


# --- API -------------------------------------------------------------------------------------

ALLOWED = {"mentor", "mentee", "manager", "admin"}


@pytest.mark.parametrize("name", [*PAIR_ACTOR_NAMES, "other_manager"])
def test_pause_endpoint_matrix(pair, api_as, name):
    # given
    before = _state(pair.relationship)
    # when
    response = api_as(pair.by_name(name)).post(
        f"relationships/{pair.relationship.pk}/pause", {"reason": "Busy quarter"}
    )
    # then
    if name in ALLOWED:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["close_reason"], body["actions"]) == (
            "paused",
            "Busy quarter",
            ["resume", "complete", "end"],
        )
        assert body["my_side"] == ("manager" if name in ("manager", "admin") else name)
    else:
        assert response.status_code == (401 if name == "anonymous" else 404)
        assert _state(pair.relationship) == before


def test_detail_endpoint_shape(pair, api_as):
    relationship = pair.relationship
    relationship.refresh_from_db()
    response = api_as(pair.mentee).get(f"relationships/{relationship.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": relationship.pk,
        "program_id": pair.cast.program.pk,
        "program_name": "Leadership cohort",
        "status": "active",
        "source": "manual",
        "mentor": {
            "user_id": pair.mentor.pk,
            "name": pair.mentor.get_full_name(),
            "email": pair.mentor.email,
        },
        "mentee": {
            "user_id": pair.mentee.pk,
            "name": pair.mentee.get_full_name(),
            "email": pair.mentee.email,
        },
        "circle_id": None,
        "started_on": relationship.started_on.isoformat(),
        "planned_end_on": relationship.planned_end_on.isoformat(),
        "last_activity_at": response.json()["last_activity_at"],
        "closed_at": None,
        "close_reason": "",
        "wants_new_match": False,
        "my_side": "mentee",
        "actions": ["pause", "complete", "end"],
    }
    assert abs(
        datetime.datetime.fromisoformat(response.json()["last_activity_at"])
        - relationship.last_activity_at
    ) < datetime.timedelta(milliseconds=1)


def test_invalid_transition_is_a_409_problem(pair, api_as):
    response = api_as(pair.mentor).post(f"relationships/{pair.relationship.pk}/resume")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"].startswith("This relationship is active")


def test_end_without_reason_is_a_400_naming_the_field(pair, api_as):
    response = api_as(pair.mentor).post(f"relationships/{pair.relationship.pk}/end", {})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_my_relationships_lists_only_mine(pair, api_as, django_assert_max_num_queries):
    # given the other mentee ended their first pair and was matched again (history is listed)
    relationship_transition(
        actor=pair.other_mentee,
        relationship_id=pair.other_relationship.pk,
        action="end",
        reason="Mismatch",
        find_new_match=True,
    )
    newer = relationship_propose(
        mentor=pair.cast.mentor_participant,
        mentee=Participant.objects.get(user=pair.other_mentee),
        source="request",
    )
    # when
    with django_assert_max_num_queries(6):
        response = api_as(pair.other_mentee).get("me/relationships")
    # then
    assert [(r["id"], r["status"], r["my_side"]) for r in response.json()] == [
        (newer.pk, "proposed", "mentee"),
        (pair.other_relationship.pk, "ended", "mentee"),
    ]
    assert api_as(pair.cast.manager).get("me/relationships").json() == []


# --- HTML ------------------------------------------------------------------------------------


def test_status_page_ends_a_relationship_for_a_party(pair, client):
    client.force_login(pair.mentor)
    url = f"/relationships/{pair.relationship.pk}/status/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "end", "reason": "Moved teams", "find_new_match": "on"})
    assert response.status_code == 302
    pair.relationship.refresh_from_db()
    assert (pair.relationship.status, pair.relationship.wants_new_match) == ("ended", True)


def test_status_page_shows_the_refusal_and_keeps_the_reason(pair, client):
    client.force_login(pair.mentor)
    response = client.post(
        f"/relationships/{pair.relationship.pk}/status/", {"action": "start", "reason": "typed"}
    )
    assert response.status_code == 409
    assert "possible now: pause, complete, end" in response.content.decode()


@pytest.mark.parametrize("name", ["other_mentor", "member", "outsider", "other_manager"])
def test_status_page_is_not_found_for_others(pair, client, name):
    client.force_login(pair.by_name(name))
    assert client.get(f"/relationships/{pair.relationship.pk}/status/").status_code == 404


@pytest.mark.parametrize("name", ["mentor", "mentee", "manager"])
@pytest.mark.parametrize(("days_in", "halfway_passed"), [(0, False), (10, False), (200, True)])
def test_status_page_offers_completion_after_half_time_and_speaks_to_its_reader(
    pair, client, name, days_in, halfway_passed
):
    # given an active pair planned over a year, `days_in` days in
    relationship = pair.relationship
    started = timezone.localdate() - datetime.timedelta(days=days_in)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=started, planned_end_on=started + datetime.timedelta(days=365)
    )
    viewer = pair.by_name(name)
    client.force_login(viewer)
    # when
    html = client.get(f"/relationships/{relationship.pk}/status/").content.decode()
    # then the pair sees "Mark as completed" only once half their time has passed; a manager always
    assert ('data-testid="transition-complete"' in html) is (halfway_passed or name == "manager")
    assert 'data-testid="transition-end"' in html
    # and the new-match box speaks to whoever reads it
    mentee_name = escape(pair.mentee.display_name)
    expected = "Find me a new match" if name == "mentee" else f"Find {mentee_name} a new match"
    assert expected in html
    assert "Find the mentee" not in html
