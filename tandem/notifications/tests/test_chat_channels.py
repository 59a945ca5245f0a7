"""Slack and Teams end to end. Slack: the real SDK talks to a loopback Slack that checks the
HTTP verb, the bearer token and the payload, and answers its errors; Teams: the card is
validated against the Adaptive Card schema and posted to a loopback Workflows webhook through
the SSRF guard. Around them: the organisation's switches and cap, one delivery per channel
(never twice on a retry), the fallback to email exactly once, the failures the admin sees."""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import InvalidInput
from tandem.core.links import absolute_url
from tandem.notifications.models import (
    ChannelSettings,
    ChatAddress,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    QuietHours,
)
from tandem.notifications.selectors import channel_failures_for_org_admin
from tandem.notifications.services import (
    channel_settings_update,
    notification_preferences_update,
    outbox_deliver_batch,
    outbox_enqueue,
    teams_webhook_set,
)
from tandem.notifications.teams import teams_message
from tandem.notifications.tests.slack_server import SlackServer
from tandem.notifications.tests.teams_receiver import TeamsReceiver

pytestmark = pytest.mark.django_db

TOKEN = "xoxb-1111-2222-abcdefabcdef"
SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "adaptive-card-1.5.schema.json").read_text()
)
CARD_VALIDATOR = jsonschema_rs.Draft7Validator(SCHEMA)


@pytest.fixture
def slack(settings) -> Iterator[SlackServer]:
    server = SlackServer(token=TOKEN)
    settings.SLACK_API_BASE_URL = server.base_url
    yield server
    server.close()


@pytest.fixture
def teams() -> Iterator[TeamsReceiver]:
    receiver = TeamsReceiver()
    yield receiver
    receiver.close()


def _slack_person(cast, slack: SlackServer, *, known: bool = True, channel: str = "in_app"):
    channel_settings_update(actor=cast.admin, slack_enabled=True, slack_bot_token=TOKEN)
    if known:
        slack.people[cast.mentee.email] = "U0MENTEE"
    notification_preferences_update(
        actor=cast.mentee, channels={"messages": channel}, slack={"messages": True}
    )
    return cast.mentee


def _teams_person(cast, teams: TeamsReceiver, *, channel: str = "in_app"):
    channel_settings_update(actor=cast.admin, teams_enabled=True)
    notification_preferences_update(
        actor=cast.mentee,
        channels={"messages": channel},
        teams={"messages": True},
        teams_webhook_url=teams.url(),
    )
    return cast.mentee


def _owe(person, key: str = "msg:1") -> None:
    outbox_enqueue(
        key=key,
        rule="message",
        recipient=person,
        category="messages",
        subject="A new message from Sam",
        text="Sam wrote: shall we meet on Tuesday?",
        url="/relationships/7/messages/",
    )


def _deliver(worker: str = "w1"):
    return outbox_deliver_batch(worker_id=worker)


