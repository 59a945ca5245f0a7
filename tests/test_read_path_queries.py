"""The key read paths answer the same rows with the same few queries whatever the data's size
(issue 15). The plans behind them are checked on PostgreSQL in test_read_path_plans.py."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import Notification, NotificationCategory
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.models import Profile
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose

PEOPLE = 4
# A programme's pairs: (mentor, mentee) indexes into the people, distinct within a programme.
PAIRS = st.lists(
    st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, PEOPLE - 1)).filter(
        lambda pair: pair[0] != pair[1]
    ),
    unique=True,
    max_size=4,
)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(programmes=st.lists(PAIRS, min_size=1, max_size=3))
def test_my_relationships_are_exactly_mine_in_two_queries(
    cast, api_as, django_assert_num_queries, programmes
):
    try:
        with transaction.atomic():
            # given people who are mentors in some pairs and mentees in others, across
            # programmes (a person has one role per programme: the first pair decides it)
            people = [UserFactory(organization=cast.org) for _ in range(PEOPLE)]
            for pairs in programmes:
                program = ProgramFactory(organization=cast.org)
                roles: dict[int, str] = {}
                for mentor, mentee in pairs:
                    if roles.setdefault(mentor, "mentor") != "mentor":
                        continue
                    if roles.setdefault(mentee, "mentee") != "mentee":
                        continue
                for index, role in roles.items():
                    ParticipantFactory(
                        program=program,
                        user=people[index],
                        role=role,
                        capacity=PEOPLE if role == ParticipantRole.MENTOR else None,
                    )
                mentees_taken: set[int] = set()
                for mentor, mentee in pairs:
                    if roles[mentor] != "mentor" or roles[mentee] != "mentee":
                        continue
                    if mentee in mentees_taken:
                        continue  # a mentee has one open mentor per programme
                    mentees_taken.add(mentee)
                    relationship_propose(
                        mentor=Participant.objects.get(program=program, user=people[mentor]),
                        mentee=Participant.objects.get(program=program, user=people[mentee]),
                        source="manual",
                    )
            for person in people:
                client = api_as(person)
                client.get("me/profile")  # the token's first use stamps it (one UPDATE)
                expected = {
                    r.pk: "mentor" if r.mentor.user_id == person.pk else "mentee"
                    for r in Relationship.objects.select_related("mentor", "mentee")
                    if person.pk in (r.mentor.user_id, r.mentee.user_id)
                }
                # when they list their relationships
                with django_assert_num_queries(2):  # the token, the rows
                    response = client.get("me/relationships")
                # then they get exactly theirs, each with their side, newest first
                assert response.status_code == 200
                rows = response.json()
                assert {row["id"]: row["my_side"] for row in rows} == expected
                assert [row["id"] for row in rows] == sorted(expected, reverse=True)
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_my_relationships_matrix(pair, api_as, actor_name):
    # given the pair under test and another pair in the programme
    actor = pair.by_name(actor_name)
    # when
    response = api_as(actor).get("me/relationships")
    # then anonymous is refused; everyone else sees their own pairs only
    if actor is None:
        assert response.status_code == 401
        return
    mine = {
        "mentor": [pair.relationship.pk],
        "mentee": [pair.relationship.pk],
    }.get(actor_name, [])
    assert [row["id"] for row in response.json()] == mine


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_my_profile_costs_four_queries_and_writes_only_on_a_first_visit(
    cast, api_as, django_assert_num_queries, actor_name
):
    actor = cast.by_name(actor_name)
    client = api_as(actor)
    if actor is None:
        assert client.get("me/profile").status_code == 401
        return
    client.get("me/relationships")  # the token's first use stamps it (one UPDATE)
    # given the actor has a profile (the cast's fixture made one)
    # when they read it: the token, the profile with its user, the two skill lists
    with django_assert_num_queries(4):
        response = client.get("me/profile")
    # then
    assert response.status_code == 200
    assert response.json()["email"] == actor.email
    # given no profile yet: the first visit stores an empty one and answers it
    Profile.objects.filter(user=actor).delete()
    first = client.get("me/profile")
    assert first.status_code == 200
    assert Profile.objects.filter(user=actor).count() == 1
    with django_assert_num_queries(4):
        assert client.get("me/profile").json() == first.json()


def _add_participants(program, count: int, surnames: list[str]) -> None:
    for index in range(count):
        ParticipantFactory(
            program=program,
            user=UserFactory(
                organization=program.organization,
                last_name=surnames[index % len(surnames)],
                first_name=f"P{index % 3}",
            ),
        )


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    surnames=st.lists(
        st.sampled_from(["Ng", "ng", "Adams", "Zed", "O'Neil", "Éclair"]), min_size=1
    ),
    count=st.integers(1, 12),
    limit=st.integers(1, 5),
)
def test_participants_page_in_name_order_with_flat_queries(
    cast, api_as, django_assert_num_queries, surnames, count, limit
):
    try:
        with transaction.atomic():
            # given a programme whose participants share surnames and first names
            _add_participants(cast.program, count, surnames)
            rows = Participant.objects.filter(program=cast.program).select_related("user")
            expected = [
                p.pk
                for p in sorted(
                    rows, key=lambda p: (p.user.last_name, p.user.first_name, p.user.email)
                )
            ]
            client = api_as(cast.manager)
            client.get("me/profile")  # the token's first use stamps it (one UPDATE)
            # when the manager pages through them
            seen = []
            for offset in range(0, len(expected), limit):
                # the token, the programme and its managers, the count, the page
                with django_assert_num_queries(5):
                    response = client.get(
                        f"programs/{cast.program.pk}/participants",
                        {"limit": limit, "offset": offset},
                    )
                assert response.status_code == 200
                seen += [row["id"] for row in response.json()["items"]]
            # then every participant appears once, in the database's name order
            assert sorted(seen) == sorted(expected)
            in_order = Participant.objects.filter(program=cast.program).order_by(
                "user__last_name", "user__first_name", "user__email"
            )
            assert seen == list(in_order.values_list("pk", flat=True))
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_programme_relationships_page_costs_the_same_at_any_size(
    cast, api_as, django_assert_num_queries
):
    # given a programme with 2 pairs, measured, then 20 more
    def pairs(count: int) -> None:
        for _ in range(count):
            mentor = ParticipantFactory(
                program=cast.program, role=ParticipantRole.MENTOR, capacity=1
            )
            mentee = ParticipantFactory(program=cast.program)
            relationship_propose(mentor=mentor, mentee=mentee, source="manual")

    client = api_as(cast.manager)
    url = f"programs/{cast.program.pk}/relationships"
    pairs(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        first = client.get(url, {"limit": 10})
    pairs(20)
    # when
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"limit": 10})
    # then the same number of queries, a full page, newest first
    assert first.status_code == response.status_code == 200
    ids = [row["id"] for row in response.json()["items"]]
    assert len(ids) == 10
    newest = Relationship.objects.filter(program=cast.program).order_by("-created_at", "-id")
    assert ids == list(newest.values_list("pk", flat=True)[:10])


@pytest.mark.django_db
def test_notification_centre_counts_unread_once_whatever_the_number(cast):
    def notify(count: int) -> None:
        Notification.objects.bulk_create(
            Notification(user=cast.mentee, category=NotificationCategory.MEETINGS, title="Hi")
            for _ in range(count)
        )

    client = Client()
    client.force_login(cast.mentee)
    notify(2)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/notifications/").status_code == 200
    notify(40)
    # when the centre is opened with 42 notifications (two pages)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/notifications/")
    # then the same queries, and the unread ones counted once for the page and its navigation
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    unread_counts = [
        q["sql"]
        for q in many.captured_queries
        if "COUNT" in q["sql"] and "read_at" in q["sql"] and "notification" in q["sql"]
    ]
    assert len(unread_counts) == 1
    assert response.context["unread_notifications"] == response.context["unread_count"] == 42


@pytest.mark.django_db
def test_my_relationships_select_only_the_columns_they_show(pair, api_as):
    # given a mentor whose token has been used once (its first use stamps it)
    client = api_as(pair.mentor)
    client.get("me/profile")
    # when they list their relationships
    with CaptureQueriesContext(connection) as queries:
        response = client.get("me/relationships")
    assert response.status_code == 200
    rows_sql = next(q["sql"] for q in queries if "relationships_relationship" in q["sql"])
    selected = rows_sql.split(" FROM ", 1)[0]
    # then the rows query reads what the answer shows, not every column of every join:
    # no password hash, no programme description, no circle, and ~27 columns, not ~145
    assert "password" not in selected
    assert "description" not in selected
    assert "relationships_circle" not in rows_sql
    assert selected.count(",") + 1 <= 30  # what is shown, plus the keys of the joins
    # and the answer still names both people and the programme
    row = response.json()[0]
    assert row["mentor"]["name"]
    assert row["mentee"]["email"]
    assert row["program_name"]
