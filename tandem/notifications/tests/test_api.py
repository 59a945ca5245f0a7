import pytest

from conftest import ACTOR_NAMES
from tandem.notifications.models import Notification, NotificationPreference
from tandem.notifications.tests.factories import NotificationFactory

SIGNED_IN = [name for name in ACTOR_NAMES if name != "anonymous"]


def _reads() -> list[tuple[int, object]]:
    return list(Notification.objects.order_by("pk").values_list("pk", "read_at"))


@pytest.fixture
def inboxes(cast):
    """Two unread notifications for every signed-in person of the cast, by name."""
    rows = {}
    for name in SIGNED_IN:
        user = cast.by_name(name)
        rows[name] = [
            NotificationFactory(user=user, title=f"{name} first"),
            NotificationFactory(user=user, title=f"{name} second"),
        ]
    return rows


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_everyone_sees_only_their_own_notifications(cast, inboxes, api_as, name):
    # when
    response = api_as(cast.by_name(name)).get("me/notifications")
    # then
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["items"]] == [f"{name} second", f"{name} first"]


@pytest.mark.parametrize("name", SIGNED_IN)
def test_marking_someone_elses_notification_changes_nothing(cast, inboxes, api_as, name):
    # given
    victim = "member" if name != "member" else "mentor"
    before = _reads()
    # when
    response = api_as(cast.by_name(name)).post(
        "me/notifications/read", {"ids": [row.pk for row in inboxes[victim]]}
    )
    # then
    assert response.json() == {"marked": 0}
    assert _reads() == before


def test_mark_all_and_unread_filter(cast, inboxes, api_as):
    # given
    client = api_as(cast.mentee)
    first, second = inboxes["mentee"]
    # when
    one = client.post("me/notifications/read", {"ids": [first.pk]})
    unread = client.get("me/notifications", {"unread": "true"})
    everything = client.post("me/notifications/read", {"all": True})
    # then
    assert one.json() == {"marked": 1}
    assert [row["id"] for row in unread.json()["items"]] == [second.pk]
    assert everything.json() == {"marked": 1}
    assert Notification.objects.filter(user=cast.mentee, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(read_at__isnull=True).exclude(user=cast.mentee).count() == 12


@pytest.mark.parametrize("payload", [{}, {"all": True, "ids": [1]}])
def test_mark_read_needs_ids_or_all(cast, inboxes, api_as, payload):
    # given
    before = _reads()
    # when
    response = api_as(cast.mentee).post("me/notifications/read", payload)
    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ids"
    assert _reads() == before


def test_anonymous_cannot_mark_or_read_preferences(cast, inboxes, api_as):
    # given
    client = api_as(None)
    before = _reads()
    # when
    responses = [
        client.post("me/notifications/read", {"all": True}),
        client.get("me/notification-preferences"),
        client.put("me/notification-preferences", {"channels": {"goals": "off"}}),
    ]
    # then
    assert [r.status_code for r in responses] == [401, 401, 401]
    assert _reads() == before
    assert NotificationPreference.objects.count() == 0


def test_preferences_get_and_put(cast, api_as):
    # given
    client = api_as(cast.mentor)
    # when
    put = client.put(
        "me/notification-preferences", {"channels": {"goals": "off", "messages": "in_app"}}
    )
    got = client.get("me/notification-preferences")
    # then
    assert put.status_code == 200
    assert got.json() == put.json()
    assert {row["category"]: row["channel"] for row in got.json()} == {
        "relationship": "email",
        "agreement": "email",
        "goals": "off",
        "meetings": "email",
        "messages": "in_app",
        "feedback": "email",
        "welcome": "email",
        "reminders": "email",
        "journey": "email",
        "nudges": "email",
        "privacy": "email",
    }
    assert NotificationPreference.objects.exclude(user=cast.mentor).count() == 0


def test_invalid_preference_names_the_field_and_changes_nothing(cast, api_as):
    # given
    client = api_as(cast.mentor)
    client.put("me/notification-preferences", {"channels": {"goals": "in_app"}})
    before = list(NotificationPreference.objects.values_list("category", "channel"))
    # when
    response = client.put(
        "me/notification-preferences", {"channels": {"goals": "off", "meetings": "fax"}}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "meetings", "message": "'fax' is not a channel (email, in_app or off)."}
    ]
    assert list(NotificationPreference.objects.values_list("category", "channel")) == before


def test_list_query_budget(cast, api_as, django_assert_max_num_queries):
    # given
    for _ in range(25):
        NotificationFactory(user=cast.member)
    client = api_as(cast.member)
    # when
    with django_assert_max_num_queries(5):
        response = client.get("me/notifications")
    # then
    assert response.json()["count"] == 25
