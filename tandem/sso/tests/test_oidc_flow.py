"""The whole OpenID Connect flow against a real provider on loopback: Tandem's redirect, the
provider's consent, the callback, the code exchange and the ID token's checks. Each refusal
signs nobody in, changes no account and leaves an audit entry."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role, User
from tandem.accounts.services import sign_in_link_token
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry
from tandem.people.models import Profile
from tandem.sso.models import ExternalIdentity, IdentityProvider
from tandem.sso.services import ProviderSettings, identity_provider_create
from tandem.sso.tests.provider import (
    consent,
    continued_to,
    provider_on_loopback,
    query_of,
    register_client,
    set_person,
    start,
)
from tandem.sso.views import PENDING_KEY


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with provider_on_loopback() as url:
        yield url


@pytest.fixture
def provider(cast, issuer) -> IdentityProvider:
    client_id, secret = register_client(issuer)
    return identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            display_name="Northwind SSO",
            email_domains=["northwind.test"],
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            role_claim="groups",
            role_values={"tandem-managers": Role.PROGRAM_MANAGER},
        ),
    )


def _user_state() -> list[tuple[str, str, int | None, bool]]:
    return list(
        User.objects.order_by("id").values_list("email", "role", "organization_id", "is_active")
    )


def _failures() -> list[str]:
    return [
        str(entry.additional_data.get("reason", ""))  # type: ignore[union-attr]
        for entry in AuditEntry.objects.filter(event=audit_events.SSO_SIGN_IN_FAILED)
    ]


def _signed_in(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def test_a_new_person_is_created_just_in_time_with_mapped_role_and_profile(
    client, provider, issuer
):
    # given
    set_person(
        issuer,
        "n-1001",
        {
            "email": "new.person@northwind.test",
            "email_verified": True,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "department": "Engineering",
            "job_title": "Staff engineer",
            "groups": ["everyone", "tandem-managers"],
        },
    )
    # when
    authorization_url = start(client, "new.person@northwind.test")
    query = query_of(authorization_url)
    pending = client.session[PENDING_KEY]
    response = client.get(consent(authorization_url, "n-1001"))
    # then: PKCE S256, state and nonce were sent, and the person is in
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"] == create_s256_code_challenge(pending["code_verifier"])
    assert query["state"] == pending["state"]
    assert query["nonce"] == pending["nonce"]
    assert query["login_hint"] == "new.person@northwind.test"
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="new.person@northwind.test")
    assert _signed_in(client) == user.pk
    assert (user.organization_id, user.role, user.first_name, user.last_name) == (
        provider.organization_id,
        Role.PROGRAM_MANAGER,
        "Ada",
        "Lovelace",
    )
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert (profile.department, profile.job_title) == ("Engineering", "Staff engineer")
    assert list(ExternalIdentity.objects.values_list("provider_id", "subject", "user_id")) == [
        (provider.pk, "n-1001", user.pk)
    ]
    entry = AuditEntry.objects.get(event=audit_events.SSO_SIGN_IN_SUCCEEDED)
    assert entry.organization_id == provider.organization_id
    assert entry.additional_data["account"] == "created"  # type: ignore[index]


def test_without_a_mapped_role_claim_a_new_person_is_a_member(client, provider, issuer):
    # given
    set_person(issuer, "n-1002", {"email": "plain@northwind.test", "email_verified": True})
    # when
    client.get(consent(start(client, "plain@northwind.test"), "n-1002"))
    # then
    assert User.objects.get(email="plain@northwind.test").role == Role.MEMBER


def test_an_existing_account_is_linked_when_the_email_is_verified_then_found_by_subject(
    client, cast, provider, issuer
):
    # given
    set_person(issuer, "n-2001", {"email": cast.member.email, "email_verified": True})
    # when
    client.get(consent(start(client, cast.member.email), "n-2001"))
    # then
    assert _signed_in(client) == cast.member.pk
    assert ExternalIdentity.objects.get(subject="n-2001").user == cast.member
    # and when the provider's email changes, the subject still finds the account
    client.post(reverse("accounts:logout"))
    set_person(issuer, "n-2001", {"email": "renamed@northwind.test", "email_verified": True})
    client.get(consent(start(client, cast.member.email), "n-2001"))
    assert _signed_in(client) == cast.member.pk
    assert [
        e.additional_data["account"]
        for e in AuditEntry.objects.filter(  # type: ignore[index]
            event=audit_events.SSO_SIGN_IN_SUCCEEDED
        ).order_by("id")
    ] == ["linked", "known"]


@pytest.mark.parametrize("verified", [False, None, "true"])
def test_an_existing_account_is_not_linked_unless_the_provider_verified_the_email(
    client, cast, provider, issuer, verified
):
    # given
    claims: dict[str, object] = {"email": cast.member.email}
    if verified is not None:
        claims["email_verified"] = verified
    set_person(issuer, f"n-3001-{verified}", claims)
    before = _user_state()
    # when
    response = client.get(consent(start(client, cast.member.email), f"n-3001-{verified}"))
    # then
    assert response.status_code == 400
    assert "has not verified your email" in response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert not ExternalIdentity.objects.exists()
    assert _failures() == ["email not verified"]


def test_a_person_of_another_organisations_domain_is_refused(client, cast, provider, issuer):
    # given: Northwind's provider vouches for a Globex address
    set_person(issuer, "g-1", {"email": cast.outsider.email, "email_verified": True})
    before = _user_state()
    # when: the browser started at Northwind's provider (its domain)
    response = client.get(consent(start(client, "someone@northwind.test"), "g-1"))
    # then
    assert response.status_code == 400
    assert "does not sign in people of globex.test" in response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert _failures() == ["domain not of this provider"]


def test_an_account_of_another_organisation_is_never_linked(client, cast, provider, issuer):
    # given: a Globex account whose address is on Northwind's domain
    stray = UserFactory(organization=cast.other_org, email="stray@northwind.test")
    set_person(issuer, "s-1", {"email": stray.email, "email_verified": True})
    before = _user_state()
    # when
    response = client.get(consent(start(client, stray.email), "s-1"))
    # then
    assert response.status_code == 400
    assert "belongs to another organisation" in response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert not ExternalIdentity.objects.exists()


def test_a_refused_authorisation_signs_nobody_in(client, provider, issuer):
    # given
    before = _user_state()
    # when: the person refuses at the provider
    response = client.get(consent(start(client, "x@northwind.test"), "x", deny=True))
    # then
    assert response.status_code == 400
    assert "refused the sign-in: access_denied" in response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert len(_failures()) == 1


def test_a_wrong_client_secret_is_refused_at_the_token_endpoint(client, provider, issuer):
    # given: the secret saved in Tandem no longer matches the provider's (rotated there)
    IdentityProvider.objects.filter(pk=provider.pk).update(client_secret="stale")
    set_person(issuer, "n-4001", {"email": "w@northwind.test", "email_verified": True})
    # when
    response = client.get(consent(start(client, "w@northwind.test"), "n-4001"))
    # then
    assert response.status_code == 400
    assert "refused to exchange the code" in response.content.decode()
    assert _signed_in(client) is None
    assert not User.objects.filter(email="w@northwind.test").exists()


def test_a_tampered_state_is_refused(client, provider, issuer):
    # given
    set_person(issuer, "n-5001", {"email": "s@northwind.test", "email_verified": True})
    callback = consent(start(client, "s@northwind.test"), "n-5001")
    # when
    query = query_of(callback)
    response = client.get(reverse("sso:callback"), {**query, "state": "forged"})
    # then
    assert response.status_code == 400
    assert "does not match the one started here" in response.content.decode()
    assert _signed_in(client) is None
    # and the code cannot be replayed: the pending sign-in is spent
    assert client.get(callback).status_code == 400
    assert not User.objects.filter(email="s@northwind.test").exists()


def test_a_callback_without_a_sign_in_started_here_is_refused(client, provider):
    response = client.get(reverse("sso:callback"), {"state": "a", "code": "b"})
    assert response.status_code == 400
    assert _signed_in(client) is None


def test_an_id_token_with_another_nonce_is_refused(client, provider, issuer):
    # given: the session's nonce is not the one the provider put in the ID token
    set_person(issuer, "n-6001", {"email": "n@northwind.test", "email_verified": True})
    callback = consent(start(client, "n@northwind.test"), "n-6001")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "nonce": "another-nonce"}
    session.save()
    # when
    response = client.get(callback)
    # then
    assert response.status_code == 400
    assert "ID token was refused (invalid_claim)" in response.content.decode()
    assert _signed_in(client) is None
    assert not User.objects.filter(email="n@northwind.test").exists()


def test_an_id_token_from_another_issuer_is_refused(client, provider, issuer):
    # given: the token endpoint answers as another issuer (127.0.0.1, not localhost)
    set_person(issuer, "n-7001", {"email": "i@northwind.test", "email_verified": True})
    authorization_url = start(client, "i@northwind.test")
    key = f"sso:metadata:{issuer}"
    metadata = cache.get(key)
    other = issuer.replace("localhost", "127.0.0.1")
    cache.set(key, {**metadata, "token_endpoint": f"{other}/oauth2/token"})
    # when
    response = client.get(consent(authorization_url, "n-7001"))
    # then
    assert response.status_code == 400
    assert "ID token was refused" in response.content.decode()
    assert _signed_in(client) is None


def test_a_discovery_document_naming_another_issuer_is_refused(client, cast, provider, issuer):
    # given: the provider is saved under another name for the same server
    IdentityProvider.objects.filter(pk=provider.pk).update(
        issuer=issuer.replace("localhost", "127.0.0.1") + "/"
    )
    # when
    response = client.post(reverse("sso:discover"), {"email": "d@northwind.test"})
    # then
    assert response.status_code == 400
    assert "names another issuer" in response.content.decode()


def test_an_expired_id_token_is_refused(client, cast):
    # given: a provider whose tokens expired before they were issued
    with provider_on_loopback(token_max_age=timedelta(minutes=-10)) as expired_issuer:
        client_id, secret = register_client(expired_issuer)
        identity_provider_create(
            actor=cast.admin,
            values=ProviderSettings(
                display_name="Northwind SSO",
                email_domains=["northwind.test"],
                issuer=expired_issuer,
                client_id=client_id,
                client_secret=secret,
            ),
        )
        set_person(expired_issuer, "e-1", {"email": "e@northwind.test", "email_verified": True})
        # when
        response = client.get(consent(start(client, "e@northwind.test"), "e-1"))
    # then
    assert response.status_code == 400
    assert "ID token was refused (expired_token)" in response.content.decode()
    assert _signed_in(client) is None


def test_a_disabled_provider_finds_no_domain(client, cast, provider):
    # given
    IdentityProvider.objects.filter(pk=provider.pk).update(is_enabled=False)
    # when
    response = client.post(reverse("sso:discover"), {"email": cast.member.email}, follow=True)
    # then
    assert "Single sign-on is not set up" in response.content.decode()


def test_sign_out_ends_the_session_and_the_providers(client, cast, provider, issuer):
    # given
    set_person(issuer, "n-8001", {"email": cast.member.email, "email_verified": True})
    client.get(consent(start(client, cast.member.email), "n-8001"))
    # when
    response = client.post(reverse("accounts:logout"))
    # then: signed out here, and sent to the provider's end-session endpoint
    assert _signed_in(client) is None
    assert continued_to(response).startswith(f"{issuer}/oauth2/end_session?id_token_hint=")


# --- require SSO -----------------------------------------------------------------------------


def _require_sso(cast) -> None:
    from tandem.sso.services import organization_sso_update

    organization_sso_update(actor=cast.admin, sso_required=True, break_glass_admin_id=cast.admin.pk)


def test_when_sso_is_required_passwords_are_refused_but_the_break_glass_admins(
    client, cast, provider
):
    # given
    _require_sso(cast)
    # when
    member = client.post(
        reverse("accounts:login"), {"email": cast.member.email, "password": DEFAULT_PASSWORD}
    )
    admin = Client().post(
        reverse("accounts:login"), {"email": cast.admin.email, "password": DEFAULT_PASSWORD}
    )
    # then
    assert member.status_code == 400
    assert "signs in with single sign-on" in member.content.decode()
    assert _signed_in(client) is None
    assert admin.status_code == 302
    # and the backend refuses every other password path (the Django admin's login) too
    assert not client.login(email=cast.member.email, password=DEFAULT_PASSWORD)
    assert not client.login(email=cast.manager.email, password=DEFAULT_PASSWORD)


def test_when_sso_is_required_sso_still_signs_people_in(client, cast, provider, issuer):
    # given
    _require_sso(cast)
    set_person(issuer, "n-9001", {"email": cast.member.email, "email_verified": True})
    # when
    client.get(consent(start(client, cast.member.email), "n-9001"))
    # then
    assert _signed_in(client) == cast.member.pk


def test_other_organisations_keep_their_passwords(client, cast, provider):
    # given
    _require_sso(cast)
    # when
    response = client.post(
        reverse("accounts:login"), {"email": cast.outsider.email, "password": DEFAULT_PASSWORD}
    )
    # then
    assert response.status_code == 302


def test_when_sso_is_required_sign_in_links_are_refused_but_the_break_glass_admins(
    client, cast, provider
):
    # given
    _require_sso(cast)
    member_link = reverse("accounts:sign_in_link_use", args=[sign_in_link_token(cast.member)])
    admin_link = reverse("accounts:sign_in_link_use", args=[sign_in_link_token(cast.admin)])
    # when
    member = client.post(member_link)
    admin = Client().post(admin_link)
    # then
    assert member.status_code == 400
    assert "signs in with single sign-on" in member.content.decode()
    assert _signed_in(client) is None
    assert admin.status_code == 302


# --- what a sign-in may not do to the organisation ---------------------------------------------


def _second_admin(cast) -> User:
    second = UserFactory(organization=cast.org, role=Role.ORG_ADMIN, email="it@northwind.test")
    return second


@pytest.mark.parametrize("claimed", [["everyone"], ["tandem-managers"], []])
def test_claims_never_demote_the_break_glass_admin_while_sso_is_required(
    client, cast, provider, issuer, claimed
):
    # given SSO required, with another admin so the break-glass admin is not the last one
    _second_admin(cast)
    _require_sso(cast)
    set_person(
        issuer, "n-7101", {"email": cast.admin.email, "email_verified": True, "groups": claimed}
    )
    # when the break-glass admin signs in through SSO with claims that map to a lower role
    client.get(consent(start(client, cast.admin.email), "n-7101"))
    # then signed in, still an admin, and the audit entry says why the role was kept
    assert _signed_in(client) == cast.admin.pk
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ORG_ADMIN
    entry = AuditEntry.objects.filter(event=audit_events.SSO_SIGN_IN_SUCCEEDED).latest("pk")
    assert "break-glass" in entry.additional_data["role_kept"]  # type: ignore[index]
    # and the break-glass door still opens with the password
    response = Client().post(
        reverse("accounts:login"), {"email": cast.admin.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_claims_never_demote_the_last_admin(client, cast, provider, issuer):
    # given the organisation's only admin, whose claims map to a member
    set_person(issuer, "n-7201", {"email": cast.admin.email, "email_verified": True})
    # when
    client.get(consent(start(client, cast.admin.email), "n-7201"))
    # then
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ORG_ADMIN
    entry = AuditEntry.objects.filter(event=audit_events.SSO_SIGN_IN_SUCCEEDED).latest("pk")
    assert "at least one active organisation admin" in entry.additional_data["role_kept"]  # type: ignore[index]


def test_claims_do_demote_an_admin_who_strands_nobody(client, cast, provider, issuer):
    # given two admins, neither the break-glass one
    second = _second_admin(cast)
    set_person(issuer, "n-7301", {"email": second.email, "email_verified": True, "groups": ["x"]})
    # when
    client.get(consent(start(client, second.email), "n-7301"))
    # then the identity provider is the source of truth for the role
    second.refresh_from_db()
    assert second.role == Role.MEMBER


def test_an_admin_cannot_demote_the_break_glass_admin_while_sso_is_required(cast, provider):
    from tandem.accounts.services import user_set_role
    from tandem.core.errors import Conflict

    # given
    second = _second_admin(cast)
    _require_sso(cast)
    # when / then
    with pytest.raises(Conflict, match="break-glass"):
        user_set_role(actor=second, user=cast.admin, role=Role.MEMBER)
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ORG_ADMIN


def _mails_to(address: str) -> list[str]:
    from django.core import mail

    return [message.body for message in mail.outbox if address in message.to]


@pytest.mark.parametrize("who", ["member", "manager", "mentor"])
def test_sign_in_links_and_resets_are_not_emailed_to_people_who_must_use_sso(cast, provider, who):
    # given
    _require_sso(cast)
    person = getattr(cast, who)
    # when a sign-in link and a password reset are asked for
    link = Client(REMOTE_ADDR="198.51.100.8").post(
        reverse("accounts:sign_in_link"), {"email": person.email}
    )
    reset = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("accounts:password_reset"), {"email": person.email}
    )
    # then the page answers as always, and the emails say where to sign in, with no secret
    assert link.status_code in (200, 302)
    assert reset.status_code == 302
    bodies = _mails_to(person.email)
    assert len(bodies) == 2
    for body in bodies:
        assert "single sign-on" in body
        assert "Continue with SSO" in body
        assert "/sign-in-link/" not in body
        assert "/password-reset/" not in body.replace(reverse("accounts:login"), "")
    # and the break-glass admin still gets a real link
    Client(REMOTE_ADDR="198.51.100.10").post(
        reverse("accounts:sign_in_link"), {"email": cast.admin.email}
    )
    assert any("/sign-in-link/" in body for body in _mails_to(cast.admin.email))


def test_several_providers_at_once_each_signs_in_its_own_organisations_people(
    cast, provider, issuer
):
    # given: Globex connects its own provider beside Northwind's (another client of a server)
    globex_client_id, globex_secret = register_client(issuer)
    globex = identity_provider_create(
        actor=cast.outsider,
        values=ProviderSettings(
            display_name="Globex SSO",
            email_domains=["globex.test"],
            issuer=issuer,
            client_id=globex_client_id,
            client_secret=globex_secret,
        ),
    )
    set_person(issuer, "g-9001", {"email": "new@globex.test", "email_verified": True})
    set_person(issuer, "n-9001", {"email": "new@northwind.test", "email_verified": True})
    globex_browser, northwind_browser = Client(), Client()
    # when: each person presses "Continue with SSO" with their own address
    to_globex = start(globex_browser, "new@globex.test")
    to_northwind = start(northwind_browser, "new@northwind.test")
    globex_browser.get(consent(to_globex, "g-9001"))
    northwind_browser.get(consent(to_northwind, "n-9001"))
    # then: the email's domain chose the provider, and each person is in its organisation
    assert query_of(to_globex)["client_id"] == globex_client_id
    assert query_of(to_northwind)["client_id"] == provider.client_id
    assert sorted(
        ExternalIdentity.objects.values_list(
            "provider_id", "subject", "user__email", "user__organization_id"
        )
    ) == sorted(
        [
            (provider.pk, "n-9001", "new@northwind.test", cast.org.pk),
            (globex.pk, "g-9001", "new@globex.test", cast.other_org.pk),
        ]
    )
    assert _signed_in(globex_browser) == User.objects.get(email="new@globex.test").pk
    assert _signed_in(northwind_browser) == User.objects.get(email="new@northwind.test").pk
