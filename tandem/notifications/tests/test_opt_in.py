"""Opt-in categories (the monthly report): off until a person chooses a channel, offered to
programme managers and organisation admins only; the outbox applies the default like any
other preference."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from conftest import ACTOR_NAMES
from tandem.notifications.models import (
    MANAGER_CATEGORIES,
    Notification,
    NotificationCategory,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    default_channel,
)
from tandem.notifications.selectors import users_opted_in
from tandem.notifications.services import outbox_enqueue

CATEGORY = NotificationCategory.MONTHLY_REPORT
MANAGERS = {"outsider", "other_manager", "manager", "admin"}  # org admins and managers
SIGNED_IN = [name for name in ACTOR_NAMES if name != "anonymous"]


@pytest.mark.parametrize("name", SIGNED_IN)
def test_the_category_is_offered_off_to_managers_and_admins_only(cast, api_as, name):
    # when
    listed = {
        row["category"]: row["channel"]
        for row in api_as(cast.by_name(name)).get("me/notification-preferences").json()
    }
    # then
    if name in MANAGERS:
        assert listed[CATEGORY] == "off"
        assert listed["digest"] == "email"
        assert listed["integrations"] == "email"
    else:
        assert set(listed).isdisjoint(MANAGER_CATEGORIES)
        assert listed["meetings"] == "email"


@pytest.mark.parametrize("name", SIGNED_IN)
def test_the_settings_page_offers_managers_categories_to_managers_only(cast, client, name):
    # given
    client.force_login(cast.by_name(name))
    # when
    html = client.get(reverse("notifications:preferences")).content.decode()
    # then
    for category in MANAGER_CATEGORIES:
        label = escape(str(NotificationCategory(category).label))
        assert (label in html) is (name in MANAGERS)


@pytest.mark.parametrize("name", SIGNED_IN)
def test_only_managers_and_admins_may_opt_in(cast, api_as, name):
    # given
    user = cast.by_name(name)
    client = api_as(user)
    # when
    response = client.put("me/notification-preferences", {"channels": {CATEGORY: "email"}})
    # then
    if name in MANAGERS:
        assert response.status_code == 200
        assert NotificationPreference.objects.get(user=user, category=CATEGORY).channel == "email"
        assert list(users_opted_in(category=CATEGORY)) == [user]
    else:
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {
                "field": CATEGORY,
                "message": "Only programme managers and organisation admins receive this.",
            }
        ]
        assert not NotificationPreference.objects.exists()
        assert list(users_opted_in(category=CATEGORY)) == []


@pytest.mark.parametrize(
    ("channel", "status", "copies"),
    [
        (None, OutboxStatus.SKIPPED, 0),  # no choice: off
        ("off", OutboxStatus.SKIPPED, 0),
        ("in_app", OutboxStatus.SKIPPED, 1),
        ("email", OutboxStatus.PENDING, 1),
    ],
)
def test_the_outbox_applies_the_opt_in_default(cast, channel, status, copies):
    # given
    if channel is not None:
        NotificationPreference.objects.create(user=cast.manager, category=CATEGORY, channel=channel)
    # when
    outbox_enqueue(
        key=f"monthly_report:test:{cast.manager.pk}:2026-05",
        rule="monthly_report",
        recipient=cast.manager,
        category=CATEGORY,
        subject="Report",
        text="Figures",
    )
    # then
    assert OutboxMessage.objects.get().status == status
    assert Notification.objects.filter(user=cast.manager).count() == copies


def test_only_opt_in_categories_list_their_people():
    # then
    assert default_channel(CATEGORY) == "off"
    assert default_channel(NotificationCategory.DIGEST) == "email"
    with pytest.raises(ValueError, match="not an opt-in category"):
        users_opted_in(category=NotificationCategory.DIGEST)
