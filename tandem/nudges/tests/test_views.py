"""/programs/<id>/nudges/: the settings page (the programme's managers only)."""

import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.nudges.models import NudgeSetting
from tandem.nudges.rules import RULES

MANAGERS = ("manager", "admin")


def _state() -> list[tuple]:
    return list(NudgeSetting.objects.values_list("program_id", "rule", "is_enabled", "timing"))


def _form(**changes: tuple[bool, str]) -> dict[str, str]:
    data = {}
    for rule in RULES:
        enabled, timing = changes.get(rule.name, (True, str(rule.default)))
        data[f"{rule.name}-timing"] = timing
        if enabled:
            data[f"{rule.name}-enabled"] = "on"
    return data


def _denied(response, actor_name: str, url: str) -> None:
    if actor_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == (404 if actor_name == "outsider" else 403)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_page_matrix(pair, client, actor_name, django_assert_max_num_queries):
    # given
    user = pair.by_name(actor_name)
    if user is not None:
        client.force_login(user)
    url = reverse("nudges:settings", args=[pair.cast.program.pk])
    # when
    with django_assert_max_num_queries(12):
        response = client.get(url)
    # then
    if actor_name in MANAGERS:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nudges in Leadership cohort" in html
        assert html.count('role="switch"') == len(RULES)
        assert '<label class="form-check-label fw-semibold" for="id_inactivity-enabled">' in html
        assert 'data-testid="save-nudges"' in html
    else:
        _denied(response, actor_name, url)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_save_matrix(pair, client, actor_name):
    # given
    before = _state()
    user = pair.by_name(actor_name)
    if user is not None:
        client.force_login(user)
    url = reverse("nudges:settings", args=[pair.cast.program.pk])
    # when
    response = client.post(url, _form(inactivity=(False, "3"), closing=(True, "21")))
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 302
        assert response["Location"] == url
        program_id = pair.cast.program.pk
        assert sorted(row for row in _state() if row[2] is False or row[3] is not None) == [
            (program_id, "closing", True, 21),
            (program_id, "inactivity", False, None),
        ]
        assert NudgeSetting.objects.count() == len(RULES)
    else:
        _denied(response, actor_name, url)
        assert _state() == before


def test_save_names_the_rule_out_of_range_and_changes_nothing(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("nudges:settings", args=[cast.program.pk])
    # when
    response = client.post(url, _form(closing=(True, "500"), midpoint=(True, "soon")))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" id="id_midpoint-timing_error">'
        "Enter a whole number.</div>" in html
    )
    assert 'value="soon"' in html
    assert _state() == []
    # when: the number is fixed, the range is checked
    response = client.post(url, _form(closing=(True, "500")))
    # then
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" id="id_closing-timing_error">'
        "Choose between 1 and 90 (days).</div>" in response.content.decode()
    )
    assert _state() == []


@pytest.mark.parametrize(
    ("number", "day"),
    list(
        enumerate(
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1
        )
    ),
)
def test_a_day_of_the_week_is_chosen_by_name_and_saved_as_its_number(cast, client, number, day):
    # given the weekly digest, whose timing is a day of the week
    client.force_login(cast.manager)
    url = reverse("nudges:settings", args=[cast.program.pk])
    # when the manager picks the day by name
    response = client.post(url, _form(manager_digest=(True, str(number))))
    # then it is stored as its number (the default, Monday, as no change) and shown by name
    assert response.status_code == 302
    stored = NudgeSetting.objects.get(program=cast.program, rule="manager_digest").timing
    assert stored == (None if number == 1 else number)
    html = client.get(url).content.decode()
    assert '<select class="form-select" id="id_manager_digest-timing"' in html
    assert f'<option value="{number}" selected>{day}</option>' in html
    assert "(default Monday)" in html
    assert 'type="number" inputmode="numeric" min="1" max="7"' not in html
