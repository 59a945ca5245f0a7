"""SAML single logout both ways against a real identity provider (pysaml2's IdP, which
requires Tandem's requests to be signed): signing out of Tandem sends a signed LogoutRequest and
checks the provider's answer; the provider's own LogoutRequest (Redirect or POST) ends every
session it names and is answered with a signed LogoutResponse. A logout message that is not
signed, altered, from another provider, addressed elsewhere, expired or SHA-1 changes nothing
and leaves an audit entry."""

import base64
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

from tandem.accounts.models import Role
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry
from tandem.sso.models import IdentityProvider, ProviderKind, SamlSession
from tandem.sso.services import ProviderSettings, identity_provider_create
from tandem.sso.tests.provider import continued_to
from tandem.sso.tests.saml_idp import (
    IDP_SLO_URL,
    IDP_SSO_URL,
    IdentityProviderUnderTest,
    identity_provider,
    tampered,
)

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
BINDINGS = [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST]


@pytest.fixture(scope="module")
def idp_keys() -> Iterator[IdentityProviderUnderTest]:
    with identity_provider() as idp:
        yield idp


@pytest.fixture(scope="module")
def stranger_keys() -> Iterator[IdentityProviderUnderTest]:
    # Another organisation's identity provider: valid signatures, the wrong issuer.
    with identity_provider("https://idp.globex.test/saml/metadata") as idp:
        yield idp


@pytest.fixture
def idp(idp_keys) -> IdentityProviderUnderTest:
    idp_keys.sp_metadata.clear()
    idp_keys.lifetime_minutes = 15
    return idp_keys


@pytest.fixture
def provider(cast, idp) -> IdentityProvider:
    provider = identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            kind=ProviderKind.SAML,
            display_name="Northwind SAML",
            email_domains=["northwind.test"],
            idp_metadata=idp.metadata(),
            asserts_verified_emails=True,
            role_claim="groups",
            role_values={"tandem-managers": Role.PROGRAM_MANAGER},
        ),
    )
    idp.trust(Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode())
    return provider


def _slo_url(provider: IdentityProvider) -> str:
    return f"http://testserver{reverse('sso:saml_slo', args=[provider.pk])}"


def _sp_entity_id(provider: IdentityProvider) -> str:
    return f"http://testserver{reverse('sso:saml_metadata', args=[provider.pk])}"


def _signed_in_client(provider, idp, email: str, subject: str) -> Client:
    client = Client()
    response = client.post(reverse("sso:discover"), {"email": email})
    assert response["Location"].startswith(IDP_SSO_URL)
    saml_response = idp.respond(
        redirect_url=response["Location"], subject=subject, attributes={"email": email}
    )
    signed_in = client.post(
        reverse("sso:saml_acs", args=[provider.pk]), {"SAMLResponse": saml_response}
    )
    assert signed_in.status_code == 302, signed_in.content.decode()
    return client


