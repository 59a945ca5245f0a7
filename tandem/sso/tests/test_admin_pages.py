"""The organisation admin's single sign-on pages: who may open each one, what a save changes,
that the client secret is never shown again, and "try sign-in" against the real provider."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry
from tandem.sso.models import IdentityProvider
from tandem.sso.services import ProviderSettings, identity_provider_create
from tandem.sso.tests.provider import consent, provider_on_loopback, register_client, set_person

SECRET = "never-shown-again-4f1c"


@pytest.fixture
def provider(cast) -> IdentityProvider:
    return identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            display_name="Northwind SSO",
            email_domains=["northwind.test"],
            issuer="https://login.northwind.test",
            client_id="tandem",
            client_secret=SECRET,
        ),
    )


def _client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pages(provider: IdentityProvider) -> list[tuple[str, str]]:
    return [
        ("get", reverse("sso:list")),
        ("get", reverse("sso:detail", args=[provider.pk])),
        ("post", reverse("sso:disable", args=[provider.pk])),
        ("post", reverse("sso:enable", args=[provider.pk])),
        ("post", reverse("sso:try", args=[provider.pk])),
        ("post", reverse("sso:settings")),
    ]


def _state(provider: IdentityProvider) -> tuple:
    provider.refresh_from_db()
    organization = provider.organization
    organization.refresh_from_db()
    return (
        provider.display_name,
        provider.is_enabled,
        provider.client_secret,
        organization.sso_required,
        IdentityProvider.objects.count(),
    )


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_the_organisations_admins_reach_the_sso_pages(cast, provider, actor_name):
    # given
    client = _client_as(cast.by_name(actor_name))
    before = _state(provider)
    for method, url in _pages(provider):
        # when
        response = getattr(client, method)(url)
        # then
        if actor_name == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url
        elif actor_name == "outsider" and str(provider.pk) not in url:
            # Globex's admin reaches Globex's own SSO pages, never Northwind's provider.
            assert response.status_code in {200, 302}, url
        elif actor_name != "admin":
            assert response.status_code == 404, (actor_name, url)
        elif "/try/" in url:
            # The provider's address does not resolve here: the refusal page, not an error.
            assert response.status_code == 400, url
        else:
            assert response.status_code in {200, 302}, url
    if actor_name != "admin":
        assert _state(provider) == before
        assert (
            not AuditEntry.objects.filter(
                event=audit_events.IDENTITY_PROVIDER_CHANGED, actor_id=cast.by_name(actor_name)
            ).exists()
            if actor_name != "anonymous"
            else True
        )


def test_another_organisations_provider_is_not_found_for_its_admin(cast, provider):
    client = _client_as(cast.outsider)
    assert client.get(reverse("sso:detail", args=[provider.pk])).status_code == 404
    assert client.post(reverse("sso:disable", args=[provider.pk])).status_code == 404
    provider.refresh_from_db()
    assert provider.is_enabled


def test_the_secret_is_never_shown_and_a_blank_one_keeps_it(cast, provider):
    # given
    client = _client_as(cast.admin)
    # when
    page = client.get(reverse("sso:detail", args=[provider.pk])).content.decode()
    response = client.post(
        reverse("sso:detail", args=[provider.pk]),
        {
            "display_name": "Northwind Okta",
            "email_domains": "northwind.test, northwind.example",
            "issuer": "https://login.northwind.test",
            "client_id": "tandem",
            "client_secret": "",
            "role_claim": "groups",
            "role_values": "mentoring-admins = org_admin",
            "default_role": "member",
            "department_claim": "department",
            "job_title_claim": "title",
        },
    )
    # then
    assert SECRET not in page
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret == SECRET
    assert (provider.display_name, provider.email_domains, provider.role_values) == (
        "Northwind Okta",
        ["northwind.example", "northwind.test"],
        {"mentoring-admins": "org_admin"},
    )
    entry = AuditEntry.objects.get(
        event=audit_events.IDENTITY_PROVIDER_CHANGED,
        actor_id=cast.admin.pk,
        additional_data__change="changed",
    )
    assert SECRET not in str(entry.additional_data)


def test_bad_settings_say_which_field_and_change_nothing(cast, provider):
    # given
    client = _client_as(cast.outsider)
    # when: Globex claims Northwind's domain over plain http
    response = client.post(
        reverse("sso:list"),
        {
            "display_name": "Globex SSO",
            "email_domains": "northwind.test",
            "issuer": "http://login.globex.test",
            "client_id": "tandem",
            "client_secret": "s",
            "default_role": "member",
        },
    )
    # then
    assert response.status_code == 400
    page = response.content.decode()
    assert "northwind.test already signs in through another provider" in page
    assert IdentityProvider.objects.count() == 1


def test_requiring_sso_needs_a_break_glass_admin(cast, provider):
    client = _client_as(cast.admin)
    client.post(reverse("sso:settings"), {"sso_required": "on", "break_glass_admin": ""})
    cast.org.refresh_from_db()
    assert not cast.org.sso_required
    client.post(
        reverse("sso:settings"), {"sso_required": "on", "break_glass_admin": str(cast.admin.pk)}
    )
    cast.org.refresh_from_db()
    assert (cast.org.sso_required, cast.org.sso_break_glass_admin_id) == (True, cast.admin.pk)
    assert AuditEntry.objects.filter(event=audit_events.SSO_SETTINGS_CHANGED).count() == 1


def test_try_sign_in_shows_the_claims_and_signs_nobody_else_in(cast):
    with provider_on_loopback() as issuer:
        # given
        client_id, secret = register_client(issuer)
        provider = identity_provider_create(
            actor=cast.admin,
            values=ProviderSettings(
                display_name="Northwind SSO",
                email_domains=["northwind.test"],
                issuer=issuer,
                client_id=client_id,
                client_secret=secret,
            ),
        )
        set_person(issuer, "t-1", {"email": "tester@northwind.test", "department": "IT"})
        client = _client_as(cast.admin)
        # when
        start = client.post(reverse("sso:try", args=[provider.pk]))
        response = client.get(consent(start["Location"], "t-1"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "tester@northwind.test" in page
    assert "<code>department</code>" in page
    assert int(client.session["_auth_user_id"]) == cast.admin.pk
    assert not IdentityProvider.objects.get(pk=provider.pk).identities.exists()


def test_the_secret_is_encrypted_at_rest(provider):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret FROM sso_identityprovider WHERE id = %s", [provider.pk]
        )
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    assert IdentityProvider.objects.get(pk=provider.pk).client_secret == SECRET


@pytest.mark.parametrize("extra_providers", [0, 4])
def test_the_provider_list_costs_the_same_whatever_its_length(
    cast, provider, extra_providers, django_assert_max_num_queries
):
    # given
    for number in range(extra_providers):
        identity_provider_create(
            actor=cast.admin,
            values=ProviderSettings(
                display_name=f"Provider {number}",
                email_domains=[f"unit{number}.northwind.test"],
                issuer=f"https://login{number}.northwind.test",
                client_id="tandem",
                client_secret=SECRET,
            ),
        )
    client = _client_as(cast.admin)
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sso:list"))
    assert response.content.decode().count("/organization/sso/") >= extra_providers + 1
