"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (`saml2.server.Server`),
signing with Debian's xmlsec1 program, with a key pair generated here. It requires signed
requests (`want_authn_requests_signed`), reads Tandem's AuthnRequest from the redirect and
answers with a response the browser would POST back; for single logout it sends its own
LogoutRequest (Redirect or POST) and answers Tandem's."""

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.time_util import in_a_while
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tandem.sso.saml import key_pair

IDP_ENTITY_ID = "https://idp.northwind.test/saml/metadata"
IDP_SSO_URL = "https://idp.northwind.test/saml/sso"
IDP_SLO_URL = "https://idp.northwind.test/saml/slo"


@dataclass
class IdentityProviderUnderTest:
    directory: str
    key_file: str
    cert_file: str
    sp_metadata: list[str] = field(default_factory=list)
    lifetime_minutes: int = 15
    entity_id: str = IDP_ENTITY_ID

    def _server(self) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": list(self.sp_metadata)},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(IDP_SSO_URL, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [
                                (IDP_SLO_URL, BINDING_HTTP_REDIRECT),
                                (IDP_SLO_URL, BINDING_HTTP_POST),
                            ],
                        },
                        # Tandem's AuthnRequests and LogoutRequests must carry a valid signature.
                        "want_authn_requests_signed": True,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    }
                },
            }
        )
        return Server(config=config)

    def metadata(self) -> str:
        """The identity provider's metadata, as an admin would upload it."""
        return str(entity_descriptor(self._server().config))

    def trust(self, sp_metadata: str) -> None:
        """Register a service provider (its metadata) with the identity provider."""
        self.sp_metadata.append(sp_metadata)

    def _authn_request(self, server: Server, redirect_url: str) -> Any:
        # Refused (IncorrectlySigned) unless Tandem signed the request.
        query = {k: v[0] for k, v in parse_qs(urlparse(redirect_url).query).items()}
        return server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def authn_request_id(self, redirect_url: str) -> str:
        """The id of the AuthnRequest Tandem sent by the HTTP-Redirect binding."""
        return str(self._authn_request(self._server(), redirect_url).message.id)

    def logout_request(
        self,
        *,
        destination: str,
        sp_entity_id: str,
        subject: str,
        session_indexes: list[str] | None = None,
        binding: str = BINDING_HTTP_REDIRECT,
        sign: bool = True,
        expires_in_minutes: int = 5,
        sign_alg: str = SIG_RSA_SHA256,
        digest_alg: str = DIGEST_SHA256,
    ) -> dict[str, str]:
        """The identity provider's own LogoutRequest for `subject`, as the browser would carry
        it to Tandem: the query (Redirect) or the form fields (POST)."""
        server = self._server()
        _request_id, request = server.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            session_indexes=session_indexes,
            expire=in_a_while(minutes=expires_in_minutes),
            sign=sign and binding == BINDING_HTTP_POST,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
        )
        if binding == BINDING_HTTP_POST:
            return {"SAMLRequest": base64.b64encode(str(request).encode()).decode()}
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            destination,
            relay_state="idp-state",
            sign=sign,
            sigalg=sign_alg,
        )
        location = dict(info["headers"])["Location"]
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def received_logout_request(self, redirect_url: str) -> Any:
        """Tandem's LogoutRequest, as the identity provider reads it (signature required)."""
        query = {k: v[0] for k, v in parse_qs(urlparse(redirect_url).query).items()}
        return self._server().parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def logout_response(
        self, redirect_url: str, *, binding: str = BINDING_HTTP_REDIRECT, sign: bool = True
    ) -> dict[str, str]:
        """The identity provider's LogoutResponse to Tandem's LogoutRequest: the query
        (Redirect) or the form fields (POST)."""
        server = self._server()
        request = self.received_logout_request(redirect_url).message
        response = server.create_logout_response(
            request,
            bindings=[binding],
            sign=sign and binding == BINDING_HTTP_POST,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        destination = server.response_args(request, [binding])["destination"]
        if binding == BINDING_HTTP_POST:
            return {"SAMLResponse": base64.b64encode(str(response).encode()).decode()}
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            response=True,
            sign=sign,
            sigalg=SIG_RSA_SHA256,
        )
        location = dict(info["headers"])["Location"]
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def respond(
        self,
        *,
        redirect_url: str,
        subject: str,
        attributes: dict[str, Any],
        sign: bool = True,
        encrypt: bool = False,
        audience: str = "",
        sign_alg: str = SIG_RSA_SHA256,
        digest_alg: str = DIGEST_SHA256,
    ) -> str:
        """The SAMLResponse (base64, as the HTTP-POST binding carries it) to Tandem's request."""
        server = self._server()
        message = self._authn_request(server, redirect_url).message
        sp_entity_id = audience or message.issuer.text
        response = server.create_authn_response(
            identity={
                name: value if isinstance(value, list) else [value]
                for name, value in attributes.items()
            },
            in_response_to=message.id,
            destination=message.assertion_consumer_service_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=sign,
            sign_assertion=sign,
            encrypt_assertion=encrypt,
            encrypt_cert_assertion=self._sp_certificate(sp_entity_id) if encrypt else None,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
        )
        return base64.b64encode(str(response).encode()).decode()

    def _sp_certificate(self, sp_entity_id: str) -> str:
        certificates = self._server().metadata.certs(sp_entity_id, "spsso", "encryption")
        return str(certificates[0][1])


@contextmanager
def identity_provider(entity_id: str = IDP_ENTITY_ID) -> Iterator[IdentityProviderUnderTest]:
    with tempfile.TemporaryDirectory(prefix="tandem-test-idp-") as directory:
        key, certificate = key_pair(f"Test IdP {entity_id}")
        key_file = os.path.join(directory, "idp.key")
        cert_file = os.path.join(directory, "idp.crt")
        with open(key_file, "w") as handle:
            handle.write(key)
        with open(cert_file, "w") as handle:
            handle.write(certificate)
        yield IdentityProviderUnderTest(
            directory=directory, key_file=key_file, cert_file=cert_file, entity_id=entity_id
        )


def tampered(saml_response: str, old: str, new: str) -> str:
    """The response with `old` replaced by `new` after the identity provider signed it."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml, old
    return base64.b64encode(xml.replace(old, new).encode()).decode()
