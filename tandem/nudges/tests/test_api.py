"""GET/PUT /programs/{id}/nudges: the programme's managers only."""

import pytest

from conftest import PAIR_ACTOR_NAMES
from tandem.nudges.models import NudgeSetting
from tandem.nudges.rules import RULES

MANAGERS = ("manager", "admin")


def _status(actor_name: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(actor_name, 403)


def _state() -> list[tuple]:
    return list(NudgeSetting.objects.values_list("program_id", "rule", "is_enabled", "timing"))


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_get_matrix(pair, api_as, actor_name, django_assert_max_num_queries):
    # when
    with django_assert_max_num_queries(8):
        response = api_as(pair.by_name(actor_name)).get(f"programs/{pair.cast.program.pk}/nudges")
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 200
        body = response.json()
        assert [item["rule"] for item in body] == [rule.name for rule in RULES]
        assert body[4] == {
            "rule": "meeting_reminder",
            "label": "Meeting reminder",
            "description": (
                "Reminds both people of a coming meeting, with the calendar invitation attached."
            ),
            "recipients": "the mentor and the mentee",
            "category": "reminders",
            "is_enabled": True,
            "timing": 24,
            "default_timing": 24,
            "unit": "hours",
            "timing_label": "Hours before the meeting",
            "minimum": 1,
            "maximum": 168,
        }
    else:
        assert response.status_code == _status(actor_name)
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_put_matrix(pair, api_as, actor_name):
    # given
    before = _state()
    body = {
        "settings": [
            {"rule": "meeting_reminder", "is_enabled": True, "timing": 48},
            {"rule": "inactivity", "is_enabled": False, "timing": 3},
        ]
    }
    # when
    response = api_as(pair.by_name(actor_name)).put(f"programs/{pair.cast.program.pk}/nudges", body)
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 200, response.content
        by_rule = {item["rule"]: item for item in response.json()}
        assert (by_rule["meeting_reminder"]["timing"], by_rule["inactivity"]["is_enabled"]) == (
            48,
            False,
        )
        assert sorted(_state()) == [
            (pair.cast.program.pk, "inactivity", False, None),
            (pair.cast.program.pk, "meeting_reminder", True, 48),
        ]
    else:
        assert response.status_code == _status(actor_name)
        assert _state() == before


def test_put_names_each_bad_rule_and_changes_nothing(cast, api_as):
    # when
    response = api_as(cast.manager).put(
        f"programs/{cast.program.pk}/nudges",
        {
            "settings": [
                {"rule": "closing", "is_enabled": True, "timing": 7},
                {"rule": "meeting_reminder", "is_enabled": True, "timing": 500},
                {"rule": "telepathy", "is_enabled": True, "timing": 1},
            ]
        },
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "meeting_reminder.timing", "message": "Choose between 1 and 168 (hours)."},
        {"field": "telepathy", "message": "'telepathy' is not a nudge rule."},
    ]
    assert _state() == []


def test_put_again_updates_in_place(cast, api_as):
    # given
    url = f"programs/{cast.program.pk}/nudges"
    api_as(cast.manager).put(
        url, {"settings": [{"rule": "closing", "is_enabled": False, "timing": 7}]}
    )
    # when
    response = api_as(cast.manager).put(
        url, {"settings": [{"rule": "closing", "is_enabled": True, "timing": 14}]}
    )
    # then
    assert response.status_code == 200
    assert _state() == [(cast.program.pk, "closing", True, None)]
