"""Seek pages (`after=<cursor>`, issue 15): the large lists of the API page by a cursor from
the previous page's `next`, in the same order as offset pages, with the same queries whatever
the page's depth. The plans (an index walked from the cursor) are checked on PostgreSQL in
test_read_path_plans.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.pagination import KeysetPagination
from tests.test_list_endpoint_costs import LIST_OPERATIONS, SEEDERS, _path

# The large lists, by operation: the programme's participants and pairs, the people
# directory and access list, the notification centre, the audit search, and the lists that
# grow with the organisation's history (invitations, matching runs and requests, webhook
# deliveries, HR sync runs, the library).
SEEK_LISTS = [
    "tandem_notifications_api_notification_list",
    "tandem_people_api_person_list",
    "tandem_accounts_api_member_list",
    "tandem_participants_api_participant_list",
    "tandem_workspace_api_program_relationship_signals",
    "tandem_accounts_api_invitation_list",
    "tandem_matching_api_runs_run_list",
    "tandem_matching_api_requests_my_requests",
    "tandem_matching_api_requests_program_requests",
    "tandem_webhooks_api_delivery_list",
    "tandem_provisioning_api_hr_sync_run_list",
    "tandem_resources_api_resource_list",
    "tandem_audit_api_audit_entry_list",
]


def _pages(client, path, limit, **first):
    """Every row id, following `next` from the first page."""
    seen, calls = [], []
    query = {"limit": limit, **first}
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, query)
        assert response.status_code == 200, response.json()
        body = response.json()
        if body["items"]:  # an empty last page skips the queries of the page's rows
            calls.append(len(queries.captured_queries))
        seen += [row["id"] for row in body["items"]]
        if body["next"] is None:
            return seen, calls, body["count"]
        query = {"limit": limit, "after": body["next"]}


@pytest.mark.django_db
@pytest.mark.parametrize("operation", SEEK_LISTS)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(limit=st.integers(1, 7))
def test_seek_pages_list_every_row_once_in_the_offset_order(pair, api_as, operation, limit):
    # given a list of 12 rows or more (seeded once per test: hypothesis reuses the database)
    seeder = SEEDERS[operation]
    client = api_as(seeder.actor(pair))
    place = seeder.place(pair) if seeder.place is not None else {}
    path = _path(pair, LIST_OPERATIONS[operation], **place)
    if client.get(path).json()["count"] < 12:
        seeder.add(pair, 12)
    everything = client.get(path, {"limit": 500}).json()["items"]
    # when the caller follows the cursors
    seen, calls, count = _pages(client, path, limit)
    # then every row comes once, in the offset pages' order, each page at the same cost
    assert seen == [row["id"] for row in everything]
    assert count == len(everything)
    assert len(set(calls)) == 1, calls


@pytest.mark.django_db
def test_rows_that_tie_on_time_are_paged_by_id(cast, api_as):
    # given notifications all made at the same instant
    from tandem.notifications.models import Notification, NotificationCategory

    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(user=cast.mentee, category=NotificationCategory.MEETINGS, title=f"{i}")
        for i in range(9)
    )
    Notification.objects.filter(user=cast.mentee).update(created_at=now)
    # when read two at a time
    seen, _, _ = _pages(api_as(cast.mentee), "me/notifications", 2)
    # then newest (highest id) first, none lost at a tie
    expected = list(
        Notification.objects.filter(user=cast.mentee)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"after": "not-a-cursor"},
        {"after": "W10"},  # [] : no values
        {"after": "WyJ4IiwieCJd"},  # ["x","x"]: not a time and an id
        {"after": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsOTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"},  # huge id
    ],
)
def test_a_cursor_this_list_did_not_give_is_refused_by_name(cast, api_as, query):
    response = api_as(cast.mentee).get("me/notifications", query)
    assert response.status_code in (400, 422)
    assert [error["field"] for error in response.json()["errors"]] == ["after"]


@pytest.mark.django_db
def test_offset_and_after_together_are_refused(cast, api_as):
    client = api_as(cast.admin)
    cursor = client.get("people", {"limit": 1}).json()["next"]
    response = client.get("people", {"limit": 1, "offset": 1, "after": cursor})
    assert response.status_code in (400, 422)
    assert [error["field"] for error in response.json()["errors"]] == ["offset"]


def test_a_list_that_cannot_seek_is_a_programming_error():
    from tandem.accounts.models import User

    with pytest.raises(TypeError):
        KeysetPagination().paginate_queryset(
            User.objects.order_by("last_name", "-id"),
            KeysetPagination.Input(limit=1),
            request=None,
        )
