"""Password reset: rate limited per email and per address with one neutral answer, and a
completed reset ends every other session and revokes every API token of the account."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts.models import ApiToken, User
from tandem.accounts.services import api_token_create
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

HERE = "198.51.100.7"
PEOPLE = ["a@x.test", "b@x.test", "c@x.test"]
NEW_PASSWORD = "a-new-long-secret-9"


def _ask(email: str, address: str = HERE):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:password_reset"), {"email": email})


def _neutral(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse(
        "accounts:password_reset_done"
    )


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_EMAIL_LIMIT = 3
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 10
    settings.PASSWORD_RESET_WINDOW_SECONDS = 3600
    return settings


@pytest.mark.parametrize("requests", [1, 2, 3, 4, 5, 20])
@pytest.mark.parametrize("exists", [True, False], ids=["account", "no-account"])
def test_reset_emails_per_email_are_limited_with_one_neutral_answer(db, limits, requests, exists):
    # given
    if exists:
        UserFactory(email="ada@northwind.test")
    # when the same email is asked for again and again, from addresses of its own
    responses = [
        _ask("Ada@Northwind.test", address=f"198.51.100.{n}") for n in range(1, requests + 1)
    ]
    # then every answer is the same, and at most three emails go out
    assert all(_neutral(response) for response in responses)
    sent = min(requests, 3) if exists else 0
    assert [message.to for message in mail.outbox] == [["ada@northwind.test"]] * sent


def test_reset_emails_from_one_address_are_limited_across_emails(db, limits):
    # given twelve people
    people = [UserFactory() for _ in range(12)]
    # when one address asks for all of them
    responses = [_ask(person.email) for person in people]
    # then the address's ten are sent, the rest answered the same and not sent
    assert all(_neutral(response) for response in responses)
    assert [message.to for message in mail.outbox] == [[p.email] for p in people[:10]]
    # and someone else's address still gets its email
    assert _neutral(_ask(people[11].email, address="203.0.113.9"))
    assert mail.outbox[-1].to == [people[11].email]
    assert len(mail.outbox) == 11


@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    emails=st.lists(st.sampled_from([*PEOPLE, "nobody@x.test"]), max_size=14),
)
def test_sent_emails_never_exceed_either_limit(db, limits, emails):
    # given (the database outlives each example; the cache and the outbox do not)
    cache.clear()
    mail.outbox.clear()
    for email in PEOPLE:
        if not User.objects.filter(email=email).exists():
            UserFactory(email=email)
    # when one address asks for any sequence of emails
    responses = [_ask(email) for email in emails]
    # then every answer is the same; the address's first ten are the only ones counted, and
    # of those each account gets at most three; an unknown email gets nothing
    assert all(_neutral(response) for response in responses)
    sent = [message.to[0] for message in mail.outbox]
    for email in PEOPLE:
        assert sent.count(email) == min(emails[:10].count(email), 3)
    assert "nobody@x.test" not in sent


def _reset(person, client: Client) -> object:
    assert _neutral(client.post(reverse("accounts:password_reset"), {"email": person.email}))
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    return client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_completing_a_reset_revokes_every_token_and_ends_other_sessions(db, api_as):
    # given Ada has two API tokens and is signed in elsewhere; Grace has a token too
    ada = UserFactory(email="ada@northwind.test")
    grace = UserFactory(email="grace@northwind.test")
    ada_api = api_as(ada)
    _, second_raw = api_token_create(user=ada, name="sync script")
    grace_api = api_as(grace)
    elsewhere = Client()
    assert (
        elsewhere.post(
            reverse("accounts:login"), {"email": ada.email, "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )
    assert ada_api.get("me").status_code == 200
    # when Ada resets her password
    done = _reset(ada, Client())
    # then
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    # the old tokens answer 401
    assert ada_api.get("me").status_code == 401
    second = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {second_raw}"})
    assert second.status_code == 401
    assert ApiToken.objects.filter(user=ada, revoked_at__isnull=True).count() == 0
    assert ApiToken.objects.filter(user=ada).count() == 2
    # the other session is over, for pages and the API
    page = elsewhere.get(reverse("accounts:members"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))
    assert SESSION_KEY not in elsewhere.session
    assert elsewhere.get("/api/v1/me").status_code == 401
    # and nobody else's token was touched
    assert grace_api.get("me").status_code == 200
    assert ApiToken.objects.get(user=grace).revoked_at is None


def test_a_reset_whose_new_password_is_refused_changes_nothing(db, api_as):
    # given
    ada = UserFactory(email="ada@northwind.test")
    ada_api = api_as(ada)
    client = Client()
    assert _neutral(client.post(reverse("accounts:password_reset"), {"email": ada.email}))
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[-1].body)
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    # when the new password is too weak
    response = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    # then
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.check_password(DEFAULT_PASSWORD)
    assert ada_api.get("me").status_code == 200
    assert ApiToken.objects.get(user=ada).revoked_at is None


def test_someone_imported_without_a_password_can_set_one_by_reset(db):
    # given a person created without a usable password (as the people import does)
    person = UserFactory(email="new@northwind.test", password=None)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    # when
    done = _reset(person, Client())
    # then
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
