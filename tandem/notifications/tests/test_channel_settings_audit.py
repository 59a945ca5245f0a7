"""The notification channels are organisation settings: each change of a switch, the daily
cap or the Slack bot token is an audited settings change (who, when, before and after), the
token only as "set", "replaced" or "removed", never its value; a save that changes nothing, and
a denied or invalid one, records nothing."""

import itertools

import pytest
from django.test import Client

from conftest import ACTOR_NAMES
from tandem.audit import events
from tandem.audit.models import AuditEntry
from tandem.core.errors import Forbidden, InvalidInput
from tandem.notifications.services import channel_settings_update

TOKEN = "xoxb-1111-2222-tokensecretvalue"
OTHER_TOKEN = "xoxb-3333-4444-othersecretvalue"
PAGE = "/organization/notification-channels/"


def _changes() -> list[dict[str, list[object]]]:
    return [
        entry.additional_data["changes"]
        for entry in AuditEntry.objects.filter(event=events.SETTINGS_CHANGED).order_by("pk")
        if entry.additional_data.get("settings") == "notification_channels"
    ]


def _whole_trail() -> str:
    return "\n".join(
        f"{entry.object_repr} {entry.changes_text} {entry.changes} {entry.additional_data}"
        for entry in AuditEntry.objects.all()
    )


# Every switch from its default to the other value and back, with the cap beside.
SWITCHES = [
    ("push_enabled", True),
    ("slack_enabled", False),
    ("teams_enabled", False),
]


@pytest.mark.parametrize(("name", "default"), SWITCHES)
@pytest.mark.parametrize("cap", [None, 1, 20, 500])
def test_each_switch_and_the_cap_is_audited_before_and_after(cast, name, default, cap):
    # when the admin flips a switch (and maybe sets the cap), then flips it back
    channel_settings_update(actor=cast.admin, **{name: not default}, daily_cap=cap)
    channel_settings_update(actor=cast.admin, **{name: default})
    # then each change is one entry, by the admin, in their organisation, before and after
    expected_first = {name: [default, not default]}
    if cap is not None and cap != 20:  # 20 is the default cap: no change
        expected_first["daily_cap"] = [20, cap]
    assert _changes() == [expected_first, {name: [not default, default]}]
    entries = AuditEntry.objects.filter(event=events.SETTINGS_CHANGED)
    assert {(entry.actor_id, entry.organization_id) for entry in entries} == {
        (cast.admin.pk, cast.org.pk)
    }


@pytest.mark.parametrize("values", list(itertools.product([True, False], repeat=3)))
def test_saving_the_same_values_again_records_nothing_new(cast, values):
    push, slack, teams = values
    channel_settings_update(
        actor=cast.admin, push_enabled=push, slack_enabled=slack, teams_enabled=teams
    )
    before = _changes()
    # when the page is saved again as it is
    channel_settings_update(
        actor=cast.admin, push_enabled=push, slack_enabled=slack, teams_enabled=teams, daily_cap=20
    )
    # then no further entry
    assert _changes() == before


def test_the_token_is_audited_as_set_replaced_removed_never_its_value(cast):
    # when the admin sets a token, sets it again unchanged, replaces it, then removes it twice
    channel_settings_update(actor=cast.admin, slack_bot_token=TOKEN)
    channel_settings_update(actor=cast.admin, slack_bot_token=TOKEN)
    channel_settings_update(actor=cast.admin, slack_bot_token=OTHER_TOKEN)
    channel_settings_update(actor=cast.admin, slack_bot_token="")
    channel_settings_update(actor=cast.admin, slack_bot_token="")
    # then three changes, in words
    assert _changes() == [
        {"slack_bot_token": ["none", "set"]},
        {"slack_bot_token": ["set", "replaced"]},
        {"slack_bot_token": ["set", "removed"]},
    ]
    # and neither token, nor a part of it, is anywhere in the trail
    trail = _whole_trail()
    for secret in (TOKEN, OTHER_TOKEN, "tokensecretvalue", "othersecretvalue"):
        assert secret not in trail


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_channels_page_records_a_change_for_admins_only(cast, actor):
    user = cast.by_name(actor)
    client = Client()
    if user is not None:
        client.force_login(user)
    # when they save the page with Slack on, a token and a cap
    client.post(
        PAGE,
        {"push_enabled": "on", "slack_enabled": "on", "daily_cap": "7", "slack_bot_token": TOKEN},
    )
    # then only an organisation admin's save is recorded, for their own organisation
    entries = list(AuditEntry.objects.filter(event=events.SETTINGS_CHANGED))
    if actor in ("admin", "outsider"):
        [entry] = entries
        assert (entry.actor_id, entry.organization_id) == (user.pk, user.organization_id)
        assert entry.additional_data == {
            "settings": "notification_channels",
            "changes": {
                "slack_enabled": [False, True],
                "daily_cap": [20, 7],
                "slack_bot_token": ["none", "set"],
            },
        }
        assert TOKEN not in _whole_trail()
    else:
        assert entries == []


@pytest.mark.parametrize(
    "bad",
    [{"daily_cap": 0}, {"daily_cap": 501}, {"slack_bot_token": "xoxp-user-token"}],
)
def test_an_invalid_or_denied_change_records_nothing(cast, bad):
    with pytest.raises(InvalidInput):
        channel_settings_update(actor=cast.admin, push_enabled=False, **bad)
    with pytest.raises(Forbidden):
        channel_settings_update(actor=cast.manager, push_enabled=False)
    assert not AuditEntry.objects.filter(event=events.SETTINGS_CHANGED).exists()
