"""The SAML 2.0 service provider: a signed AuthnRequest by the HTTP-Redirect binding, the
response at the assertion consumer service by HTTP-POST, the service provider's metadata, and
single logout both ways (Tandem's signed LogoutRequest and the provider's answer; the provider's
LogoutRequest and Tandem's signed answer), by the HTTP-Redirect and HTTP-POST bindings.

pysaml2 does the protocol and its checks: the response and the assertion must both be signed
by the identity provider's certificate from its metadata (xmlsec1, Debian's program), the
assertion must answer the request this browser started (`InResponseTo`), be addressed to this
service provider (audience, recipient, destination) and be inside its validity window; an
encrypted assertion is decrypted with the service provider's key. Tandem adds: only SHA-256 or
stronger signatures and digests, and (in services) each assertion used once. Every message
Tandem sends is signed with the provider's service provider key (RSA-SHA256); a logout message
Tandem receives must be signed by the identity provider (pysaml2 only checks a signature that is
there, so Tandem asks for it), come from its entity id, be addressed to Tandem's single logout
URL and be inside its validity window. Like oidc.py this module knows no models: the views hand
it a provider's settings.
"""

import base64
import calendar
import datetime
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import defusedxml.ElementTree
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.request import LogoutRequest
from saml2.s_utils import status_message_factory
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.samlp import STATUS_UNKNOWN_PRINCIPAL
from saml2.sigver import verify_redirect_signature
from saml2.time_util import str_to_time
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tandem.sso.oidc import SignInRefused

