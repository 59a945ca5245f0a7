import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_out_on_a_phone(live_server, phone_page, shoot):
    # given
    person = UserFactory(email="phone@northwind.test", first_name="Pat")
    # when
    phone_page.goto(f"{live_server.url}/")
    shoot(phone_page, "login-redirect")
    sign_in(phone_page, live_server.url, person.email, DEFAULT_PASSWORD)
    # then the collapsed navigation opens with the keyboard-accessible toggler
    phone_page.get_by_role("button", name="Show navigation").click()
    phone_page.get_by_role("button", name="Sign out").wait_for(state="visible")
    shoot(phone_page, "signed-in-menu")
    phone_page.get_by_role("button", name="Sign out").click()
    phone_page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert phone_page.get_by_role("heading", name="Sign in to Tandem").is_visible()
