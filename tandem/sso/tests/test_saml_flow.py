"""The whole SAML 2.0 flow against a real identity provider (pysaml2's IdP, signing with the
xmlsec1 program): Tandem's AuthnRequest, the provider's signed response POSTed to the assertion
consumer service, and every check on it. Each refusal signs nobody in, changes no account and
leaves an audit entry."""

import base64
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry
from tandem.people.models import Profile
from tandem.sso.models import ExternalIdentity, IdentityProvider, ProviderKind, SamlAssertionUse
from tandem.sso.services import ProviderSettings, identity_provider_create, organization_sso_update
from tandem.sso.tests.saml_idp import (
    IDP_ENTITY_ID,
    IDP_SSO_URL,
    IdentityProviderUnderTest,
    identity_provider,
    tampered,
)
from tandem.sso.views import PENDING_KEY

PERSON = {
    "email": "new.person@northwind.test",
    "givenName": "Ada",
    "sn": "Lovelace",
    "department": "Engineering",
    "job_title": "Staff engineer",
    "groups": ["everyone", "tandem-managers"],
}


@pytest.fixture(scope="module")
def idp_keys() -> Iterator[IdentityProviderUnderTest]:
    with identity_provider() as idp:
        yield idp


@pytest.fixture
def idp(idp_keys) -> IdentityProviderUnderTest:
    idp_keys.sp_metadata.clear()
    idp_keys.lifetime_minutes = 15
    return idp_keys


def _connect(
    cast, idp: IdentityProviderUnderTest, *, verified_emails: bool = True
) -> IdentityProvider:
    provider = identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            kind=ProviderKind.SAML,
            display_name="Northwind SAML",
            email_domains=["northwind.test"],
            idp_metadata=idp.metadata(),
            asserts_verified_emails=verified_emails,
            role_claim="groups",
            role_values={"tandem-managers": Role.PROGRAM_MANAGER},
        ),
    )
    # The admin gives Tandem's metadata (its public URL) to the identity provider.
    idp.trust(Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode())
    return provider


@pytest.fixture
def provider(cast, idp) -> IdentityProvider:
    return _connect(cast, idp)


def _start(client: Client, email: str) -> str:
    response = client.post(reverse("sso:discover"), {"email": email})
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(IDP_SSO_URL)
    return response["Location"]


def _post(client: Client, provider: IdentityProvider, saml_response: str):
    return client.post(reverse("sso:saml_acs", args=[provider.pk]), {"SAMLResponse": saml_response})


def _sign_in(client, provider, idp, email, subject, attributes, **options):
    redirect_url = _start(client, email)
    return _post(
        client,
        provider,
        idp.respond(redirect_url=redirect_url, subject=subject, attributes=attributes, **options),
    )


def _signed_in(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _user_state() -> list[tuple]:
    return list(
        User.objects.order_by("id").values_list(
            "email", "role", "organization_id", "is_active", "first_name"
        )
    )


def _failures() -> list[str]:
    return [
        str(entry.additional_data.get("reason", ""))  # type: ignore[union-attr]
        for entry in AuditEntry.objects.filter(event=audit_events.SSO_SIGN_IN_FAILED)
    ]


def test_the_provider_is_read_from_its_metadata_and_tandem_publishes_its_own(cast, provider):
    # then: the entity id and endpoints come from the uploaded metadata
    assert (provider.kind, provider.issuer, provider.client_id) == (
        ProviderKind.SAML,
        IDP_ENTITY_ID,
        "",
    )
    assert provider.sp_private_key.startswith("-----BEGIN PRIVATE KEY-----")
    # and Tandem's metadata names its entity id, ACS (POST) and SLO, never its private key
    metadata = Client().get(reverse("sso:saml_metadata", args=[provider.pk]))
    body = metadata.content.decode()
    assert metadata.status_code == 200
    assert metadata["Content-Type"] == "application/samlmetadata+xml"
    entity_id = f"http://testserver{reverse('sso:saml_metadata', args=[provider.pk])}"
    assert f'entityID="{entity_id}"' in body
    assert f"http://testserver{reverse('sso:saml_acs', args=[provider.pk])}" in body
    assert "HTTP-POST" in body
    assert "PRIVATE KEY" not in body
    assert provider.sp_private_key.splitlines()[1] not in body
    # and there is no metadata for what is not a SAML provider
    assert Client().get(reverse("sso:saml_metadata", args=[provider.pk + 999])).status_code == 404


def test_a_new_person_is_created_just_in_time_with_mapped_role_and_profile(client, provider, idp):
    # when
    redirect_url = _start(client, "new.person@northwind.test")
    request_id = idp.authn_request_id(redirect_url)
    pending = client.session[PENDING_KEY]
    response = _post(
        client,
        provider,
        idp.respond(redirect_url=redirect_url, subject="p-1001", attributes=PERSON),
    )
    # then: the response answered the request this session started, and the person is in
    assert pending["request_id"] == request_id
    assert parse_qs(urlparse(redirect_url).query)["login_hint"] == ["new.person@northwind.test"]
    assert response.status_code == 302, response.content.decode()
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
        (provider.pk, "p-1001", user.pk)
    ]
    assert SamlAssertionUse.objects.filter(provider=provider).count() == 1
    entry = AuditEntry.objects.get(event=audit_events.SSO_SIGN_IN_SUCCEEDED)
    assert entry.additional_data["account"] == "created"  # type: ignore[index]