def _user_id(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _deliver(client: Client, provider: IdentityProvider, binding: str, message: dict[str, str]):
    url = reverse("sso:saml_slo", args=[provider.pk])
    if binding == BINDING_HTTP_REDIRECT:
        return client.get(url, message)
    return client.post(url, message)


def _sessions() -> list[tuple]:
    return list(
        SamlSession.objects.order_by("pk").values_list(
            "user_id", "name_id", "session_key", "logout_request_id"
        )
    )


def _audit(event: str) -> list[dict]:
    return [
        dict(entry.additional_data or {})  # type: ignore[arg-type]
        for entry in AuditEntry.objects.filter(event=event).order_by("pk")
    ]


# --- Tandem's metadata and requests -------------------------------------------------------------


def test_tandem_publishes_signed_requests_and_both_logout_bindings(provider):
    # when
    body = Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode()
    # then
    assert 'AuthnRequestsSigned="true"' in body
    certificate = "".join(provider.sp_certificate.strip().splitlines()[1:-1])
    assert certificate in body
    slo = _slo_url(provider)
    assert f'Binding="{BINDING_HTTP_REDIRECT}" Location="{slo}"' in body
    assert f'Binding="{BINDING_HTTP_POST}" Location="{slo}"' in body


def test_the_authn_request_is_signed_with_sha256_and_the_idp_refuses_it_altered(
    client, provider, idp
):
    # when
    location = client.post(reverse("sso:discover"), {"email": "a@northwind.test"})["Location"]
    # then: signed with the provider's key, which the IdP (requiring signatures) accepts
    query = parse_qs(urlparse(location).query)
    assert query["SigAlg"] == [RSA_SHA256]
    assert idp.authn_request_id(location) == client.session["sso_pending"]["request_id"]
    # and without its signature, or with it moved onto another request, the IdP refuses it
    unsigned = location.split("&Signature=")[0]
    other = Client().post(reverse("sso:discover"), {"email": "a@northwind.test"})["Location"]
    moved = other.split("&Signature=")[0] + "&Signature=" + location.split("&Signature=")[1]
    for altered in (unsigned, moved):
        with pytest.raises(Exception, match="not signed correctly"):
            idp.authn_request_id(altered)


# --- signing out of Tandem (SP-initiated) -------------------------------------------------------


@pytest.mark.parametrize("binding", BINDINGS)
def test_sign_out_sends_a_signed_logout_request_and_verifies_the_answer(
    cast, provider, idp, binding
):
    # given
    client = _signed_in_client(provider, idp, cast.member.email, "p-8001")
    saml_session = SamlSession.objects.get()
    assert (saml_session.user_id, saml_session.name_id) == (cast.member.pk, "p-8001")
    assert saml_session.session_index
    # when: the person signs out of Tandem
    signed_out = client.post(reverse("accounts:logout"))
    # then: the session is over and the browser is sent on to a fresh, signed LogoutRequest
    assert _user_id(client) is None
    to_idp = client.get(continued_to(signed_out))
    assert to_idp.status_code == 302
    location = to_idp["Location"]
    assert location.startswith(IDP_SLO_URL)
    assert parse_qs(urlparse(location).query)["SigAlg"] == [RSA_SHA256]
    received = idp.received_logout_request(location).message  # the IdP checks the signature
    assert received.name_id.text == "p-8001"
    assert [index.text for index in received.session_index] == [saml_session.session_index]
    saml_session.refresh_from_db()
    assert saml_session.logout_request_id == received.id
    # and the link cannot send a second request
    assert client.get(continued_to(signed_out))["Location"] == reverse("accounts:login")
    # when: the provider answers
    answer = idp.logout_response(location, binding=binding)
    confirmed = _deliver(client, provider, binding, answer)
    # then
    assert confirmed.status_code == 302, confirmed.content.decode()
    assert confirmed["Location"] == reverse("accounts:login")
    assert not SamlSession.objects.exists()
    assert _audit(audit_events.SSO_SIGN_OUT_FAILED) == []
    # and the same answer again answers nothing Tandem asked
    assert _deliver(client, provider, binding, answer).status_code == 400


def _pending_sign_out(cast, provider, idp) -> tuple[Client, str]:
    client = _signed_in_client(provider, idp, cast.member.email, "p-8101")
    signed_out = client.post(reverse("accounts:logout"))
    return client, client.get(continued_to(signed_out))["Location"]


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("kind", ["unsigned", "altered"])
def test_a_logout_answer_not_signed_by_the_provider_is_refused(cast, provider, idp, binding, kind):
    # given
    client, location = _pending_sign_out(cast, provider, idp)
    before = _sessions()
    answer = idp.logout_response(location, binding=binding, sign=kind != "unsigned")
    if kind == "altered" and binding == BINDING_HTTP_REDIRECT:
        # another answer's signature on this one
        answer["Signature"] = idp.logout_response(location, binding=binding)["Signature"]
    elif kind == "altered":
        xml = base64.b64decode(answer["SAMLResponse"]).decode()
        issue_instant = xml.split('IssueInstant="')[1].split('"')[0]
        answer["SAMLResponse"] = tampered(
            answer["SAMLResponse"], issue_instant, issue_instant.replace("Z", ".5Z")
        )
    # when
    response = _deliver(client, provider, binding, answer)
    # then: refused, the request still waits for a genuine answer
    assert response.status_code == 400
    assert _sessions() == before
    failures = _audit(audit_events.SSO_SIGN_OUT_FAILED)
    assert len(failures) == 1
    assert "sign" in failures[0]["reason"] or "refused" in failures[0]["reason"], failures


# --- the provider signs the person out (IdP-initiated) ------------------------------------------


def _logout_request(idp, provider, *, subject: str, binding: str, **options) -> dict[str, str]:
    return idp.logout_request(
        destination=options.pop("destination", _slo_url(provider)),
        sp_entity_id=_sp_entity_id(provider),
        subject=subject,
        binding=binding,
        **options,
    )


@pytest.mark.parametrize("binding", BINDINGS)
def test_the_providers_logout_request_ends_every_session_of_that_person(
    cast, provider, idp, binding
):
    # given: the member in two browsers, someone else in a third
    laptop = _signed_in_client(provider, idp, cast.member.email, "p-9001")
    phone = _signed_in_client(provider, idp, cast.member.email, "p-9001")
    colleague = _signed_in_client(provider, idp, "colleague@northwind.test", "p-9002")
    # when: the provider signs the member out
    response = _deliver(
        Client(),
        provider,
        binding,
        _logout_request(idp, provider, subject="p-9001", binding=binding),
    )
    # then: both of the member's sessions ended, the colleague's did not
    assert (_user_id(laptop), _user_id(phone)) == (None, None)
    assert _user_id(colleague) is not None
    assert list(SamlSession.objects.values_list("name_id", flat=True)) == ["p-9002"]
    [entry] = _audit(audit_events.SSO_SIGN_OUT_SUCCEEDED)
    assert (entry["sessions_ended"], entry["user_ids"]) == (2, [cast.member.pk])
    # and the answer is a LogoutResponse signed with Tandem's key, by the same binding
    if binding == BINDING_HTTP_REDIRECT:
        assert response.status_code == 302
        assert response["Location"].startswith(IDP_SLO_URL)
        query = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
        assert query["SigAlg"] == RSA_SHA256
        assert query["RelayState"] == "idp-state"
        server = idp._server()
        certificate = "".join(provider.sp_certificate.strip().splitlines()[1:-1])
        assert verify_redirect_signature(query, server.sec.sec_backend, certificate)
        answer = server.parse_logout_request_response(query["SAMLResponse"], binding)
    else:
        body = response.content.decode()
        assert response.status_code == 200
        assert f'action="{IDP_SLO_URL}"' in body
        assert (
            "form-action 'self' https://idp.northwind.test" in response["Content-Security-Policy"]
        )
        saml_response = body.split('name="SAMLResponse" value="')[1].split('"')[0]
        answer = idp._server().parse_logout_request_response(saml_response, binding)
        assert answer.response.signature is not None  # and pysaml2 verified it
    assert answer.status_ok()


def test_a_logout_request_naming_a_session_index_ends_only_that_session(cast, provider, idp):
    # given
    laptop = _signed_in_client(provider, idp, cast.member.email, "p-9101")
    phone = _signed_in_client(provider, idp, cast.member.email, "p-9101")
    phone_index = SamlSession.objects.get(session_key=phone.session.session_key).session_index
    # when
    _deliver(
        Client(),
        provider,
        BINDING_HTTP_REDIRECT,
        _logout_request(
            idp,
            provider,
            subject="p-9101",
            binding=BINDING_HTTP_REDIRECT,
            session_indexes=[phone_index],
        ),
    )
    # then
    assert _user_id(phone) is None
    assert _user_id(laptop) == cast.member.pk


def _refused_request(kind: str, binding: str, idp, stranger, provider) -> dict[str, str]:
    if kind == "unsigned":
        return _logout_request(idp, provider, subject="p-9201", binding=binding, sign=False)
    if kind == "altered":
        # signed for somebody else, then pointed at the member
        if binding == BINDING_HTTP_REDIRECT:
            signed = _logout_request(idp, provider, subject="p-9299", binding=binding)
            target = _logout_request(idp, provider, subject="p-9201", binding=binding)
            return {**target, "Signature": signed["Signature"]}
        signed = _logout_request(idp, provider, subject="p-9299", binding=binding)
        return {"SAMLRequest": tampered(signed["SAMLRequest"], "p-9299", "p-9201")}
    if kind == "other issuer":
        stranger.trust(
            Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode()
        )
        return _logout_request(stranger, provider, subject="p-9201", binding=binding)
    if kind == "other destination":
        return _logout_request(
            idp,
            provider,
            subject="p-9201",
            binding=binding,
            destination="https://elsewhere.test/saml/slo",
        )
    if kind == "expired":
        return _logout_request(
            idp, provider, subject="p-9201", binding=binding, expires_in_minutes=-5
        )
    assert kind == "sha1"
    return _logout_request(
        idp,
        provider,
        subject="p-9201",
        binding=binding,
        sign_alg=SIG_RSA_SHA1,
        digest_alg=DIGEST_SHA1,
    )


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("unsigned", "not signed"),
        ("altered", "not signed"),
        ("other issuer", ""),
        ("other destination", "addressed to another"),
        ("expired", "expired"),
        ("sha1", "weak algorithm"),
    ],
)
def test_a_logout_request_that_fails_a_check_signs_nobody_out(
    cast, provider, idp, stranger_keys, binding, kind, reason
):
    # given
    member = _signed_in_client(provider, idp, cast.member.email, "p-9201")
    before = _sessions()
    message = _refused_request(kind, binding, idp, stranger_keys, provider)
    # when
    response = _deliver(Client(), provider, binding, message)
    # then: nothing changed, and the refusal is on record
    assert response.status_code == 400
    assert _user_id(member) == cast.member.pk
    assert _sessions() == before
    assert _audit(audit_events.SSO_SIGN_OUT_SUCCEEDED) == []
    failures = _audit(audit_events.SSO_SIGN_OUT_FAILED)
    assert len(failures) == 1
    assert reason in failures[0]["reason"], failures