def _due_again() -> None:
    """Move every pending row's next attempt to now (as if the backoff had passed)."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


# --- Slack ---------------------------------------------------------------------------------


def test_a_slack_direct_message_is_looked_up_opened_and_posted_with_the_token(cast, slack):
    # given
    person = _slack_person(cast, slack)
    _owe(person)
    # when
    report = _deliver()
    # then: the three calls, each with the organisation's bearer token and the right verb
    assert slack.problems == []
    assert [(call.method, call.verb, call.token) for call in slack.calls] == [
        ("users.lookupByEmail", "POST", TOKEN),
        ("conversations.open", "POST", TOKEN),
        ("chat.postMessage", "POST", TOKEN),
    ]
    assert slack.calls[0].payload == {"email": person.email}
    assert slack.calls[1].payload["users"] == "U0MENTEE"
    posted = slack.calls[2].payload
    assert posted["channel"] == "DU0MENTEE"
    assert posted["text"] == "A new message from Sam\nSam wrote: shall we meet on Tuesday?"
    assert posted["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "A new message from Sam"}},
        {
            "type": "section",
            "text": {"type": "plain_text", "text": "Sam wrote: shall we meet on Tuesday?"},
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open in Tandem"},
                    "url": absolute_url("/relationships/7/messages/"),
                    "action_id": "open_in_tandem",
                }
            ],
        },
    ]
    assert report.sent == 1
    row = OutboxMessage.objects.get(channel="slack")
    assert (row.status, row.key, row.last_error) == (OutboxStatus.SENT, "msg:1#slack", "")
    # in-app only: no email, the in-app copy kept
    assert mail.outbox == []
    assert Notification.objects.filter(user=person).count() == 1
    # the id is cached: the next message skips the lookup
    assert ChatAddress.objects.get(user=person).slack_user_id == "U0MENTEE"
    _owe(person, key="msg:2")
    _deliver()
    assert [call.method for call in slack.calls[3:]] == ["conversations.open", "chat.postMessage"]


def test_a_delivered_slack_row_is_never_sent_again(cast, slack):
    person = _slack_person(cast, slack)
    _owe(person)
    _owe(person)  # the same key: nothing more owed
    _deliver("w1")
    _due_again()
    # when: more workers run (a retry, a kick, the poller)
    _deliver("w2")
    _deliver("w3")
    # then
    assert len(slack.calls_of("chat.postMessage")) == 1
    assert OutboxMessage.objects.filter(channel="slack").count() == 1


@pytest.mark.parametrize(
    ("failure", "method", "attempts_to_fail", "reason"),
    [
        ("users_not_found", "users.lookupByEmail", 1, "slack: users_not_found"),
        ("ratelimited", "chat.postMessage", 3, "slack: ratelimited"),
        ("500", "chat.postMessage", 3, "slack: HTTP 500"),
        ("invalid_auth", "users.lookupByEmail", 1, "slack: invalid_auth"),
    ],
)
def test_each_slack_failure_falls_back_to_email_exactly_once_and_is_listed(
    cast, slack, failure, method, attempts_to_fail, reason
):
    # given: a person whose messages go in-app and to Slack; Slack fails every time
    person = _slack_person(cast, slack, known=failure != "users_not_found")
    if failure == "invalid_auth":
        slack.token = "xoxb-another-token"
    _owe(person)
    OutboxMessage.objects.filter(channel="slack").update(max_attempts=attempts_to_fail)
    # when: every attempt fails, then the workers go on
    for attempt in range(attempts_to_fail):
        if failure in ("ratelimited", "500"):
            slack.failures[method] = failure
        before = timezone.now()
        _deliver(f"w{attempt}")
        row = OutboxMessage.objects.get(channel="slack")
        if attempt < attempts_to_fail - 1:
            # a transient failure waits: Retry-After when Slack names it, else the backoff
            assert row.status == OutboxStatus.PENDING
            assert reason in row.last_error
            if failure == "ratelimited":
                wait = row.next_attempt_at - before
                assert datetime.timedelta(seconds=29) < wait <= datetime.timedelta(seconds=31)
            assert len(mail.outbox) == 0
            _due_again()
    for worker in ("again-1", "again-2"):
        _due_again()
        _deliver(worker)
    # then: failed for good, one email owed and sent instead, listed for the admin
    row = OutboxMessage.objects.get(channel="slack")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith(reason)
    fallback = OutboxMessage.objects.get(key="msg:1#slack#email")
    assert fallback.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert mail.outbox[0].subject == "A new message from Sam"
    listed = channel_failures_for_org_admin(actor=cast.admin)
    assert [(item.pk, item.fallback_status) for item in listed] == [(row.pk, "sent")]
    assert channel_failures_for_org_admin(actor=cast.outsider) == []
    assert channel_failures_for_org_admin(actor=cast.manager) == []
    if failure == "users_not_found":
        assert not ChatAddress.objects.filter(user=person).exclude(slack_user_id="").exists()


def test_a_person_who_left_the_workspace_is_looked_up_again(cast, slack):
    person = _slack_person(cast, slack)
    ChatAddress.objects.create(user=person, slack_user_id="U0GONE")
    _owe(person)
    _deliver()
    # Slack's answer to an unknown id forgets the cached one; the retry looks them up
    assert slack.problems == []
    assert ChatAddress.objects.get(user=person).slack_user_id == ""
    row = OutboxMessage.objects.get(channel="slack")
    assert (row.status, row.last_error) == (OutboxStatus.PENDING, "slack: user_not_found")
    _due_again()
    _deliver("w2")
    assert [call.method for call in slack.calls] == [
        "conversations.open",
        "users.lookupByEmail",
        "conversations.open",
        "chat.postMessage",
    ]
    assert OutboxMessage.objects.get(channel="slack").status == OutboxStatus.SENT
    assert ChatAddress.objects.get(user=person).slack_user_id == "U0MENTEE"
    assert mail.outbox == []


def test_a_person_who_gets_email_anyway_is_not_emailed_twice(cast, slack):
    person = _slack_person(cast, slack, known=False, channel="email")
    _owe(person)
    _deliver()
    _due_again()
    _deliver("w2")
    assert OutboxMessage.objects.get(channel="slack").status == OutboxStatus.FAILED
    assert not OutboxMessage.objects.filter(key="msg:1#slack#email").exists()
    assert len(mail.outbox) == 1
    assert channel_failures_for_org_admin(actor=cast.admin)[0].fallback_status is None


def test_slack_switched_off_or_its_token_removed_falls_back(cast, slack):
    person = _slack_person(cast, slack)
    _owe(person, key="a")
    # when: the admin removes the token before delivery
    channel_settings_update(actor=cast.admin, slack_bot_token="")
    _deliver()
    # then
    assert slack.calls == []
    row = OutboxMessage.objects.get(channel="slack")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("off: Slack is turned off")
    assert OutboxMessage.objects.get(key="a#slack#email").status == OutboxStatus.SENT
    # and while off, nothing more is owed to Slack
    _owe(person, key="b")
    assert not OutboxMessage.objects.filter(key="b#slack").exists()


def test_the_daily_cap_counts_every_channel_beside_email(cast, slack, teams):
    # given: a cap of 2, a person on Slack and Teams
    channel_settings_update(actor=cast.admin, daily_cap=2, teams_enabled=True)
    person = _slack_person(cast, slack)
    notification_preferences_update(
        actor=person, channels={}, teams={"messages": True}, teams_webhook_url=teams.url()
    )
    # when: two messages, so four rows beside email
    _owe(person, key="a")
    _owe(person, key="b")
    _deliver()
    # then: two sent, two skipped over the cap without an email
    statuses = sorted(
        OutboxMessage.objects.exclude(channel="email").values_list("status", flat=True)
    )
    assert statuses == ["sent", "sent", "skipped", "skipped"]
    assert mail.outbox == []


# --- Teams ---------------------------------------------------------------------------------


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(max_size=250),
    text=st.text(max_size=4000),
    path=st.sampled_from(["", "/", "/goals/3/", "/relationships/7/messages/?a=1&b=2"]),
)
def test_every_teams_message_is_a_valid_adaptive_card(title, text, path):
    message = teams_message(title=title, text=text, path=path)
    errors = [error.message for error in CARD_VALIDATOR.iter_errors(message)]
    assert errors == []
    card = message["attachments"][0]["content"]
    assert card["version"] == "1.5"
    assert card["actions"][0]["url"] == absolute_url(path or "/notifications/")


def test_the_schema_refuses_what_a_1_5_host_would_not_show():
    # the fixture is strict: a legacy MessageCard, an unknown element, a wrong enum all fail
    legacy = {"@type": "MessageCard", "summary": "x", "sections": []}
    card = teams_message(title="t", text="x", path="/")
    unknown = json.loads(json.dumps(card))
    unknown["attachments"][0]["content"]["body"].append({"type": "Carousel", "pages": []})
    bad_enum = json.loads(json.dumps(card))
    bad_enum["attachments"][0]["content"]["body"][0]["weight"] = "Heavy"
    for message in (legacy, unknown, bad_enum):
        assert not CARD_VALIDATOR.is_valid(message)


def test_a_teams_card_is_posted_once_to_the_persons_workflow(cast, teams):
    person = _teams_person(cast, teams)
    _owe(person)
    # when
    _deliver()
    _due_again()
    _deliver("w2")
    # then
    assert len(teams.received) == 1
    path, headers, body = teams.received[0]
    assert path == "/workflows/abc/triggers/manual/paths/invoke?sig=s3cret"
    assert headers["content-type"] == "application/json"
    assert CARD_VALIDATOR.is_valid(body)
    assert body == teams_message(
        title="A new message from Sam",
        text="Sam wrote: shall we meet on Tuesday?",
        path="/relationships/7/messages/",
    )
    row = OutboxMessage.objects.get(channel="teams")
    assert (row.status, row.claimed_by) == (OutboxStatus.SENT, "")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("answer", "final_after"), [(404, 1), (410, 1), (400, 1), (500, 2), (429, 2)]
)
def test_a_refused_teams_post_falls_back_to_email_once(cast, teams, answer, final_after):
    person = _teams_person(cast, teams)
    teams.answer = answer
    _owe(person)
    OutboxMessage.objects.filter(channel="teams").update(max_attempts=2)
    for worker in ("w1", "w2", "w3"):
        _deliver(worker)
        _due_again()
    row = OutboxMessage.objects.get(channel="teams")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error == f"teams: the webhook answered HTTP {answer}"
    assert len(teams.received) == final_after
    assert OutboxMessage.objects.get(key="msg:1#teams#email").status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_a_teams_url_to_a_private_address_is_refused_at_send_time(cast, teams, settings):
    person = _teams_person(cast, teams)
    _owe(person)
    # when: private targets are no longer allowed (production)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    _deliver()
    # then: nothing reached the receiver; email instead
    assert teams.received == []
    row = OutboxMessage.objects.get(channel="teams")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("teams: ")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (
            "https://prod-12.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke",
            True,
        ),
        ("https://default1234.56.environment.api.powerplatform.com/powerautomate/x", True),
        ("http://prod-12.westeurope.logic.azure.com/workflows/x", False),
        ("https://10.0.0.5/workflows/x", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://localhost/hook", False),
        ("https://user:pw@example.com/hook", False),
        ("ftp://example.com/hook", False),
        ("https://example.com/a b", False),
        ("   ", False),
    ],
)
def test_a_teams_webhook_url_is_checked_by_the_ssrf_guard(cast, settings, url, allowed):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    channel_settings_update(actor=cast.admin, teams_enabled=True)
    if allowed:
        teams_webhook_set(actor=cast.member, url=url)
        assert ChatAddress.objects.get(user=cast.member).teams_webhook_url == url
        return
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(
            actor=cast.member,
            channels={"messages": "email"},
            teams={"messages": True},
            teams_webhook_url=url,
        )
    # a blank URL is "none": then Teams is refused for want of one
    expected = "teams_messages" if not url.strip() else "teams_webhook_url"
    assert [error.field for error in refused.value.errors] == [expected]
    assert not ChatAddress.objects.filter(user=cast.member).exists()
    assert not NotificationPreference.objects.filter(user=cast.member).exists()


def test_chat_secrets_are_encrypted_at_rest(cast, teams):
    from django.db import connection

    _teams_person(cast, teams)
    channel_settings_update(actor=cast.admin, slack_bot_token=TOKEN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT slack_bot_token FROM notifications_channelsettings")
        (stored_token,) = cursor.fetchone()
        cursor.execute("SELECT teams_webhook_url FROM notifications_chataddress")
        (stored_url,) = cursor.fetchone()
    assert TOKEN not in stored_token
    assert "s3cret" not in stored_url
    assert ChannelSettings.objects.get().slack_bot_token == TOKEN


# --- Choosing the channels -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["slack", "teams"])
def test_a_chat_channel_is_refused_until_the_organisation_turns_it_on(cast, name):
    # given: nothing turned on
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(
            actor=cast.member, channels={"messages": "email"}, **{name: {"messages": True}}
        )
    assert [(error.field, error.message) for error in refused.value.errors] == [
        (
            f"{name}_messages",
            f"Your organisation does not send notifications through {name.title()}.",
        )
    ]
    assert not NotificationPreference.objects.filter(user=cast.member).exists()


def test_slack_needs_a_token_and_teams_needs_the_persons_url(cast):
    channel_settings_update(actor=cast.admin, slack_enabled=True, teams_enabled=True)
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(
            actor=cast.member,
            channels={"messages": "email"},
            slack={"messages": True},
            teams={"goals": True},
        )
    assert [error.field for error in refused.value.errors] == ["slack_messages", "teams_goals"]
    assert not NotificationPreference.objects.filter(user=cast.member).exists()


def test_off_turns_every_chat_channel_off(cast, slack, teams):
    person = _teams_person(cast, teams)
    channel_settings_update(actor=cast.admin, slack_enabled=True, slack_bot_token=TOKEN)
    notification_preferences_update(actor=person, channels={}, slack={"messages": True})
    notification_preferences_update(actor=person, channels={"messages": "off"})
    pref = NotificationPreference.objects.get(user=person, category="messages")
    assert (pref.channel, pref.push, pref.slack, pref.teams) == ("off", False, False, False)


def test_a_new_slack_token_forgets_the_cached_ids(cast, slack):
    person = _slack_person(cast, slack)
    ChatAddress.objects.create(user=person, slack_user_id="U0OLD")
    outsider_address = ChatAddress.objects.create(user=cast.outsider, slack_user_id="U0OTHER")
    channel_settings_update(actor=cast.admin, slack_bot_token="xoxb-new-workspace")
    assert ChatAddress.objects.get(user=person).slack_user_id == ""
    outsider_address.refresh_from_db()
    assert outsider_address.slack_user_id == "U0OTHER"


@pytest.mark.parametrize(
    "token", ["xoxp-user-token", "not a token", "xoxb-" + "a" * 260, "xoxb-has space"]
)
def test_a_bad_slack_token_is_refused_and_changes_nothing(cast, token):
    with pytest.raises(InvalidInput) as refused:
        channel_settings_update(actor=cast.admin, slack_enabled=True, slack_bot_token=token)
    assert [error.field for error in refused.value.errors] == ["slack_bot_token"]
    assert not ChannelSettings.objects.exists()


def test_a_forgotten_teams_url_turns_teams_off(cast, teams):
    person = _teams_person(cast, teams)
    teams_webhook_set(actor=person, url="")
    assert ChatAddress.objects.get(user=person).teams_webhook_url is None
    assert not NotificationPreference.objects.filter(user=person, teams=True).exists()
    _owe(person)
    assert not OutboxMessage.objects.filter(channel="teams").exists()


def test_other_people_are_unaffected_by_one_persons_chat_choices(cast, slack):
    person = _slack_person(cast, slack)
    other = UserFactory(organization=cast.org)
    _owe(person, key="p")
    _owe(other, key="o")
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == ["o", "p", "p#slack"]


@pytest.mark.parametrize("channel", ["slack", "teams"])
def test_quiet_hours_hold_chat_messages_too(cast, slack, teams, channel):
    # given: the person's quiet hours cover now
    person = _slack_person(cast, slack) if channel == "slack" else _teams_person(cast, teams)
    now = timezone.localtime(timezone.now(), datetime.UTC)
    QuietHours.objects.create(
        user=person,
        start=(now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        end=(now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )
    # when
    _owe(person)
    _deliver()
    # then: nothing reached the chat, and the message waits for the end of the quiet hours
    assert (slack.calls, teams.received) == ([], [])
    row = OutboxMessage.objects.get(channel=channel)
    assert (row.status, row.not_before > timezone.now()) == (OutboxStatus.PENDING, True)