def test_an_encrypted_assertion_is_decrypted_and_accepted(client, provider, idp):
    # when
    redirect_url = _start(client, "new.person@northwind.test")
    saml_response = idp.respond(
        redirect_url=redirect_url, subject="p-1002", attributes=PERSON, encrypt=True
    )
    response = _post(client, provider, saml_response)
    # then: nothing of the person travelled in clear
    assert b"EncryptedAssertion" in base64.b64decode(saml_response)
    assert b"Lovelace" not in base64.b64decode(saml_response)
    assert response.status_code == 302, response.content.decode()
    assert _signed_in(client) == User.objects.get(email="new.person@northwind.test").pk


def test_an_existing_account_is_linked_when_the_provider_asserts_verified_emails(
    client, cast, provider, idp
):
    # when
    _sign_in(client, provider, idp, cast.member.email, "p-2001", {"email": cast.member.email})
    # then
    assert _signed_in(client) == cast.member.pk
    assert ExternalIdentity.objects.get(subject="p-2001").user == cast.member
    # and later the subject finds the account even when the email changed
    client.post(reverse("accounts:logout"))
    _sign_in(client, provider, idp, cast.member.email, "p-2001", {"email": "new@northwind.test"})
    assert _signed_in(client) == cast.member.pk
    assert [
        e.additional_data["account"]  # type: ignore[index]
        for e in AuditEntry.objects.filter(event=audit_events.SSO_SIGN_IN_SUCCEEDED).order_by("id")
    ] == ["linked", "known"]


def test_an_existing_account_is_not_linked_unless_the_admin_vouched_for_verified_emails(
    client, cast, idp
):
    # given
    provider = _connect(cast, idp, verified_emails=False)
    before = _user_state()
    # when
    response = _sign_in(
        client, provider, idp, cast.member.email, "p-2002", {"email": cast.member.email}
    )
    # then
    assert response.status_code == 400
    assert "has not verified your email" in response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert not ExternalIdentity.objects.exists()
    assert _failures() == ["email not verified"]


def _refused_and_unchanged(client, response, before, reason_fragment: str) -> None:
    assert response.status_code == 400, response.content.decode()
    assert _signed_in(client) is None
    assert _user_state() == before
    assert not ExternalIdentity.objects.exists()
    assert len(_failures()) == 1
    assert reason_fragment in _failures()[0], _failures()


def test_an_unsigned_response_is_refused(client, provider, idp):
    # given
    before = _user_state()
    # when
    response = _sign_in(
        client, provider, idp, "new.person@northwind.test", "p-3001", PERSON, sign=False
    )
    # then
    _refused_and_unchanged(client, response, before, "not signed")


def test_a_sha1_signature_is_refused(client, provider, idp):
    # given
    before = _user_state()
    # when
    response = _sign_in(
        client,
        provider,
        idp,
        "new.person@northwind.test",
        "p-3003",
        PERSON,
        sign_alg=SIG_RSA_SHA1,
        digest_alg=DIGEST_SHA1,
    )
    # then
    _refused_and_unchanged(client, response, before, "weak algorithm")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Engineering", "Enginearing"),  # an attribute changed after signing
        ("tandem-managers", "tandem-admins"),
        ("p-3002", "p-3099"),  # the subject
    ],
)
def test_a_response_tampered_after_signing_is_refused(client, provider, idp, old, new):
    # given
    before = _user_state()
    redirect_url = _start(client, "new.person@northwind.test")
    signed = idp.respond(redirect_url=redirect_url, subject="p-3002", attributes=PERSON)
    # when
    response = _post(client, provider, tampered(signed, old, new))
    # then
    _refused_and_unchanged(client, response, before, "not signed")


def test_a_replayed_assertion_is_refused(client, provider, idp):
    # given: a response that signed someone in, captured
    redirect_url = _start(client, "new.person@northwind.test")
    pending = client.session[PENDING_KEY]
    captured = idp.respond(redirect_url=redirect_url, subject="p-4001", attributes=PERSON)
    assert _post(client, provider, captured).status_code == 302
    # when: it is posted again, even into a session waiting for that very request
    attacker = Client()
    session = attacker.session
    session[PENDING_KEY] = pending
    session.save()
    response = _post(attacker, provider, captured)
    # then
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert _signed_in(attacker) is None
    assert _failures() == ["assertion replayed"]