CLOCK_LEEWAY_SECONDS = 60
SP_KEY_VALID_DAYS = 3650
_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"
# Signature and digest algorithms accepted in a response: SHA-256 or stronger (never SHA-1).
ACCEPTED_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)
# Where a provider usually puts a person's email, names and display name (Okta's and Google's
# basic names, Entra ID's claim URIs, pysaml2's friendly names of the LDAP OIDs).
_EMAIL = ("email", "mail", "emailaddress", "Email", "EmailAddress",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress")  # fmt: skip
_GIVEN = ("given_name", "givenName", "firstName", "FirstName",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")  # fmt: skip
_FAMILY = ("family_name", "sn", "surname", "lastName", "LastName",
           "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")  # fmt: skip
_DISPLAY = ("name", "displayName", "http://schemas.microsoft.com/identity/claims/displayname")


@dataclass(frozen=True)
class ServiceProvider:
    """Tandem as one provider's service provider: its URLs, its key pair, the provider's
    metadata."""

    entity_id: str  # the URL of Tandem's metadata for this provider (stable)
    acs_url: str
    slo_url: str
    idp_metadata: str
    private_key: str
    certificate: str


@dataclass(frozen=True)
class IdentityProviderMetadata:
    entity_id: str
    sso_url: str
    slo_url: str


@dataclass(frozen=True)
class Assertion:
    """What a checked response says: the person (claims) and what replay protection needs."""

    claims: dict[str, Any]
    assertion_id: str
    expires_at: datetime.datetime
    name_id: str
    name_id_format: str
    session_index: str


def key_pair(common_name: str) -> tuple[str, str]:
    """A new RSA key and its self-signed certificate (PEM), for a service provider: providers
    check signatures against the metadata, not a certificate authority."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=SP_KEY_VALID_DAYS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def idp_metadata_read(xml: str) -> IdentityProviderMetadata:
    """The identity provider's entity id and endpoints; ValueError (a message for the admin)
    when the metadata cannot sign anyone in."""
    try:
        root = defusedxml.ElementTree.fromstring(xml.encode())
    except Exception as error:  # defusedxml raises ParseError and its own refusals
        raise ValueError("The metadata is not XML Tandem can read.") from error
    descriptors = (
        [root] if root.tag == f"{_MD}EntityDescriptor" else root.findall(f"{_MD}EntityDescriptor")
    )
    descriptors = [d for d in descriptors if d.find(f"{_MD}IDPSSODescriptor") is not None]
    if len(descriptors) != 1:
        raise ValueError("The metadata must describe exactly one identity provider.")
    descriptor = descriptors[0]
    entity_id = descriptor.get("entityID") or ""
    if not entity_id:
        raise ValueError("The metadata names no entityID.")
    idp = descriptor.find(f"{_MD}IDPSSODescriptor")
    assert idp is not None  # noqa: S101 (filtered above)
    signing = [
        key
        for key in idp.findall(f"{_MD}KeyDescriptor")
        if key.get("use") in (None, "signing") and key.find(f".//{_DS}X509Certificate") is not None
    ]
    if not signing:
        raise ValueError("The metadata has no signing certificate.")

    def endpoint(tag: str) -> str:
        for service in idp.findall(f"{_MD}{tag}"):
            if service.get("Binding") == BINDING_HTTP_REDIRECT and service.get("Location"):
                return str(service.get("Location"))
        return ""

    sso_url = endpoint("SingleSignOnService")
    if not sso_url.startswith("https://") and not sso_url.startswith("http://"):
        raise ValueError("The metadata has no SingleSignOnService with the HTTP-Redirect binding.")
    return IdentityProviderMetadata(
        entity_id=entity_id, sso_url=sso_url, slo_url=endpoint("SingleLogoutService")
    )


@contextmanager
def _client(sp: ServiceProvider) -> Iterator[Saml2Client]:
    # xmlsec1 reads keys from files: they live in a private directory for one call only.
    with tempfile.TemporaryDirectory(prefix="tandem-saml-") as directory:
        key_file = os.path.join(directory, "sp.key")
        cert_file = os.path.join(directory, "sp.crt")
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(sp.private_key)
        with open(cert_file, "w") as handle:
            handle.write(sp.certificate)
        config = SPConfig()
        config.load(
            {
                "entityid": sp.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
                "key_file": key_file,
                "cert_file": cert_file,
                "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
                "metadata": {"inline": [sp.idp_metadata]},
                "allow_unknown_attributes": True,
                "accepted_time_diff": CLOCK_LEEWAY_SECONDS,
                "service": {
                    "sp": {
                        "endpoints": {
                            "assertion_consumer_service": [(sp.acs_url, BINDING_HTTP_POST)],
                            "single_logout_service": [
                                (sp.slo_url, BINDING_HTTP_REDIRECT),
                                (sp.slo_url, BINDING_HTTP_POST),
                            ],
                        },
                        "want_response_signed": True,
                        "want_assertions_signed": True,
                        "allow_unsolicited": False,
                        "authn_requests_signed": True,
                        "logout_requests_signed": True,
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                        "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
                    }
                },
            }
        )
        yield Saml2Client(config)


def sp_metadata(sp: ServiceProvider) -> str:
    """Tandem's metadata for this provider: entity id, ACS (POST), SLO (Redirect and POST),
    `AuthnRequestsSigned="true"` and the certificate its requests are signed with (which the
    provider may also encrypt assertions to)."""
    with _client(sp) as client:
        return str(entity_descriptor(client.config))


def authentication_request(sp: ServiceProvider, *, login_hint: str = "") -> tuple[str, str]:
    """The provider's URL to send the browser to, carrying a signed (RSA-SHA256) AuthnRequest,
    and the request's id (kept in the session: the response must answer it)."""
    sso_url = idp_metadata_read(sp.idp_metadata).sso_url
    with _client(sp) as client:
        request_id, info = client.prepare_for_authenticate(
            entityid=idp_metadata_read(sp.idp_metadata).entity_id,
            binding=BINDING_HTTP_REDIRECT,
            response_binding=BINDING_HTTP_POST,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
    location = dict(info["headers"])["Location"]
    if login_hint:
        # Okta, Entra ID and Google read the hint from the query (SAML has no standard one).
        location += ("&" if "?" in location else "?") + urlencode({"login_hint": login_hint})
    if not location.startswith(sso_url):
        raise SignInRefused("The identity provider's sign-in URL could not be built.")
    return location, str(request_id)


def _algorithms_refused(saml_response: str) -> str:
    """The first signature or digest algorithm weaker than SHA-256 in the response, or ""."""
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = defusedxml.ElementTree.fromstring(xml)
    except Exception as error:
        raise SignInRefused("The identity provider's response is not SAML.") from error
    for tag in ("SignatureMethod", "DigestMethod"):
        for element in root.iter(f"{_DS}{tag}"):
            algorithm = element.get("Algorithm", "")
            if algorithm not in ACCEPTED_ALGORITHMS:
                return algorithm
    return ""


def _first(ava: dict[str, list[Any]], names: tuple[str, ...]) -> str:
    for name in names:
        values = ava.get(name)
        if values:
            return str(values[0])
    return ""


def _claims(ava: dict[str, list[Any]], name_id: str, name_id_format: str) -> dict[str, Any]:
    """The attributes as OpenID-Connect-like claims, so that mapping, linking and just-in-time
    creation are the same code for both kinds of provider."""
    claims: dict[str, Any] = {
        name: values[0] if len(values) == 1 else list(values) for name, values in ava.items()
    }
    email = _first(ava, _EMAIL)
    if not email and (name_id_format == NAMEID_FORMAT_EMAILADDRESS or "@" in name_id):
        email = name_id
    claims.update(
        sub=name_id,
        email=email,
        given_name=_first(ava, _GIVEN),
        family_name=_first(ava, _FAMILY),
        name=_first(ava, _DISPLAY),
    )
    return claims


def _refusal(error: Exception) -> str:
    text = str(error)
    if re.search(r"audience", text, re.IGNORECASE):
        return "The assertion was issued to another service provider (audience)."
    name = type(error).__name__
    # pysaml2 reports a time condition failed as "Condition not OK" (the audience has its own).
    if name in {"ResponseLifetimeExceed", "ToEarly"} or "condition not ok" in text.lower():
        return "The assertion has expired or is not yet valid."
    if name in {"SignatureError", "IncorrectlySigned", "MissingKey"} or "signature" in text.lower():
        return "The identity provider's response is not signed as required."
    if name == "UnsolicitedResponse" or "unsolicited" in text.lower():
        return "This response answers no sign-in started here."
    if name.startswith("Status"):
        return "The identity provider refused the sign-in."
    return f"The identity provider's response was refused ({name})."


def validated_assertion(sp: ServiceProvider, *, saml_response: str, request_id: str) -> Assertion:
    """Check the POSTed SAMLResponse (base64) against the request `request_id` and return what
    it asserts. SignInRefused, with a message safe to show, for anything else."""
    weak = _algorithms_refused(saml_response)
    if weak:
        raise SignInRefused(f"The identity provider signed with a weak algorithm ({weak}).")
    with _client(sp) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except (SAMLError, Exception) as error:  # pysaml2 raises plain Exception too
            raise SignInRefused(_refusal(error)) from error
    if response is None or response.assertion is None or response.name_id is None:
        raise SignInRefused("The identity provider's response holds no assertion.")
    # Belt and braces: pysaml2 checks these when signatures are wanted, Tandem relies on it.
    if not response.response.signature or response.in_response_to != request_id:
        raise SignInRefused("The identity provider's response is not signed as required.")
    assertion = response.assertion
    # An encrypted assertion's own signature was hidden from the check above.
    signature = assertion.signature
    if signature is not None and signature.signed_info is not None:
        info = signature.signed_info
        algorithms = [info.signature_method.algorithm] + [
            reference.digest_method.algorithm for reference in info.reference
        ]
        weak = next((a for a in algorithms if a not in ACCEPTED_ALGORITHMS), "")
        if weak:
            raise SignInRefused(f"The identity provider signed with a weak algorithm ({weak}).")
    name_id = str(response.name_id.text or "").strip()
    if not name_id:
        raise SignInRefused("The identity provider's assertion names nobody.")
    expiry = response.not_on_or_after or 0
    for confirmation in assertion.subject.subject_confirmation or []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            expiry = max(expiry, calendar.timegm(str_to_time(data.not_on_or_after)))
    if not expiry:
        raise SignInRefused("The identity provider's assertion has no expiry.")
    authn = assertion.authn_statement[0] if assertion.authn_statement else None
    name_id_format = str(response.name_id.format or "")
    return Assertion(
        claims=_claims(response.ava or {}, name_id, name_id_format),
        assertion_id=str(assertion.id),
        expires_at=datetime.datetime.fromtimestamp(expiry + CLOCK_LEEWAY_SECONDS, datetime.UTC),
        name_id=name_id,
        name_id_format=name_id_format,
        session_index=str(getattr(authn, "session_index", "") or ""),
    )


def logout_request(
    sp: ServiceProvider, *, name_id: str, name_id_format: str, session_index: str
) -> tuple[str, str]:
    """The provider's single logout URL with a signed LogoutRequest for this sign-in, and the
    request's id (the provider's LogoutResponse must answer it); ("", "") when its metadata
    names no single logout service."""
    metadata = idp_metadata_read(sp.idp_metadata)
    if not metadata.slo_url:
        return "", ""
    with _client(sp) as client:
        request_id, request = client.create_logout_request(
            metadata.slo_url,
            metadata.entity_id,
            name_id=NameID(text=name_id, format=name_id_format or None),
            session_indexes=[session_index] if session_index else None,
            sign=False,
        )
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            metadata.slo_url,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
    return str(dict(info["headers"])["Location"]), str(request_id)


class LogoutRefused(Exception):
    """A logout message Tandem will not act on; the message is safe to show."""


@dataclass(frozen=True)
class LogoutRequestReceived:
    """An identity provider's LogoutRequest that passed every check: whom it signs out."""

    message: Any  # pysaml2's samlp.LogoutRequest, kept to answer it
    binding: str
    relay_state: str
    name_id: str
    session_indexes: tuple[str, ...]


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for the browser to carry to the identity provider: a redirect to `url`, or
    (`fields` not empty) a form POSTed to it."""

    url: str
    fields: dict[str, str]


def _signed_by_sender(sigalg: str, signature: str, binding: str, xml_message: str) -> None:
    """Refuse a message carrying no signature, or one weaker than SHA-256 (the signature
    itself is checked by pysaml2 or, for a redirected response, by the caller)."""
    if binding == BINDING_HTTP_REDIRECT:
        if not sigalg or not signature:
            raise LogoutRefused("The identity provider's logout message is not signed.")
        if sigalg not in ACCEPTED_ALGORITHMS:
            raise LogoutRefused(f"The identity provider signed with a weak algorithm ({sigalg}).")
        return
    try:
        weak = _algorithms_refused(xml_message)
    except SignInRefused as error:
        raise LogoutRefused("The identity provider's logout message is not SAML.") from error
    if weak:
        raise LogoutRefused(f"The identity provider signed with a weak algorithm ({weak}).")


def _from_the_provider(sp: ServiceProvider, message: Any) -> None:
    """The checks pysaml2 leaves optional: the issuer, the destination, NotOnOrAfter."""
    metadata = idp_metadata_read(sp.idp_metadata)
    issuer = str(message.issuer.text or "").strip() if message.issuer is not None else ""
    if issuer != metadata.entity_id:
        raise LogoutRefused("The logout message comes from another identity provider.")
    if message.destination != sp.slo_url:
        raise LogoutRefused("The logout message is addressed to another service provider.")
    not_on_or_after = getattr(message, "not_on_or_after", None)
    if not_on_or_after and calendar.timegm(str_to_time(not_on_or_after)) + CLOCK_LEEWAY_SECONDS < (
        datetime.datetime.now(datetime.UTC).timestamp()
    ):
        raise LogoutRefused("The logout message has expired.")


def logout_request_verified(
    sp: ServiceProvider,
    *,
    binding: str,
    saml_request: str,
    relay_state: str = "",
    sigalg: str = "",
    signature: str = "",
) -> LogoutRequestReceived:
    """Check an identity provider's LogoutRequest (HTTP-Redirect: the query's signature;
    HTTP-POST: the enveloped one) and say whom it signs out. LogoutRefused for anything else."""
    _signed_by_sender(sigalg, signature, binding, saml_request)
    with _client(sp) as client:
        request = LogoutRequest(
            client.sec,
            [sp.slo_url],
            client.config.attribute_converters,
            timeslack=CLOCK_LEEWAY_SECONDS,
        )
        try:
            xml = client.unravel(saml_request, binding, LogoutRequest.msgtype)
            # must=True: pysaml2 asks an SP's requests for a signature only when configured as
            # an IdP would be.
            request = request.loads(
                xml,
                binding,
                origdoc=saml_request,
                must=True,
                relay_state=relay_state or None,
                sigalg=sigalg or None,
                signature=signature or None,
            )
        except Exception as error:  # pysaml2 raises plain Exception too
            raise LogoutRefused(
                "The identity provider's logout message is not signed as required."
            ) from error
    message = request.message
    # Tandem's own checks first: pysaml2's verify() says only "Not destined for me!".
    _from_the_provider(sp, message)
    try:
        valid = request.verify()
    except Exception as error:  # version or destination
        raise LogoutRefused("The logout message is not valid SAML 2.0 for Tandem.") from error
    if not valid:
        raise LogoutRefused("The logout message is outside its validity window.")
    name_id = str(message.name_id.text or "").strip() if message.name_id is not None else ""
    if not name_id:
        raise LogoutRefused("The logout message names nobody.")
    return LogoutRequestReceived(
        message=message,
        binding=binding,
        relay_state=relay_state,
        name_id=name_id,
        session_indexes=tuple(
            str(index.text).strip() for index in message.session_index or [] if index.text
        ),
    )


def logout_response(
    sp: ServiceProvider, received: LogoutRequestReceived, *, signed_out: bool
) -> OutgoingMessage:
    """Tandem's signed LogoutResponse to the provider's request, by the binding it came with
    when the provider's metadata offers it for the answer, else by the other."""
    status = (
        None
        if signed_out
        else status_message_factory("Nobody is signed in with that name", STATUS_UNKNOWN_PRINCIPAL)
    )
    redirected = received.binding == BINDING_HTTP_REDIRECT
    other = BINDING_HTTP_POST if redirected else BINDING_HTTP_REDIRECT
    with _client(sp) as client:
        for binding in (received.binding, other):
            try:
                answer = client.response_args(received.message, [binding])
            except SAMLError:
                continue
            if answer.get("binding") != binding or not answer.get("destination"):
                continue
            response = client.create_logout_response(
                received.message,
                bindings=[binding],
                status=status,
                sign=binding == BINDING_HTTP_POST,
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
            )
            destination = str(answer["destination"])
            if binding == BINDING_HTTP_POST:
                fields = {"SAMLResponse": base64.b64encode(str(response).encode()).decode()}
                if received.relay_state:
                    fields["RelayState"] = received.relay_state
                return OutgoingMessage(url=destination, fields=fields)
            info = client.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                destination,
                received.relay_state,
                response=True,
                sign=True,
                sigalg=SIG_RSA_SHA256,
            )
            return OutgoingMessage(url=str(dict(info["headers"])["Location"]), fields={})
    raise LogoutRefused("The identity provider's metadata names nowhere to send the answer.")


def logout_response_verified(
    sp: ServiceProvider,
    *,
    binding: str,
    saml_response: str,
    relay_state: str = "",
    sigalg: str = "",
    signature: str = "",
) -> str:
    """Check the provider's LogoutResponse to Tandem's LogoutRequest: signed by the provider,
    from its entity id, to Tandem's single logout URL, in its window, successful. Returns the
    id of the request it answers; LogoutRefused for anything else."""
    _signed_by_sender(sigalg, signature, binding, saml_response)
    metadata = idp_metadata_read(sp.idp_metadata)
    with _client(sp) as client:
        try:
            response = client.parse_logout_request_response(saml_response, binding)
            if response is None:
                raise LogoutRefused("The identity provider's answer is not a LogoutResponse.")
            if binding == BINDING_HTTP_REDIRECT:
                query = {"SAMLResponse": saml_response, "SigAlg": sigalg, "Signature": signature}
                if relay_state:
                    query["RelayState"] = relay_state
                certificates = client.metadata.certs(metadata.entity_id, "idpsso", "signing")
                signed = any(
                    verify_redirect_signature(query, client.sec.sec_backend, certificate)
                    for _name, certificate in certificates
                )
            else:
                # pysaml2 verified the signature that is there; it must be there.
                signed = response.response.signature is not None
            valid = response.verify()
        except LogoutRefused:
            raise
        except Exception as error:  # pysaml2 raises plain Exception too
            raise LogoutRefused(
                f"The identity provider's logout answer was refused ({type(error).__name__})."
            ) from error
    if not signed:
        raise LogoutRefused("The identity provider's logout answer is not signed as required.")
    if not valid:
        raise LogoutRefused("The identity provider's logout answer is not valid.")
    _from_the_provider(sp, response.response)
    return str(response.in_response_to or "")
