"""The organisation admin's SCIM token page and the create_scim_token command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES, Cast
from tandem.audit.models import AuditEntry
from tandem.provisioning.models import ScimToken
from tandem.provisioning.services import scim_token_authenticate, scim_token_create

PAGE = "/provisioning/scim-tokens/"


def _client(cast: Cast, name: str) -> Client:
    client = Client()
    user = cast.by_name(name)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_sees_the_page(cast: Cast, name: str) -> None:
    # given a token of Northwind
    scim_token_create(actor=cast.admin, organization=cast.org, name="Northwind Okta")

    # when each actor opens the page
    response = _client(cast, name).get(PAGE)

    # then Northwind's admin sees it; Globex's admin sees Globex's (without Northwind's
    # token); everyone else is refused
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif name == "admin":
        assert response.status_code == 200
        assert "Northwind Okta" in response.content.decode()
        assert "http://testserver/scim/v2/northwind" in response.content.decode()
    elif name == "outsider":
        assert response.status_code == 200
        assert "Northwind Okta" not in response.content.decode()
        assert "http://testserver/scim/v2/globex" in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_creates_and_revokes(cast: Cast, name: str) -> None:
    # given a token of Northwind
    token, _ = scim_token_create(actor=cast.admin, organization=cast.org, name="Okta")
    client = _client(cast, name)

    # when each actor tries to create one and revoke Northwind's
    created = client.post(PAGE, {"name": "Entra ID"})
    revoked = client.post(f"{PAGE}{token.pk}/revoke/")

    # then only Northwind's admin changes Northwind's tokens
    token.refresh_from_db()
    northwind_names = set(
        ScimToken.objects.filter(organization=cast.org).values_list("name", flat=True)
    )
    if name == "admin":
        assert created.status_code == 200
        assert revoked.status_code == 302
        assert token.revoked_at is not None
        assert northwind_names == {"Okta", "Entra ID"}
    else:
        assert (
            revoked.status_code in (302, 404) if name == "anonymous" else revoked.status_code == 404
        )
        assert token.revoked_at is None
        assert northwind_names == {"Okta"}


def test_a_new_token_is_shown_once_and_works(cast: Cast) -> None:
    client = _client(cast, "admin")

    response = client.post(PAGE, {"name": "Okta"})

    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    secret = page.split('<code class="user-select-all">')[1].split("</code>")[0]
    assert secret.startswith("tdm_scim_")
    assert scim_token_authenticate(raw_token=secret, organization_slug="northwind") is not None
    row = ScimToken.objects.get()
    assert row.digest != secret
    assert secret not in client.get(PAGE).content.decode()
    assert row.prefix in client.get(PAGE).content.decode()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(cast: Cast, name: str) -> None:
    response = _client(cast, "admin").post(PAGE, {"name": name})

    assert response.status_code == 400
    assert not ScimToken.objects.exists()


def test_the_page_lists_last_use_and_revocation(cast: Cast) -> None:
    _, raw = scim_token_create(actor=cast.admin, organization=cast.org, name="Used")
    scim_token_authenticate(raw_token=raw, organization_slug="northwind")
    revoked, _ = scim_token_create(actor=cast.admin, organization=cast.org, name="Gone")
    _client(cast, "admin").post(f"{PAGE}{revoked.pk}/revoke/")

    page = _client(cast, "admin").get(PAGE).content.decode()

    # the used token shows when; the revoked one (never used) says so
    assert page.count("Never") == 1
    assert page.count("Revoked ") == 1
    assert page.count("Active") == 1
    assert scim_token_authenticate(raw_token=raw, organization_slug="globex") is None


def test_the_command_prints_a_working_token(cast: Cast) -> None:
    out = StringIO()

    call_command("create_scim_token", "northwind", "--name", "Okta", stdout=out)

    raw = out.getvalue().strip()
    actor = scim_token_authenticate(raw_token=raw, organization_slug="northwind")
    assert actor is not None
    assert actor.organization_id == cast.org.pk
    assert ScimToken.objects.get().created_by is None


def test_the_command_names_an_unknown_organisation(cast: Cast) -> None:
    with pytest.raises(CommandError, match="nowhere"):
        call_command("create_scim_token", "nowhere")
    assert not ScimToken.objects.exists()


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_scim_configuration_is_in_the_audit_trail(cast: Cast, name: str) -> None:
    # given a token of Northwind made by its admin
    token, raw = scim_token_create(actor=cast.admin, organization=cast.org, name="Okta")
    client = _client(cast, name)
    # when each actor tries to create one and revoke Northwind's
    client.post(PAGE, {"name": "Entra ID"})
    client.post(f"{PAGE}{token.pk}/revoke/")
    # then the trail holds who made and revoked which token in Northwind, never the secret
    entries = list(AuditEntry.objects.filter(event__startswith="scimtoken.").order_by("pk"))
    # (the first token was made outside a request: no actor is known to the trail)
    expected = [("scimtoken.created", None, cast.org.pk)]
    if name == "admin":
        expected += [
            ("scimtoken.created", cast.admin.pk, cast.org.pk),
            ("scimtoken.changed", cast.admin.pk, cast.org.pk),
        ]
    if name == "outsider":  # an admin of Globex makes a token of Globex, nothing of Northwind
        expected += [("scimtoken.created", cast.outsider.pk, cast.outsider.organization_id)]
    assert [(e.event, e.actor_id, e.organization_id) for e in entries] == expected
    for entry in entries:
        assert raw not in f"{entry.changes} {entry.changes_text} {entry.object_repr}"
        assert token.digest not in f"{entry.changes} {entry.changes_text}"
