"""The deploy check standing in for "check `import xmlsec` in CI": pysaml2 calls Debian's
xmlsec1 program, so `manage.py check --deploy` fails on a machine without it."""

import shutil

from tandem.sso.checks import xmlsec1_check


def test_the_deploy_check_fails_without_xmlsec1_and_passes_with_it(monkeypatch):
    # given: this machine has the program (the SAML flow tests need it)
    assert shutil.which("xmlsec1")
    # then
    assert xmlsec1_check(None) == []
    # when: it is missing
    monkeypatch.setattr(shutil, "which", lambda name: None)
    # then
    [error] = xmlsec1_check(None)
    assert (error.id, error.is_serious()) == ("tandem.sso.E001", True)