def test_a_response_to_no_request_of_this_session_is_refused(client, provider, idp):
    # given: the response answers a request started in another browser
    other = Client()
    redirect_url = _start(other, "new.person@northwind.test")
    saml_response = idp.respond(redirect_url=redirect_url, subject="p-4002", attributes=PERSON)
    _start(client, "new.person@northwind.test")
    before = _user_state()
    # when
    response = _post(client, provider, saml_response)
    # then
    _refused_and_unchanged(client, response, before, "")


def test_an_assertion_for_another_audience_is_refused(client, provider, idp):
    # given: the identity provider also serves another service provider
    ours = Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode()
    theirs = "https://elsewhere.test/saml/metadata"
    idp.trust(
        ours.replace(f"http://testserver{reverse('sso:saml_metadata', args=[provider.pk])}", theirs)
    )
    before = _user_state()
    # when: the assertion is addressed to that one
    response = _sign_in(
        client, provider, idp, "new.person@northwind.test", "p-5001", PERSON, audience=theirs
    )
    # then
    _refused_and_unchanged(client, response, before, "audience")


def test_an_expired_assertion_is_refused(client, provider, idp):
    # given: the provider issues assertions that expired five minutes ago (past the leeway)
    idp.lifetime_minutes = -5
    before = _user_state()
    # when
    response = _sign_in(client, provider, idp, "new.person@northwind.test", "p-6001", PERSON)
    # then
    _refused_and_unchanged(client, response, before, "expired")


def test_a_person_of_another_organisations_domain_is_refused(client, cast, provider, idp):
    # given
    before = _user_state()
    redirect_url = _start(client, cast.member.email)
    # when: the provider vouches for an address outside its domains
    response = _post(
        client,
        provider,
        idp.respond(
            redirect_url=redirect_url,
            subject="p-7001",
            attributes={"email": cast.outsider.email},
        ),
    )
    # then
    _refused_and_unchanged(client, response, before, "domain not of this provider")


def test_an_account_of_another_organisation_is_never_linked(client, cast, provider, idp):
    # given
    stray = UserFactory(organization=cast.other_org, email="stray@northwind.test")
    before = _user_state()
    # when
    response = _sign_in(client, provider, idp, stray.email, "p-7002", {"email": stray.email})
    # then
    _refused_and_unchanged(client, response, before, "account of another organisation")


def test_a_disabled_provider_signs_nobody_in(client, cast, provider, idp):
    # given: a sign-in started, then the admin disabled the provider
    from tandem.sso.services import identity_provider_set_enabled

    redirect_url = _start(client, "new.person@northwind.test")
    identity_provider_set_enabled(actor=cast.admin, provider_id=provider.pk, is_enabled=False)
    # when
    response = _post(
        client,
        provider,
        idp.respond(redirect_url=redirect_url, subject="p-7003", attributes=PERSON),
    )
    # then
    assert response.status_code == 400
    assert _signed_in(client) is None
    assert not User.objects.filter(email="new.person@northwind.test").exists()


def test_a_cross_site_post_without_the_session_is_posted_again_from_tandems_page(
    client, provider, idp
):
    # given: the browser's cookie did not travel with the provider's cross-site POST
    redirect_url = _start(client, "new.person@northwind.test")
    saml_response = idp.respond(redirect_url=redirect_url, subject="p-7004", attributes=PERSON)
    # when
    bounce = Client().post(
        reverse("sso:saml_acs", args=[provider.pk]), {"SAMLResponse": saml_response}
    )
    # then: a page that posts it again, same-site; nobody signed in, nothing spent
    assert bounce.status_code == 200
    assert 'name="tandem_same_site"' in bounce.content.decode()
    assert not SamlAssertionUse.objects.exists()
    # and from the right browser the sign-in completes
    assert _post(client, provider, saml_response).status_code == 302


def test_when_sso_is_required_saml_still_signs_people_in_and_passwords_are_refused(
    client, cast, provider, idp
):
    # given
    organization_sso_update(actor=cast.admin, sso_required=True, break_glass_admin_id=cast.admin.pk)
    # when
    password = Client().post(
        reverse("accounts:login"), {"email": cast.member.email, "password": DEFAULT_PASSWORD}
    )
    _sign_in(client, provider, idp, cast.member.email, "p-9001", {"email": cast.member.email})
    # then
    assert password.status_code == 400
    assert _signed_in(client) == cast.member.pk
