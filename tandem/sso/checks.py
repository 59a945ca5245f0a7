"""`manage.py check --deploy` fails when SAML single sign-on could not verify a response:
pysaml2 verifies signatures and decrypts assertions with Debian's xmlsec1 program."""

import shutil
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def xmlsec1_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if shutil.which("xmlsec1") is None:
        return [
            Error(
                "The xmlsec1 program is not installed: SAML sign-ins would all be refused.",
                hint="apt-get install xmlsec1 (make xmlsec1).",
                id="tandem.sso.E001",
            )
        ]
    return []
