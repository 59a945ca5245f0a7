import re

import pytest
from django.core import mail
from django.urls import reverse

from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def person(db):
    return UserFactory(email="ada@northwind.test")


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


def test_sign_in_with_email_and_password_any_case(client, person):
    # when
    response = _login(client, "ADA@Northwind.test", DEFAULT_PASSWORD)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_wrong_password_is_refused_with_a_clear_message(client, person):
    response = _login(client, "ada@northwind.test", "wrong-password")
    assert response.status_code == 400
    assert "That email and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_after_repeated_failures(client, person, settings):
    # given
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "ada@northwind.test", "wrong-password")
    # when the right password comes after the limit
    response = _login(client, "ada@northwind.test", DEFAULT_PASSWORD)
    # then it is refused without being checked
    assert response.status_code == 400
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_is_per_email(client, person, settings):
    # given
    settings.LOGIN_FAILURE_LIMIT = 3
    other = UserFactory(email="grace@northwind.test")
    for _ in range(3):
        _login(client, "ada@northwind.test", "wrong-password")
    # when
    response = _login(client, "grace@northwind.test", DEFAULT_PASSWORD)
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_next_only_redirects_within_the_site(client, person):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {
            "email": "ada@northwind.test",
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("home")


def test_password_reset_by_email_round_trip(client, person):
    # when
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@northwind.test"})
    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@northwind.test"]
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body).group(1)
    # when the person follows the link and chooses a new password
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-new-long-secret", "new_password2": "a-new-long-secret"}
    )
    # then the new password works and the old does not
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-long-secret")
    assert not person.check_password(DEFAULT_PASSWORD)


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_logout_needs_post(client, person):
    client.force_login(person)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
