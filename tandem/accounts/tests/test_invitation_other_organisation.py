"""Inviting an address that has an account in another organisation looks, to the inviting
admin, exactly like inviting a new address, on every surface; only the invitee is told.

Matrix: same-organisation account / other-organisation account / new address x the service,
the API and the members page.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from tandem.accounts import services
from tandem.accounts.models import Invitation, InvitationStatus, Role, User
from tandem.core.errors import DomainError

NEW = "new.person@elsewhere.test"
SURFACES = ["service", "api", "page"]


def _normalise(text: str, email: str) -> str:
    text = text.replace(email, "EMAIL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
    text = re.sub(r"/accounts/invitations/[^/\s]+/", "/accounts/invitations/LINK/", text)
    text = re.sub(r'"id": \d+', '"id": ID', text)
    return re.sub(r'"created_at": "[^"]+"', '"created_at": TIME', text)


def _invite(surface, cast, api_as, email, capture):
    mail.outbox.clear()
    with capture(execute=True):
        if surface == "service":
            try:
                invitation = services.invitation_create(
                    actor=cast.admin, email=email, role=Role.MEMBER, base_url="http://testserver/"
                )
            except DomainError as error:
                answer: object = (error.status, error.detail)
            else:
                answer = (invitation.email == email, invitation.status, invitation.role)
        elif surface == "api":
            response = api_as(cast.admin).post("invitations", {"email": email, "role": "member"})
            answer = (response.status_code, _normalise(response.content.decode(), email))
        else:
            client = Client()
            client.force_login(cast.admin)
            response = client.post(reverse("accounts:members"), {"email": email, "role": "member"})
            notes = [str(message) for message in get_messages(response.wsgi_request)]
            page = client.get(reverse("accounts:members"))
            answer = (
                response.status_code,
                response.get("Location"),
                _normalise(response.content.decode(), email),
                [_normalise(note, email) for note in notes],
                _normalise(page.content.decode(), email),
            )
    emails = [
        (message.to == [email], message.subject, _normalise(message.body, email))
        for message in mail.outbox
    ]
    invitations = list(
        Invitation.objects.filter(email=email).values_list("organization_id", "status", "role")
    )
    # Withdrawn from the database so the next address meets the same members page.
    Invitation.objects.filter(email=email).delete()
    return answer, emails, invitations


@pytest.mark.parametrize("surface", SURFACES)
def test_an_other_organisation_address_is_invited_like_a_new_one(
    cast, api_as, surface, django_capture_on_commit_callbacks
):
    # given
    foreign = cast.outsider.email
    outsider_before = User.objects.filter(pk=cast.outsider.pk).values().get()
    # when
    other = _invite(surface, cast, api_as, foreign, django_capture_on_commit_callbacks)
    new = _invite(surface, cast, api_as, NEW, django_capture_on_commit_callbacks)
    # then the admin sees the same answer, the same pending invitation, the same email
    assert other == new
    assert other[2] == [(cast.org.pk, InvitationStatus.PENDING, Role.MEMBER)]
    assert len(other[1]) == 1
    assert "Globex" not in repr(other)
    # and the other organisation's account is untouched
    assert User.objects.filter(pk=cast.outsider.pk).values().get() == outsider_before


@pytest.mark.parametrize("surface", SURFACES)
def test_an_own_member_is_refused_and_nothing_changes(
    cast, api_as, surface, django_capture_on_commit_callbacks
):
    # given
    email = cast.member.email
    # when
    answer, emails, invitations = _invite(
        surface, cast, api_as, email, django_capture_on_commit_callbacks
    )
    # then
    assert emails == []
    assert invitations == []
    if surface == "api":
        assert answer[0] == 409
        assert "already a member of your organisation" in answer[1]
    elif surface == "page":
        assert answer[0] == 400
        assert "already a member of your organisation" in answer[2]
    else:
        assert answer == (409, "member@northwind.test is already a member of your organisation.")


def test_the_invitee_with_an_account_elsewhere_is_told_and_nothing_changes(
    cast, client, django_capture_on_commit_callbacks
):
    # given an invitation to an address that has an account in another organisation
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=cast.admin,
            email=cast.outsider.email.upper(),
            role=Role.MEMBER,
            base_url="http://testserver/",
        )
    link = re.search(r"http://testserver(/accounts/invitations/\S+/)", mail.outbox[0].body)
    outsider_before = User.objects.filter(pk=cast.outsider.pk).values().get()
    users_before = User.objects.count()
    # when its owner opens it, and tries to accept anyway
    page = client.get(link.group(1))
    posted = client.post(
        link.group(1), {"first_name": "A", "last_name": "B", "password": "a-long-new-secret"}
    )
    # then they are told why, and nothing changed
    for response in (page, posted):
        assert response.status_code == 400
        assert "already has a Tandem account" in response.content.decode()
    assert User.objects.filter(pk=cast.outsider.pk).values().get() == outsider_before
    assert User.objects.count() == users_before
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
