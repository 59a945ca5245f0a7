"""The sign-in throttle on every sign-in path: per (account, address), with backoff.

The matrix is every path the failures come through x every path the next attempt comes
through x right/wrong password x the same/another address.
"""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts import throttle
from tandem.accounts.backends import ThrottledModelBackend
from tandem.accounts.models import User
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

ATTACKER = "198.51.100.7"
OWNER = "203.0.113.20"
WRONG = "not-the-password"
PATHS = ["page", "admin"]


def _sign_in(path: str, email: str, password: str, address: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    if path == "page":
        response = client.post(reverse("accounts:login"), {"email": email, "password": password})
    else:
        response = client.post(
            reverse("admin:login"),
            {"username": email, "password": password, "next": reverse("admin:index")},
        )
    return client, response


def _signed_in(client: Client, user: User) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


@pytest.fixture
def staff(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_BACKOFF_BASE_SECONDS = 60
    settings.LOGIN_BACKOFF_MAX_SECONDS = 3600
    return UserFactory(email="ada@northwind.test", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("failing_path", PATHS)
@pytest.mark.parametrize("trying_path", PATHS)
@pytest.mark.parametrize("right_password", [True, False], ids=["right", "wrong"])
@pytest.mark.parametrize("same_address", [True, False], ids=["same-address", "other-address"])
def test_throttle_matrix(staff, failing_path, trying_path, right_password, same_address):
    # given an attacker has used up the free failures for Ada from their address
    for _ in range(5):
        client, response = _sign_in(failing_path, "ADA@northwind.test", WRONG, ATTACKER)
        assert not _signed_in(client, staff)
    staff.refresh_from_db()
    last_login_before = staff.last_login
    # when someone tries again on any path
    address = ATTACKER if same_address else OWNER
    password = DEFAULT_PASSWORD if right_password else WRONG
    client, response = _sign_in(trying_path, "ada@northwind.test", password, address)
    # then only the right password from an address that has not failed gets in
    staff.refresh_from_db()
    if right_password and not same_address:
        assert response.status_code == 302
        assert _signed_in(client, staff)
        assert staff.last_login is not None
        assert staff.last_login != last_login_before
        return
    assert not _signed_in(client, staff)
    assert staff.last_login == last_login_before
    assert response.status_code == (400 if trying_path == "page" else 200)
    page = response.content.decode()
    if same_address and trying_path == "page":
        assert "Too many failed sign-in attempts from here. Try again in 1 minute" in page
        assert "email yourself a sign-in link" in page
    elif trying_path == "page":
        assert "That email and password do not match an account." in page
    else:
        assert "Please enter the correct email and password for a staff account." in page
    # and a throttled attempt is not counted, so it does not lengthen the wait
    expected_wait = 60 if same_address else 0
    assert throttle.sign_in_wait(email="ada@northwind.test", address=address) == expected_wait


@pytest.mark.parametrize("path", PATHS)
def test_forty_wrong_passwords_then_the_right_one_from_the_same_address_is_refused(staff, path):
    # given (the reported /admin/login/ case: 40 wrong, the 41st right)
    with freeze_time(timezone.now()) as clock:
        for _ in range(40):
            _sign_in(path, "ada@northwind.test", WRONG, ATTACKER)
            clock.tick(1)
        # when
        client, _ = _sign_in(path, "ada@northwind.test", DEFAULT_PASSWORD, ATTACKER)
    # then
    assert not _signed_in(client, staff)
    staff.refresh_from_db()
    assert staff.last_login is None


def test_backoff_doubles_after_each_further_failure_and_lifts_after_the_wait(staff):
    start = timezone.now()
    with freeze_time(start) as clock:
        # given the five free failures
        for _ in range(5):
            _sign_in("page", "ada@northwind.test", WRONG, ATTACKER)
        assert throttle.sign_in_wait(email="ada@northwind.test", address=ATTACKER) == 60
        # when the minute passes, one more failure is checked and earns two minutes
        clock.tick(timedelta(seconds=60))
        assert throttle.sign_in_wait(email="ada@northwind.test", address=ATTACKER) == 0
        _sign_in("admin", "ada@northwind.test", WRONG, ATTACKER)
        assert throttle.sign_in_wait(email="ada@northwind.test", address=ATTACKER) == 120
        clock.tick(timedelta(seconds=119))
        client, _ = _sign_in("page", "ada@northwind.test", DEFAULT_PASSWORD, ATTACKER)
        assert not _signed_in(client, staff)
        # then after the two minutes the right password gets in and the pair starts afresh
        clock.tick(timedelta(seconds=1))
        client, response = _sign_in("page", "ada@northwind.test", DEFAULT_PASSWORD, ATTACKER)
        assert response.status_code == 302
        assert _signed_in(client, staff)
        _sign_in("page", "ada@northwind.test", WRONG, ATTACKER)
        assert throttle.sign_in_wait(email="ada@northwind.test", address=ATTACKER) == 0


@given(failures=st.integers(min_value=0, max_value=10_000))
def test_backoff_is_zero_below_the_limit_then_doubles_up_to_the_cap(failures):
    # given the defaults: 5 free failures, 60 s doubling, capped at an hour
    wait = throttle.backoff_seconds(failures)
    # then
    if failures < 5:
        assert wait == 0
    else:
        assert wait == min(60 * 2 ** min(failures - 5, 32), 3600)
        assert throttle.backoff_seconds(failures + 1) >= wait


@pytest.mark.parametrize("path", PATHS)
def test_spraying_from_one_address_is_slowed_not_locked(db, settings, path):
    # given one address fails once on each of many accounts (no account reaches its limit)
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.LOGIN_ADDRESS_DELAY_SECONDS = 10
    people = [UserFactory(is_staff=True) for _ in range(7)]
    with freeze_time(timezone.now()) as clock:
        for person in people[:6]:
            _sign_in(path, person.email, WRONG, ATTACKER)
        # when the seventh person signs in from that address at once
        client, _ = _sign_in(path, people[6].email, DEFAULT_PASSWORD, ATTACKER)
        # then it must wait the delay
        assert not _signed_in(client, people[6])
        # while the same person from elsewhere is not slowed at all
        elsewhere, response = _sign_in(path, people[6].email, DEFAULT_PASSWORD, OWNER)
        assert response.status_code == 302
        assert _signed_in(elsewhere, people[6])
        # and after the delay the sprayed-from address may try again: slowed, not locked
        clock.tick(timedelta(seconds=10))
        client, response = _sign_in(path, people[6].email, DEFAULT_PASSWORD, ATTACKER)
        assert response.status_code == 302
        assert _signed_in(client, people[6])


@pytest.mark.parametrize("path", PATHS)
def test_failures_behind_a_trusted_proxy_count_for_the_real_client(staff, settings, path):
    # given one proxy in front, which puts the client's address in X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
        if path == "page":
            client.post(reverse("accounts:login"), {"email": staff.email, "password": WRONG})
        else:
            client.post(reverse("admin:login"), {"username": staff.email, "password": WRONG})
    # when the owner comes through the same proxy
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)
    response = owner.post(
        reverse("accounts:login"), {"email": staff.email, "password": DEFAULT_PASSWORD}
    )
    # then the attacker's failures did not lock the owner out
    assert response.status_code == 302
    assert _signed_in(owner, staff)
    # and a spoofed header without the proxy setting is ignored
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.sign_in_wait(email=staff.email, address=proxy) == 0
    assert throttle.sign_in_wait(email=staff.email, address=ATTACKER) == 60


def test_ipv6_addresses_in_one_slash_64_count_as_one(staff):
    # given failures from many addresses of one /64
    for suffix in range(1, 6):
        _sign_in("page", staff.email, WRONG, f"2001:db8:1:2::{suffix}")
    # then another address of that /64 waits, an address of another /64 does not
    assert throttle.sign_in_wait(email=staff.email, address="2001:db8:1:2::ff") == 60
    assert throttle.sign_in_wait(email=staff.email, address="2001:db8:1:3::1") == 0


def test_a_burst_of_parallel_attempts_gets_no_more_checks_than_the_limit(settings, monkeypatch):
    settings.LOGIN_FAILURE_LIMIT = 5
    # given a password check slow enough for twenty parallel attempts to overlap
    checks = []

    def slow_wrong_password(self, request, username=None, password=None, **kwargs):
        checks.append(username)
        threading.Event().wait(0.05)
        return None

    monkeypatch.setattr(ModelBackend, "authenticate", slow_wrong_password)
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ATTACKER)
    backend = ThrottledModelBackend()
    start = threading.Barrier(20)

    def attempt() -> None:
        start.wait()
        for _ in range(3):
            with contextlib.suppress(PermissionDenied):
                backend.authenticate(request, username="ada@northwind.test", password=WRONG)

    # when
    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then no more passwords were checked than the free failures
    assert 1 <= len(checks) <= 5
    assert throttle.sign_in_wait(email="ada@northwind.test", address=ATTACKER) == (
        60 if len(checks) == 5 else 0
    )


def test_an_attempt_while_another_is_being_checked_is_refused_and_not_counted(staff):
    # given a check for Ada from this address is in flight
    assert throttle.sign_in_claim(email=staff.email, address=ATTACKER)
    # when another comes, with the right password
    client, _ = _sign_in("page", staff.email, DEFAULT_PASSWORD, ATTACKER)
    # then it is refused, counted as nothing, and from elsewhere Ada is not affected
    assert not _signed_in(client, staff)
    assert throttle.sign_in_wait(email=staff.email, address=ATTACKER) == 0
    elsewhere, _ = _sign_in("page", staff.email, DEFAULT_PASSWORD, OWNER)
    assert _signed_in(elsewhere, staff)
    # and once the first check is done the address may try again
    throttle.sign_in_release(email=staff.email, address=ATTACKER)
    client, _ = _sign_in("page", staff.email, DEFAULT_PASSWORD, ATTACKER)
    assert _signed_in(client, staff)


ACCOUNTS = ["ada@northwind.test", "grace@northwind.test", "alan@globex.test"]
ADDRESSES = ["198.51.100.1", "198.51.100.2", "2001:db8::1", None]


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    failures=st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ADDRESSES)), max_size=40)
)
def test_the_wait_of_every_pair_follows_only_its_own_failures_and_its_address(failures):
    # given any failures at one instant, with a small limit and address ceiling
    cache.clear()
    with (
        override_settings(
            LOGIN_FAILURE_LIMIT=3,
            LOGIN_BACKOFF_BASE_SECONDS=60,
            LOGIN_BACKOFF_MAX_SECONDS=600,
            LOGIN_ADDRESS_FAILURE_LIMIT=8,
            LOGIN_ADDRESS_DELAY_SECONDS=10,
        ),
        freeze_time("2026-01-05 09:00:00"),
    ):
        for email, address in failures:
            throttle.sign_in_failed(email=email, address=address)
        # then every pair, and every address that never failed, waits exactly as counted
        for email in [*ACCOUNTS, "new@northwind.test"]:
            for address in [*ADDRESSES, "203.0.113.99"]:
                pair = failures.count((email, address))
                by_address = sum(1 for _, failed_from in failures if failed_from == address)
                expected = max(
                    min(60 * 2 ** (pair - 3), 600) if pair >= 3 else 0,
                    10 if by_address >= 8 else 0,
                )
                assert throttle.sign_in_wait(email=email, address=address) == expected
