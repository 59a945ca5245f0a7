"""'Email me a sign-in link': one neutral answer, rate limited, once, for 15 minutes, and it
lets the owner in while password attempts from their address are throttled."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tandem.accounts import services
from tandem.accounts.models import User
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

HERE = "198.51.100.7"


@pytest.fixture
def limits(settings):
    settings.SIGN_IN_LINK_EMAIL_LIMIT = 3
    settings.SIGN_IN_LINK_ADDRESS_LIMIT = 10
    settings.SIGN_IN_LINK_WINDOW_SECONDS = 3600
    settings.SIGN_IN_LINK_MAX_AGE_SECONDS = 15 * 60
    return settings


@pytest.fixture
def ada(db, limits):
    return UserFactory(email="ada@northwind.test")


def _ask(email: str, address: str = HERE, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=address)
    return client.post(reverse("accounts:sign_in_link"), {"email": email})


def _link(message) -> str:
    found = re.search(r"http://testserver(/accounts/sign-in-link/[^/\s]+/)", message.body)
    assert found is not None
    return found.group(1)


def _signed_in(client: Client, user: User) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


@pytest.mark.parametrize("kind", ["account", "unknown", "deactivated", "over-limit"])
def test_asking_answers_the_same_whoever_the_email_is(db, limits, kind):
    # given
    email = "ada@northwind.test"
    if kind in {"account", "over-limit"}:
        UserFactory(email=email)
    if kind == "deactivated":
        UserFactory(email=email, is_active=False)
    if kind == "over-limit":
        for _ in range(3):
            _ask(email, address="203.0.113.1")
        mail.outbox.clear()
    # when
    client = Client(REMOTE_ADDR=HERE)
    response = _ask(email.upper(), client=client)
    sent_page = client.get(response["Location"])
    # then the answer is one and the same; only a real, active, in-limit account gets mail
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_in_link_sent")
    assert sent_page.status_code == 200
    assert "If that address belongs to an account" in sent_page.content.decode()
    assert [m.to for m in mail.outbox] == ([[email]] if kind == "account" else [])


@pytest.mark.parametrize("requests", [1, 3, 4, 12])
def test_links_are_limited_per_email_and_per_address(db, limits, requests):
    # given
    people = [UserFactory() for _ in range(requests)]
    # when one address asks for each person, and someone asks for the first over and over
    for person in people:
        assert _ask(person.email)["Location"] == reverse("accounts:sign_in_link_sent")
    for n in range(requests):
        _ask(people[0].email, address=f"203.0.113.{n + 1}")
    # then the address sends at most ten, the first person gets at most three
    sent = [message.to[0] for message in mail.outbox]
    assert sent.count(people[0].email) == min(requests + 1, 3)
    from_here = [person.email for person in people[:10]]
    assert sorted(set(sent) - {people[0].email}) == sorted(set(from_here) - {people[0].email})


def test_the_link_signs_the_owner_in_while_their_address_is_throttled(ada, settings):
    # given someone has used up the password attempts for Ada from her own address
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client(REMOTE_ADDR=HERE).post(
            reverse("accounts:login"), {"email": ada.email, "password": "guess"}
        )
    client = Client(REMOTE_ADDR=HERE)
    refused = client.post(
        reverse("accounts:login"), {"email": ada.email, "password": DEFAULT_PASSWORD}
    )
    assert "Too many failed sign-in attempts" in refused.content.decode()
    # when she asks for a link and follows it
    _ask(ada.email, client=client)
    link = _link(mail.outbox[-1])
    confirm = client.get(link)
    response = client.post(link)
    # then
    assert confirm.status_code == 200
    assert ada.email in confirm.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in(client, ada)


def test_opening_the_link_does_not_spend_it_but_signing_in_does(ada):
    # given
    _ask(ada.email)
    link = _link(mail.outbox[-1])
    # when a mail scanner opens it twice, then Ada signs in
    scanner = Client()
    assert scanner.get(link).status_code == 200
    assert scanner.get(link).status_code == 200
    assert not _signed_in(scanner, ada)
    client = Client()
    assert client.post(link).status_code == 302
    # then the link is spent for everyone
    assert _signed_in(client, ada)
    again = Client()
    for response in (again.get(link), again.post(link)):
        assert response.status_code == 400
        assert "already been used" in response.content.decode()
    assert not _signed_in(again, ada)


def test_a_link_is_spent_by_any_later_sign_in_and_by_a_new_password(ada):
    # given two links
    _ask(ada.email)
    _ask(ada.email)
    first, second = _link(mail.outbox[0]), _link(mail.outbox[1])
    # when Ada signs in with her password
    Client().post(reverse("accounts:login"), {"email": ada.email, "password": DEFAULT_PASSWORD})
    # then both earlier links are dead
    assert Client().post(first).status_code == 400
    assert Client().post(second).status_code == 400
    # and a new one dies with a password change
    _ask(ada.email)
    third = _link(mail.outbox[-1])
    services.password_reset_complete(user=ada, password="another-long-secret")
    assert Client().post(third).status_code == 400


@pytest.mark.parametrize("seconds", [0, 60, 15 * 60 - 1, 15 * 60 + 1, 3600])
def test_a_link_works_for_fifteen_minutes(ada, seconds):
    # given
    start = timezone.now()
    with freeze_time(start) as clock:
        _ask(ada.email)
        link = _link(mail.outbox[-1])
        # when
        clock.tick(timedelta(seconds=seconds))
        client = Client()
        response = client.post(link)
    # then
    if seconds < 15 * 60:
        assert response.status_code == 302
        assert _signed_in(client, ada)
    else:
        assert response.status_code == 400
        assert "expired" in response.content.decode()
        assert not _signed_in(client, ada)
        ada.refresh_from_db()
        assert ada.last_login is None


def test_a_forged_or_altered_link_is_refused(ada):
    # given links that were not made by Tandem for Ada
    grace = UserFactory(email="grace@northwind.test")
    forged = signing.dumps({"user": ada.pk, "state": "x" * 64}, salt="tandem.accounts.sign-in-link")
    other_salt = signing.dumps({"user": ada.pk}, salt="something-else")
    graces = services.sign_in_link_token(grace)
    altered = graces.replace(":", ":A", 1)
    # when / then
    for token in (forged, other_salt, altered, "nonsense"):
        client = Client()
        response = client.post(reverse("accounts:sign_in_link_use", args=[token]))
        assert response.status_code == 400
        assert not _signed_in(client, ada)
        assert not _signed_in(client, grace)
    ada.refresh_from_db()
    assert ada.last_login is None


def test_a_deactivated_account_cannot_use_its_link(ada):
    # given
    _ask(ada.email)
    link = _link(mail.outbox[-1])
    User.objects.filter(pk=ada.pk).update(is_active=False)
    # when
    client = Client()
    response = client.post(link)
    # then
    assert response.status_code == 400
    assert not _signed_in(client, ada)
