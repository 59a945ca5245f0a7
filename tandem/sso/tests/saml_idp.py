"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (`saml2.server.Server`),
signing with Debian's xmlsec1 program, with a key pair generated here. It reads Tandem's
AuthnRequest from the redirect and answers with a response the browser would POST back."""

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
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

    def _server(self) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": IDP_ENTITY_ID,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": list(self.sp_metadata)},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(IDP_SSO_URL, BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(IDP_SLO_URL, BINDING_HTTP_REDIRECT)],
                        },
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

    def authn_request_id(self, redirect_url: str) -> str:
        """The id of the AuthnRequest Tandem sent by the HTTP-Redirect binding."""
        query = parse_qs(urlparse(redirect_url).query)
        request = self._server().parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        return str(request.message.id)

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
        query = parse_qs(urlparse(redirect_url).query)
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
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
def identity_provider() -> Iterator[IdentityProviderUnderTest]:
    with tempfile.TemporaryDirectory(prefix="tandem-test-idp-") as directory:
        key, certificate = key_pair("Northwind test IdP")
        key_file = os.path.join(directory, "idp.key")
        cert_file = os.path.join(directory, "idp.crt")
        with open(key_file, "w") as handle:
            handle.write(key)
        with open(cert_file, "w") as handle:
            handle.write(certificate)
        yield IdentityProviderUnderTest(directory=directory, key_file=key_file, cert_file=cert_file)


def tampered(saml_response: str, old: str, new: str) -> str:
    """The response with `old` replaced by `new` after the identity provider signed it."""
    xml = base64.b64decode(saml_response).decode()
    assert old in xml, old
    return base64.b64encode(xml.replace(old, new).encode()).decode()
