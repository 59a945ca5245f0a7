"""A SAML provider on the organisation admin's pages: connected from uploaded metadata or its
URL (fetched without reaching private addresses), Tandem's own metadata and endpoints shown,
its private key never shown and encrypted at rest, "try sign-in" against the real identity
provider, and who reaches each page and endpoint."""

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry
from tandem.core import outbound
from tandem.sso import saml_metadata
from tandem.sso.models import IdentityProvider, ProviderKind
from tandem.sso.services import ProviderSettings, identity_provider_create
from tandem.sso.tests.saml_idp import IDP_ENTITY_ID, IdentityProviderUnderTest, identity_provider


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProviderUnderTest]:
    with identity_provider() as idp:
        yield idp


@pytest.fixture
def provider(cast, idp) -> IdentityProvider:
    return identity_provider_create(
        actor=cast.admin,
        values=ProviderSettings(
            kind=ProviderKind.SAML,
            display_name="Northwind SAML",
            email_domains=["northwind.test"],
            idp_metadata=idp.metadata(),
        ),
    )


def _client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _form(**values: object) -> dict[str, object]:
    return {
        "kind": "saml",
        "display_name": "Northwind SAML",
        "email_domains": "northwind.test",
        "default_role": "member",
        "department_claim": "department",
        "job_title_claim": "job_title",
        **values,
    }


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_the_organisations_admins_reach_a_saml_providers_pages(cast, provider, actor_name):
    # given
    client = _client_as(cast.by_name(actor_name))
    before = (provider.is_enabled, provider.sp_private_key, IdentityProvider.objects.count())
    pages = [
        ("get", reverse("sso:detail", args=[provider.pk])),
        ("post", reverse("sso:disable", args=[provider.pk])),
        ("post", reverse("sso:enable", args=[provider.pk])),
        ("post", reverse("sso:try", args=[provider.pk])),
    ]
    for method, url in pages:
        # when
        response = getattr(client, method)(url)
        # then
        if actor_name == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url
        elif actor_name != "admin":
            assert response.status_code == 404, (actor_name, url)
        else:
            assert response.status_code in {200, 302}, url
    if actor_name != "admin":
        provider.refresh_from_db()
        assert (
            provider.is_enabled,
            provider.sp_private_key,
            IdentityProvider.objects.count(),
        ) == before


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_the_public_saml_endpoints_answer_everyone_the_same_and_sign_nobody_in(
    cast, provider, actor_name
):
    # given: metadata, ACS and SLO are the identity provider's, not a person's
    client = _client_as(cast.by_name(actor_name))
    signed_in_before = client.session.get("_auth_user_id")
    # when
    metadata = client.get(reverse("sso:saml_metadata", args=[provider.pk]))
    acs = client.post(reverse("sso:saml_acs", args=[provider.pk]), {"SAMLResponse": "bm90"})
    again = client.post(
        reverse("sso:saml_acs", args=[provider.pk]),
        {"SAMLResponse": "bm90", "tandem_same_site": "1"},
    )
    slo = client.get(reverse("sso:saml_slo", args=[provider.pk]))
    # then
    assert metadata.status_code == 200
    assert acs.status_code == 200  # the same-site repost page
    assert again.status_code == 400  # no sign-in was started in this session
    assert slo.status_code == 400  # no logout message: nobody is signed out either
    assert client.session.get("_auth_user_id") == signed_in_before
    assert client.get(reverse("sso:saml_acs", args=[provider.pk])).status_code == 405


def test_an_admin_connects_a_provider_by_uploading_its_metadata(cast, idp):
    # given
    client = _client_as(cast.admin)
    upload = SimpleUploadedFile("idp.xml", idp.metadata().encode(), "application/xml")
    # when
    response = client.post(
        reverse("sso:list"), _form(idp_metadata_file=upload, asserts_verified_emails="on")
    )
    # then
    provider = IdentityProvider.objects.get()
    assert response.status_code == 302, response.content.decode()
    assert (provider.kind, provider.issuer, provider.asserts_verified_emails) == (
        ProviderKind.SAML,
        IDP_ENTITY_ID,
        True,
    )
    page = client.get(reverse("sso:detail", args=[provider.pk])).content.decode()
    assert reverse("sso:saml_acs", args=[provider.pk]) in page
    assert reverse("sso:saml_metadata", args=[provider.pk]) in page
    assert IDP_ENTITY_ID in page
    assert "PRIVATE KEY" not in page
    assert provider.sp_private_key.splitlines()[1] not in page
    entry = AuditEntry.objects.get(event=audit_events.IDENTITY_PROVIDER_CHANGED)
    assert entry.additional_data["issuer"] == IDP_ENTITY_ID  # type: ignore[index]
    assert provider.sp_private_key.splitlines()[1] not in str(entry.additional_data)


