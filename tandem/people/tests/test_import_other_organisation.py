"""An email with an account in another organisation is, to the importing admin, a new email.

Matrix: same-organisation account / other-organisation account / new address, on every
surface the import answers on: the service's dry run and commit, the API's dry run and
commit, the page's check and commit. Other-organisation and new must be indistinguishable;
the other organisation's account must come out untouched.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import User
from tandem.people import services
from tandem.people.api import import_out
from tandem.people.models import Profile

NEW = "new.person@elsewhere.test"
SURFACES = ["service", "api", "page"]


def _file(email: str, manager: str = "") -> bytes:
    return (
        "Email,First name,Job title,Manager email\r\n"
        f"{email},Taken,Spy,{manager}\r\n"
        f"colleague-of-{email.split('@')[0]}@northwind.test,Col,Engineer,{email}\r\n"
    ).encode()


def _normalise(text: str, email: str) -> str:
    text = text.replace(email, "EMAIL").replace(email.split("@")[0], "LOCAL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
    return re.sub(r"/people/import/\d+/commit/", "/people/import/ID/commit/", text)


def _dry_run(surface: str, cast, api_as, email: str) -> object:
    content = _file(email)
    if surface == "service":
        plan = services.people_import_preview(actor=cast.admin, content=content)
        return _normalise(repr(import_out(plan, dry_run=True)), email)
    if surface == "api":
        api = api_as(cast.admin)
        response = api.client.post(
            "/api/v1/people/imports?dry_run=true",
            data={"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
            headers=api.headers,
        )
        return response.status_code, _normalise(response.content.decode(), email)
    client = Client()
    client.force_login(cast.admin)
    response = client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
    )
    return response.status_code, _normalise(response.content.decode(), email)


def _commit(surface: str, cast, api_as, email: str) -> object:
    content = _file(email)
    if surface == "service":
        plan = services.people_import_commit(actor=cast.admin, content=content)
        return _normalise(repr(import_out(plan, dry_run=False)), email)
    if surface == "api":
        api = api_as(cast.admin)
        response = api.client.post(
            "/api/v1/people/imports?dry_run=false",
            data={"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
            headers=api.headers,
        )
        return response.status_code, _normalise(response.content.decode(), email)
    client = Client()
    client.force_login(cast.admin)
    staged = client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
    )
    commit_url = re.search(r"/people/import/\d+/commit/", staged.content.decode()).group(0)
    response = client.post(commit_url)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    return response.status_code, response["Location"], notes


def _account_state(email: str) -> list[tuple]:
    return list(
        User.objects.filter(email__iexact=email).values_list(
            "pk", "organization_id", "first_name", "last_name", "role", "password"
        )
    ) + list(
        Profile.objects.filter(user__email__iexact=email).values_list(
            "job_title", "manager_id", "updated_at"
        )
    )


@pytest.mark.parametrize("surface", SURFACES)
def test_dry_run_answers_an_other_organisation_email_as_a_new_one(cast, api_as, surface):
    # given
    foreign = cast.outsider.email
    before = _account_state(foreign)
    # when
    other_answer = _dry_run(surface, cast, api_as, foreign)
    new_answer = _dry_run(surface, cast, api_as, NEW)
    own_answer = _dry_run(surface, cast, api_as, cast.member.email)
    # then
    assert other_answer == new_answer
    assert own_answer != new_answer  # the organisation's own people are updates
    assert "globex" not in repr(other_answer).lower()
    assert _account_state(foreign) == before
    assert not User.objects.filter(email__iexact=NEW).exists()


@pytest.mark.parametrize("surface", SURFACES)
def test_commit_leaves_an_other_organisation_email_alone_and_says_so(cast, api_as, surface):
    # given
    foreign = cast.outsider.email
    before = _account_state(foreign)
    # when
    other_answer = _commit(surface, cast, api_as, foreign)
    new_answer = _commit(surface, cast, api_as, NEW)
    # then the report does not claim the row was added: it says it was not, and nothing about
    # where the address is (what the directory shows after the commit anyway)
    assert other_answer != new_answer
    assert "globex" not in repr(other_answer).lower()
    assert "Not added" in repr(other_answer)
    assert "Not added" not in repr(new_answer)
    # the other organisation's account is exactly as it was, and not added here
    assert _account_state(foreign) == before
    # the new address became a member of the organisation, with its profile
    created = User.objects.select_related("profile").get(email=NEW)
    assert created.organization_id == cast.org.pk
    assert created.first_name == "Taken"
    assert created.profile.job_title == "Spy"
    # the colleague whose manager is the foreign address was added without a manager;
    # the one whose manager is the new person has them
    foreign_colleague = User.objects.select_related("profile").get(
        email=f"colleague-of-{foreign.split('@')[0]}@northwind.test"
    )
    assert foreign_colleague.organization_id == cast.org.pk
    assert foreign_colleague.profile.manager_id is None
    new_colleague = User.objects.select_related("profile").get(
        email=f"colleague-of-{NEW.split('@')[0]}@northwind.test"
    )
    assert new_colleague.profile.manager_id == created.pk


@pytest.mark.parametrize("surface", SURFACES)
def test_a_manager_in_another_organisation_reads_as_unknown_like_a_new_address(
    cast, api_as, surface
):
    # given a row naming as manager an address that is in no file row
    def answer(manager: str) -> object:
        content = f"Email,First name,Manager email\r\nx@northwind.test,X,{manager}\r\n".encode()
        plan = services.people_import_preview(actor=cast.admin, content=content)
        return _normalise(repr(import_out(plan, dry_run=True)), manager)

    # when / then
    assert answer(cast.outsider.email) == answer(NEW)
