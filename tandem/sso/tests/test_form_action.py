"""Forms that continue at an identity provider: the browser holds a form's redirect to the
page's `form-action`, so the two pages whose forms start single sign-on allow any https target
(Chromium blocked "Continue with SSO" and "Try sign-in" under 'self'), every other page keeps
'self', and signing out at the provider is a page that moves on, never a redirect."""

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.views import END_SESSION_URL_KEY
from tandem.core.csp import POLICY
from tandem.sso.services import ProviderSettings, identity_provider_create
from tandem.sso.tests.provider import continued_to

pytestmark = pytest.mark.django_db


def _form_action(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split("; ") if part.startswith("form-action"))


def test_the_sign_in_page_lets_continue_with_sso_leave_for_the_provider(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert f'action="{reverse("sso:discover")}"' in response.content.decode()
    assert "https:" in _form_action(response).split()


def test_the_provider_page_lets_try_sign_in_leave_for_the_provider(cast):
    provider = identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            display_name="Northwind SSO",
            email_domains=["northwind.test"],
            issuer="https://login.northwind.test",
            client_id="tandem",
            client_secret="s3cret-s3cret-s3cret",
        ),
    )
    client = Client()
    client.force_login(cast.admin)
    response = client.get(reverse("sso:detail", args=[provider.pk]))
    assert response.status_code == 200
    assert "https:" in _form_action(response).split()


@pytest.mark.parametrize("actor_name", ["admin", "manager", "mentor", "mentee", "member"])
def test_every_other_page_keeps_forms_on_tandem(cast, actor_name):
    client = Client()
    client.force_login(cast.by_name(actor_name))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    assert _form_action(response) == "form-action 'self'"


@pytest.mark.parametrize(
    "end_session_url",
    [
        "https://login.northwind.test/oauth2/end_session?id_token_hint=a.b.c&state=x",
        "https://idp.example/slo?SAMLRequest=abc%2Bdef",
    ],
)
def test_signing_out_at_the_provider_is_a_page_that_moves_on(cast, end_session_url):
    client = Client()
    client.force_login(cast.member)
    session = client.session
    session[END_SESSION_URL_KEY] = end_session_url
    session.save()
    response = client.post(reverse("accounts:logout"))
    assert continued_to(response) == end_session_url
    assert "_auth_user_id" not in client.session
