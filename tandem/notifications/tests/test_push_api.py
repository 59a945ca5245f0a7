"""Web push and the organisation's channels over the API and the settings page: every
operation for every actor (each person's own subscriptions; the channel switches and the
failures list to organisation admins, their own organisation's), bad input refused with the
field named and nothing changed, flat query counts."""

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.notifications.models import (
    ChannelSettings,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
)
from tandem.notifications.push import vapid_key_pair

ENDPOINT = "https://push.example.com/send/abc"
KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjha"
    "zAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}
ADMIN_ONLY = {"member": 403, "mentee": 403, "mentor": 403, "other_manager": 403, "manager": 403}


@pytest.fixture
def vapid(settings):
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:ops@tandem.example"
    return public


def _state():
    return (
        [model_to_dict(row) for row in PushSubscription.objects.order_by("pk")],
        [model_to_dict(row) for row in ChannelSettings.objects.order_by("pk")],
        [model_to_dict(row) for row in NotificationPreference.objects.order_by("pk")],
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_push_subscription_matrix(cast, api_as, vapid, actor):
    # given: the admin has a browser subscribed
    PushSubscription.objects.create(user=cast.admin, endpoint=ENDPOINT, **KEYS)
    client = api_as(cast.by_name(actor))
    before = _state()
    # when
    status = client.get("me/push")
    subscribed = client.post("me/push-subscriptions", {"endpoint": ENDPOINT, "keys": KEYS})
    removed = client.post("me/push-subscriptions/remove", {"endpoint": ENDPOINT})
    # then: everyone signed in manages their own browsers only
    if actor == "anonymous":
        assert [status.status_code, subscribed.status_code, removed.status_code] == [401] * 3
        assert _state() == before
        return
    assert (status.status_code, subscribed.status_code, removed.status_code) == (200, 201, 200)
    assert status.json()["public_key"] == vapid
    assert status.json()["enabled"] is True
    # the same browser again keeps one row
    assert subscribed.json()["subscriptions"] == 1
    assert removed.json()["subscriptions"] == 0
    # the admin's browser is untouched by anyone else's removal
    assert PushSubscription.objects.filter(user=cast.admin).exists() is (actor != "admin")


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_channel_settings_matrix(cast, api_as, actor):
    # given: one failed push in each organisation
    for person in (cast.member, cast.outsider):
        OutboxMessage.objects.create(
            key=f"k{person.pk}#push",
            channel="push",
            rule="r",
            category="messages",
            recipient=person,
            subject=f"for {person.email}",
            status=OutboxStatus.FAILED,
            last_error="no browser is subscribed to web push",
            next_attempt_at="2026-01-01T00:00Z",
            not_before="2026-01-01T00:00Z",
            message_id=f"<m{person.pk}>",
        )
    client = api_as(cast.by_name(actor))
    expected = {"anonymous": 401, **ADMIN_ONLY, "outsider": 200, "admin": 200}[actor]
    before = _state()
    # when
    read = client.get("organization/notification-channels")
    changed = client.patch(
        "organization/notification-channels", {"push_enabled": False, "daily_cap": 5}
    )
    # then
    assert (read.status_code, changed.status_code) == (expected, expected)
    if expected != 200:
        assert read["Content-Type"] == "application/problem+json"
        assert _state() == before
        return
    own = cast.admin if actor == "admin" else cast.outsider
    assert [row["recipient_email"] for row in read.json()["failures"]] == [
        (cast.member if actor == "admin" else cast.outsider).email
    ]
    assert changed.json()["push_enabled"] is False
    assert changed.json()["daily_cap"] == 5
    assert ChannelSettings.objects.get().organization_id == own.organization_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": "http://push.example.com/x", "keys": KEYS}, "endpoint"),
        ({"endpoint": ENDPOINT, "keys": {"p256dh": "", "auth": KEYS["auth"]}}, "p256dh"),
        ({"endpoint": ENDPOINT, "keys": {"p256dh": KEYS["p256dh"], "auth": "a"}}, "auth"),
        ({"endpoint": ENDPOINT}, "keys"),
    ],
)
def test_a_bad_subscription_names_the_field_and_changes_nothing(
    cast, api_as, settings, body, field
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = api_as(cast.member).post("me/push-subscriptions", body)
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.content.decode()
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("cap", [0, 501])
def test_a_bad_cap_is_refused_and_changes_nothing(cast, api_as, cap):
    response = api_as(cast.admin).patch("organization/notification-channels", {"daily_cap": cap})
    assert response.status_code == 400
    assert "daily_cap" in response.content.decode()
    assert not ChannelSettings.objects.exists()


def test_preferences_carry_push_per_category(cast, api_as, vapid):
    client = api_as(cast.member)
    response = client.put(
        "me/notification-preferences", {"channels": {"goals": "in_app"}, "push": {"goals": True}}
    )
    assert response.status_code == 200
    rows = {row["category"]: row for row in response.json()}
    assert (rows["goals"]["channel"], rows["goals"]["push"]) == ("in_app", True)
    assert rows["messages"]["push"] is False
    refused = client.put(
        "me/notification-preferences", {"channels": {"goals": "off"}, "push": {"goals": True}}
    )
    assert refused.status_code == 400
    assert "push_goals" in refused.content.decode()
    assert (
        NotificationPreference.objects.get(user=cast.member, category="goals").channel == "in_app"
    )


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_settings_page_offers_push_only_when_configured_and_switched_on(cast, settings):
    url = reverse("notifications:preferences")
    settings.VAPID_PUBLIC_KEY = ""
    page = _page(cast.member).get(url)
    assert page.status_code == 200
    assert b'data-testid="push-settings"' not in page.content
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:ops@tandem.example"
    page = _page(cast.member).get(url)
    assert b'data-testid="push-settings"' in page.content
    assert public.encode() in page.content
    assert b"tandem/push.js" in page.content
    assert b"<script>" not in page.content
    ChannelSettings.objects.create(organization=cast.org, push_enabled=False)
    assert b'data-testid="push-settings"' not in _page(cast.member).get(url).content


def test_the_settings_page_saves_push_switches(cast, vapid):
    client = _page(cast.mentee)
    response = client.post(
        reverse("notifications:preferences"),
        {"push_offered": "1", "goals": "email", "push_goals": "on", "messages": "in_app"},
    )
    assert response.status_code == 302
    prefs = dict(
        NotificationPreference.objects.filter(user=cast.mentee).values_list("category", "push")
    )
    assert prefs == {"goals": True, "messages": False}


def test_the_settings_page_queries_stay_flat(cast, vapid, django_assert_max_num_queries):
    client = _page(cast.member)
    url = reverse("notifications:preferences")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for category in ("goals", "messages", "meetings", "feedback"):
        NotificationPreference.objects.create(
            user=cast.member, category=category, channel="email", push=True
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
