"""A person reads Tandem in their own language; a new person starts in their organisation's."""

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tandem.accounts.languages import SOURCE_LANGUAGE, language_for, supported
from tandem.accounts.services import user_create
from tandem.accounts.tests.factories import OrganizationFactory, UserFactory

CODES = [code for code, _name in settings.LANGUAGES]

pytestmark = pytest.mark.django_db


@hypothesis_settings(max_examples=10)
@given(default=st.sampled_from(CODES), n=st.integers(min_value=0, max_value=10_000))
def test_a_new_person_starts_in_the_organisation_default(default: str, n: int) -> None:
    organization = OrganizationFactory(default_language=default)
    user = user_create(organization=organization, email=f"new{n}-{default}@example.com")
    assert user.language == default
    assert language_for(user) == default


@given(code=st.text(max_size=12))
def test_only_shipped_languages_are_used(code: str) -> None:
    assert supported(code) == (code if code in CODES else SOURCE_LANGUAGE)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("browser", ["en-GB,en;q=0.9", "es-ES,es;q=0.9", "de-DE"])
def test_a_signed_in_page_is_in_the_person_language_whatever_the_browser(
    client, code: str, browser: str
) -> None:
    user = UserFactory(language=code)
    client.force_login(user)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200
    assert response["Content-Language"] == code


@pytest.mark.parametrize(
    ("browser", "expected"),
    [("es-ES,es;q=0.9", "es"), ("es", "es"), ("de-DE,de;q=0.8", "en-gb"), ("", "en-gb")],
)
def test_a_signed_out_page_follows_the_browser(client, browser: str, expected: str) -> None:
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200
    assert response["Content-Language"] == expected


def test_a_person_language_does_not_outlive_their_request(client) -> None:
    # given a Spanish reader's page
    client.force_login(UserFactory(language="es"))
    assert client.get(reverse("home"))["Content-Language"] == "es"
    # then the thread is back in the language it had, for whatever it serves next
    from django.utils import translation

    assert translation.get_language() != "es"
