"""Signed one-click unsubscribe links and the quiet-hours settings (page and API)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import NotFound
from tandem.notifications.models import NotificationPreference, QuietHours
from tandem.notifications.unsubscribe import unsubscribe_read, unsubscribe_token
from tandem.people.models import Profile


def _prefs():
    return list(
        NotificationPreference.objects.order_by("pk").values_list("user_id", "category", "channel")
    )


def _url(token):
    return reverse("notifications:unsubscribe", args=[token])


def test_a_token_names_its_person_and_category():
    # when
    token = unsubscribe_token(user_id=42, category="nudges")
    # then
    assert unsubscribe_read(token) == (42, "nudges")
    assert token != unsubscribe_token(user_id=43, category="nudges")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token.replace("eyJ1Ijo0Mi", "eyJ1Ijo0My"),  # another person
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.split(":")[0],  # signature cut off
        lambda token: "garbage",
    ],
)
def test_a_tampered_token_is_refused(tamper):
    # given
    token = unsubscribe_token(user_id=42, category="nudges")
    # when / then
    with pytest.raises(NotFound):
        unsubscribe_read(tamper(token))


def test_a_token_for_an_unknown_category_is_refused():
    # given: signed correctly, but the category does not exist
    from django.core import signing

    token = signing.Signer(salt="tandem.notifications.unsubscribe").sign_object(
        {"u": 42, "c": "gossip"}
    )
    # when / then
    with pytest.raises(NotFound):
        unsubscribe_read(token)


def test_get_asks_to_confirm_and_changes_nothing(db):
    # given
    person = UserFactory()
    token = unsubscribe_token(user_id=person.pk, category="reminders")
    # when
    response = Client().get(_url(token))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirm-unsubscribe"' in html
    assert "Reminders (meetings" in html
    assert _prefs() == []


def test_confirming_without_signing_in_or_csrf_sets_in_app_only(db):
    # given
    person = UserFactory()
    other = UserFactory()
    NotificationPreference.objects.create(user=person, category="reminders", channel="email")
    token = unsubscribe_token(user_id=person.pk, category="reminders")
    client = Client(enforce_csrf_checks=True)
    # when: a mail client's RFC 8058 one-click POST, then the same again
    first = client.post(_url(token), {"List-Unsubscribe": "One-Click"})
    second = client.post(_url(token), {"List-Unsubscribe": "One-Click"})
    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert 'data-testid="unsubscribed"' in first.content.decode()
    assert _prefs() == [(person.pk, "reminders", "in_app")]
    assert not NotificationPreference.objects.filter(user=other).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_404_and_changes_nothing(db, method):
    # given
    person = UserFactory()
    token = unsubscribe_token(user_id=person.pk, category="reminders")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    # when
    response = getattr(Client(), method)(_url(tampered))
    # then
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert _prefs() == []


def test_a_link_for_a_deleted_person_is_404(db):
    # given
    person = UserFactory()
    token = unsubscribe_token(user_id=person.pk, category="reminders")
    person.delete()
    # when
    response = Client().post(_url(token))
    # then
    assert response.status_code == 404
    assert _prefs() == []


# --- Quiet hours settings ------------------------------------------------------------------


def test_the_preferences_page_saves_and_clears_quiet_hours(cast, client):
    # given
    client.force_login(cast.member)
    # when
    saved = client.post(
        reverse("notifications:preferences"), {"quiet_start": "22:00", "quiet_end": "07:00"}
    )
    page = client.get(reverse("notifications:preferences")).content.decode()
    cleared = client.post(
        reverse("notifications:preferences"), {"quiet_start": "", "quiet_end": ""}
    )
    # then
    assert (saved.status_code, cleared.status_code) == (302, 302)
    assert 'id="quiet_start" value="22:00"' in page
    assert 'id="quiet_end" value="07:00"' in page
    assert QuietHours.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("22:00", "", "quiet_end", "Give both times, or neither for no quiet hours."),
        ("late", "07:00", "quiet_start", "Give a time like 22:00."),
        ("07:00", "07:00", "quiet_end", "Quiet hours must end at another time."),
    ],
)
def test_invalid_quiet_hours_name_the_field_and_change_nothing(
    cast, client, start, end, field, message
):
    # given
    client.force_login(cast.member)
    QuietHours.objects.create(user=cast.member, start="23:00", end="06:00")
    # when
    response = client.post(
        reverse("notifications:preferences"),
        {"goals": "off", "quiet_start": start, "quiet_end": end},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="error-{field}">{message}' in html
    assert NotificationPreference.objects.count() == 0
    assert list(QuietHours.objects.values_list("user_id", "start", "end")) == [
        (cast.member.pk, datetime.time(23), datetime.time(6))
    ]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_quiet_hours_api_is_each_persons_own(cast, api_as, name):
    # given
    user = cast.by_name(name)
    client = api_as(user)
    # when
    put = client.put("me/quiet-hours", {"start": "21:30", "end": "06:45"})
    got = client.get("me/quiet-hours")
    # then
    if user is None:
        assert (put.status_code, got.status_code) == (401, 401)
        assert QuietHours.objects.count() == 0
        return
    assert put.status_code == 200
    zone = Profile.objects.filter(user=user).values_list("timezone", flat=True).first() or "UTC"
    assert got.json() == put.json() == {"start": "21:30:00", "end": "06:45:00", "timezone": zone}
    assert list(QuietHours.objects.values_list("user_id", flat=True)) == [user.pk]


def test_quiet_hours_api_refuses_an_empty_window_and_clears_with_nulls(cast, api_as):
    # given
    client = api_as(cast.mentor)
    client.put("me/quiet-hours", {"start": "22:00", "end": "07:00"})
    # when
    refused = client.put("me/quiet-hours", {"start": "08:00", "end": "08:00"})
    unchanged = client.get("me/quiet-hours").json()
    cleared = client.put("me/quiet-hours", {"start": None, "end": None})
    # then
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "quiet_end", "message": "Quiet hours must end at another time."}
    ]
    assert (unchanged["start"], unchanged["end"]) == ("22:00:00", "07:00:00")
    assert (cleared.json()["start"], cleared.json()["end"]) == (None, None)
    assert QuietHours.objects.count() == 0
