"""The chat channels over HTTP: the organisation admin's channels page and API (switches, cap,
the Slack token set and never shown, the failures paged with a flat query count), the
person's Teams webhook endpoint and settings page (Slack and Teams offered only where the
organisation turned them on), each for every actor, denial changing nothing."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.notifications.models import (
    ChannelSettings,
    ChatAddress,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from tandem.notifications.services import channel_settings_update

TOKEN = "xoxb-9999-8888-secretsecret"
PAGE = "/organization/notification-channels/"
HOOK = "https://prod-12.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke"


def _state():
    return (
        [model_to_dict(row) for row in ChannelSettings.objects.order_by("pk")],
        [model_to_dict(row) for row in ChatAddress.objects.order_by("pk")],
        [model_to_dict(row) for row in NotificationPreference.objects.order_by("pk")],
    )


def _page(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _failure(person, n: int, channel: str = "slack") -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=f"k{person.pk}:{n}#{channel}",
        channel=channel,
        rule="r",
        category="messages",
        recipient=person,
        subject=f"message {n} for {person.email}",
        status=OutboxStatus.FAILED,
        last_error="slack: users_not_found",
        next_attempt_at="2026-01-01T00:00Z",
        not_before="2026-01-01T00:00Z",
        message_id=f"<m{person.pk}.{n}.{channel}>",
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_channels_page_matrix(cast, actor):
    # given: a failure in each organisation
    _failure(cast.member, 1)
    _failure(cast.outsider, 1)
    user = cast.by_name(actor)
    client = _page(user)
    before = _state()
    # when
    read = client.get(PAGE)
    saved = client.post(
        PAGE,
        {"slack_enabled": "on", "teams_enabled": "on", "daily_cap": "7", "slack_bot_token": TOKEN},
    )
    # then
    if actor == "anonymous":
        assert read.status_code == saved.status_code == 302
        assert read["Location"].startswith("/accounts/login/")
        assert _state() == before
        return
    if actor not in ("admin", "outsider"):
        assert read.status_code == saved.status_code == 404
        assert _state() == before
        return
    assert read.status_code == 200
    own_failure = (cast.member if actor == "admin" else cast.outsider).email
    other_failure = (cast.outsider if actor == "admin" else cast.member).email
    assert own_failure.encode() in read.content
    assert other_failure.encode() not in read.content
    assert saved.status_code == 302
    row = ChannelSettings.objects.get()
    assert row.organization_id == user.organization_id
    assert (row.push_enabled, row.slack_enabled, row.teams_enabled, row.daily_cap) == (
        False,
        True,
        True,
        7,
    )
    assert row.slack_bot_token == TOKEN
    # the token is never shown again
    again = client.get(PAGE)
    assert TOKEN.encode() not in again.content
    assert b"A bot token is set (it is never shown)." in again.content


def test_an_empty_token_keeps_it_and_the_box_removes_it(cast):
    client = _page(cast.admin)
    client.post(PAGE, {"slack_enabled": "on", "daily_cap": "20", "slack_bot_token": TOKEN})
    client.post(PAGE, {"slack_enabled": "on", "daily_cap": "20", "slack_bot_token": ""})
    assert ChannelSettings.objects.get().slack_bot_token == TOKEN
    client.post(PAGE, {"slack_enabled": "on", "daily_cap": "20", "slack_token_remove": "on"})
    assert ChannelSettings.objects.get().slack_bot_token is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"daily_cap": "0"}, "daily_cap", "Give a number from 1 to 500."),
        ({"daily_cap": "501"}, "daily_cap", "Give a number from 1 to 500."),
        ({"daily_cap": "many"}, "daily_cap", "Give a number from 1 to 500."),
        (
            {"daily_cap": "20", "slack_bot_token": "xoxp-user"},
            "slack_bot_token",
            "Give the Slack app&#x27;s bot token (it starts with xoxb-).",
        ),
    ],
)
def test_bad_channel_settings_name_the_field_and_change_nothing(cast, form, field, message):
    channel_settings_update(actor=cast.admin, daily_cap=9)
    before = _state()
    response = _page(cast.admin).post(PAGE, {"slack_enabled": "on", **form})
    assert response.status_code == 400
    assert f'id="error-{field}">{message}<'.encode() in response.content
    assert _state() == before


def test_the_failures_are_paged_with_a_flat_query_count(cast):
    client = _page(cast.admin)
    _failure(cast.member, 0)
    client.get(PAGE)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = count(PAGE)
    for n in range(1, 45):
        _failure(cast.member, n, channel=("slack", "teams", "push")[n % 3])
    assert count(PAGE) == few
    assert count(PAGE + "?page=3") == few
    # newest first, 20 to a page, the last page holds the rest
    first = client.get(PAGE).content.decode()
    assert "message 44 for" in first
    assert "message 24 for" not in first
    last = client.get(PAGE + "?page=3").content.decode()
    assert "message 0 for" in last
    assert "Page 3 of 3" in last


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_channels_api_sets_chat_switches_and_never_returns_the_token(cast, api_as, actor):
    client = api_as(cast.by_name(actor))
    expected = {
        "anonymous": 401,
        "outsider": 200,
        "admin": 200,
    }.get(actor, 403)
    before = _state()
    changed = client.patch(
        "organization/notification-channels",
        {"slack_enabled": True, "teams_enabled": True, "slack_bot_token": TOKEN},
    )
    assert changed.status_code == expected
    if expected != 200:
        assert changed["Content-Type"] == "application/problem+json"
        assert _state() == before
        return
    body = changed.json()
    assert {key: body[key] for key in body if key != "failures"} == {
        "push_enabled": True,
        "slack_enabled": True,
        "slack_token_set": True,
        "teams_enabled": True,
        "daily_cap": 20,
    }
    assert TOKEN not in changed.content.decode()
    assert TOKEN not in client.get("organization/notification-channels").content.decode()


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_teams_webhook_endpoint_matrix(cast, api_as, actor):
    # given: the admin has a webhook URL of their own
    ChatAddress.objects.create(user=cast.admin, teams_webhook_url=HOOK)
    client = api_as(cast.by_name(actor))
    before = _state()
    # when
    read = client.get("me/teams-webhook")
    bad = client.put("me/teams-webhook", {"url": "http://10.1.2.3/hook"})
    after_bad = _state()
    put = client.put("me/teams-webhook", {"url": HOOK + "?sig=mine"})
    # then: each person sets their own, and never sees the URL back
    if actor == "anonymous":
        assert [read.status_code, bad.status_code, put.status_code] == [401] * 3
        assert _state() == before
        return
    assert read.json() == {
        "configured": actor == "admin",
        "hint": "prod-12.westeurope.logic.azure.com/…" if actor == "admin" else "",
    }
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "teams_webhook_url"
    assert after_bad == before
    assert put.status_code == 200
    assert "sig=mine" not in put.content.decode()
    user = cast.by_name(actor)
    assert ChatAddress.objects.get(user=user).teams_webhook_url == HOOK + "?sig=mine"
    assert ChatAddress.objects.get(user=cast.admin).teams_webhook_url == (
        HOOK + "?sig=mine" if actor == "admin" else HOOK
    )


def test_the_settings_page_offers_chat_channels_only_when_the_organisation_does(cast):
    url = reverse("notifications:preferences")
    page = _page(cast.member).get(url)
    assert b'name="slack_messages"' not in page.content
    assert b'data-testid="teams-settings"' not in page.content
    # Slack on without a token is not offered either
    channel_settings_update(actor=cast.admin, slack_enabled=True, teams_enabled=True)
    page = _page(cast.member).get(url)
    assert b'name="slack_messages"' not in page.content
    assert b'data-testid="teams-settings"' in page.content
    assert b'name="teams_messages"' in page.content
    channel_settings_update(actor=cast.admin, slack_bot_token=TOKEN)
    assert b'name="slack_messages"' in _page(cast.member).get(url).content
    # the other organisation offers nothing
    outsider_page = _page(cast.outsider).get(url)
    assert b'name="slack_messages"' not in outsider_page.content


def test_the_settings_page_saves_chat_channels_and_the_teams_url(cast, settings):
    channel_settings_update(
        actor=cast.admin, slack_enabled=True, teams_enabled=True, slack_bot_token=TOKEN
    )
    client = _page(cast.mentee)
    response = client.post(
        reverse("notifications:preferences"),
        {
            "slack_offered": "1",
            "teams_offered": "1",
            "teams_webhook_url": HOOK,
            "goals": "email",
            "slack_goals": "on",
            "teams_goals": "on",
            "messages": "in_app",
            "teams_messages": "on",
        },
    )
    assert response.status_code == 302
    prefs = {
        category: (slack, teams)
        for category, slack, teams in NotificationPreference.objects.filter(
            user=cast.mentee
        ).values_list("category", "slack", "teams")
    }
    assert prefs == {"goals": (True, True), "messages": (False, True)}
    assert ChatAddress.objects.get(user=cast.mentee).teams_webhook_url == HOOK
    page = client.get(reverse("notifications:preferences")).content
    assert HOOK.encode() not in page
    assert b"A URL is set (prod-12.westeurope.logic.azure.com/" in page


def test_a_bad_teams_url_on_the_settings_page_changes_nothing(cast, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    channel_settings_update(actor=cast.admin, teams_enabled=True)
    before = _state()
    response = _page(cast.mentee).post(
        reverse("notifications:preferences"),
        {
            "teams_offered": "1",
            "teams_webhook_url": "https://192.168.1.4/hook",
            "goals": "email",
            "teams_goals": "on",
        },
    )
    assert response.status_code == 400
    assert b'id="error-teams_webhook_url"' in response.content
    assert _state() == before