@pytest.fixture
def metadata_server(idp) -> Iterator[str]:
    body = idp.metadata().encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 200 if self.path == "/metadata" else 404
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_admin_connects_a_provider_by_its_metadata_url(cast, metadata_server):
    # given
    client = _client_as(cast.admin)
    # when
    missing = client.post(reverse("sso:list"), _form(idp_metadata_url=f"{metadata_server}/nope"))
    response = client.post(
        reverse("sso:list"), _form(idp_metadata_url=f"{metadata_server}/metadata")
    )
    # then
    assert missing.status_code == 400
    assert "The metadata URL answered 404, not the metadata." in missing.content.decode()
    assert response.status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.issuer, provider.idp_metadata_url) == (
        IDP_ENTITY_ID,
        f"{metadata_server}/metadata",
    )


@pytest.mark.parametrize(
    ("url", "addresses", "message"),
    [
        ("http://idp.example/metadata", ["93.184.216.34"], "must be an https:// URL"),
        ("https://10.0.0.5/metadata", ["10.0.0.5"], "is not a public address"),
        ("https://127.0.0.1/metadata", ["127.0.0.1"], "is not a public address"),
        ("https://169.254.169.254/latest", ["169.254.169.254"], "is not a public address"),
        # One private answer among public ones refuses the lot (DNS rebinding).
        ("https://idp.example/metadata", ["93.184.216.34", "192.168.1.9"], "not a public"),
        ("https://user:pw@idp.example/metadata", ["93.184.216.34"], "no credentials"),
    ],
)
def test_a_metadata_url_never_reaches_a_private_address(monkeypatch, url, addresses, message):
    # given
    monkeypatch.setattr(outbound, "resolve", lambda host, port: addresses)
    # when / then
    with pytest.raises(ValueError, match=message):
        saml_metadata.metadata_fetch(url, allow_http=False)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("not xml", "is not XML Tandem can read"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "not XML"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://idp.test"/>',
            "exactly one identity provider",
        ),
    ],
)
def test_bad_metadata_says_which_field_and_changes_nothing(cast, metadata, message):
    # given
    client = _client_as(cast.admin)
    # when
    response = client.post(reverse("sso:list"), _form(idp_metadata=metadata))
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdentityProvider.objects.exists()
    assert not AuditEntry.objects.filter(event=audit_events.IDENTITY_PROVIDER_CHANGED).exists()


def test_metadata_without_a_signing_certificate_is_refused(cast, idp):
    # given: the identity provider's metadata with its KeyDescriptor removed
    metadata = idp.metadata()
    stripped = re.sub(r"<(\w+:)?KeyDescriptor.*?</(\w+:)?KeyDescriptor>", "", metadata, flags=re.S)
    assert "KeyDescriptor" in metadata
    assert "KeyDescriptor" not in stripped
    # when
    response = _client_as(cast.admin).post(reverse("sso:list"), _form(idp_metadata=stripped))
    # then
    assert response.status_code == 400
    assert "no signing certificate" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_blank_metadata_keeps_the_saved_metadata_and_key(cast, provider):
    # given
    client = _client_as(cast.admin)
    key_before = provider.sp_private_key
    # when
    response = client.post(
        reverse("sso:detail", args=[provider.pk]),
        _form(display_name="Northwind Entra", email_domains="northwind.test"),
    )
    # then
    assert response.status_code == 302, response.content.decode()
    provider.refresh_from_db()
    assert (provider.display_name, provider.issuer, provider.sp_private_key) == (
        "Northwind Entra",
        IDP_ENTITY_ID,
        key_before,
    )


def test_a_providers_kind_cannot_change(cast, provider):
    response = _client_as(cast.admin).post(
        reverse("sso:detail", args=[provider.pk]),
        _form(kind="oidc", issuer="https://login.northwind.test", client_id="x"),
    )
    assert response.status_code == 400
    assert "kind cannot change" in response.content.decode()
    provider.refresh_from_db()
    assert provider.kind == ProviderKind.SAML


def test_the_private_key_is_encrypted_at_rest(provider):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sp_private_key FROM sso_identityprovider WHERE id = %s", [provider.pk]
        )
        (stored,) = cursor.fetchone()
    assert "PRIVATE KEY" not in stored
    assert IdentityProvider.objects.get(pk=provider.pk).sp_private_key.startswith("-----BEGIN")


def test_try_sign_in_shows_the_attributes_and_signs_nobody_else_in(cast, provider, idp):
    # given
    idp.trust(Client().get(reverse("sso:saml_metadata", args=[provider.pk])).content.decode())
    client = _client_as(cast.admin)
    # when
    start = client.post(reverse("sso:try", args=[provider.pk]))
    saml_response = idp.respond(
        redirect_url=start["Location"],
        subject="t-1",
        attributes={"email": "tester@northwind.test", "department": "IT"},
    )
    response = client.post(
        reverse("sso:saml_acs", args=[provider.pk]), {"SAMLResponse": saml_response}
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "tester@northwind.test" in page
    assert "<code>department</code>" in page
    assert int(client.session["_auth_user_id"]) == cast.admin.pk
    assert not provider.identities.exists()
