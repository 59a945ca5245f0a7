import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from tandem.accounts import services
from tandem.accounts.models import Invitation, InvitationStatus, Role, User
from tandem.core.errors import Conflict, Forbidden, InvalidInput


def _link_from(message) -> str:
    return re.search(r"http://testserver(/accounts/invitations/\S+/)", message.body).group(1)


def test_admin_invites_and_invitee_joins_with_the_role(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=cast.admin,
            email="New.Person@Northwind.test",
            role=Role.PROGRAM_MANAGER,
            base_url="http://testserver/",
        )
    assert len(mail.outbox) == 1
    link = _link_from(mail.outbox[0])
    # when
    page = client.get(link)
    response = client.post(
        link, {"first_name": "New", "last_name": "Person", "password": "a-long-new-secret"}
    )
    # then
    assert page.status_code == 200
    assert "programme manager" in page.content.decode()
    assert response.status_code == 302
    user = User.objects.get(email="new.person@northwind.test")
    assert (user.organization, user.role, user.full_name) == (
        cast.org,
        Role.PROGRAM_MANAGER,
        "New Person",
    )
    assert user.check_password("a-long-new-secret")
    invitation = Invitation.objects.get(email="new.person@northwind.test")
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == user
    # and the link works only once
    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_expired_invitation_is_refused(cast, settings):
    invitation = services.invitation_create(
        actor=cast.admin, email="late@northwind.test", role=Role.MEMBER, base_url="http://t/"
    )
    token = services.invitation_token(invitation)
    settings.INVITATION_MAX_AGE_SECONDS = -1
    with pytest.raises(InvalidInput, match="expired"):
        services.invitation_from_token(token)


def test_tampered_invitation_is_refused(cast):
    forged = signing.dumps(12345, salt="something-else")
    with pytest.raises(InvalidInput, match="not valid"):
        services.invitation_from_token(forged)


def test_reinviting_replaces_the_pending_invitation(cast):
    first = services.invitation_create(
        actor=cast.admin, email="twice@northwind.test", role=Role.MEMBER, base_url="http://t/"
    )
    second = services.invitation_create(
        actor=cast.admin, email="TWICE@northwind.test", role=Role.ORG_ADMIN, base_url="http://t/"
    )
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert second.status == InvitationStatus.PENDING
    assert second.role == Role.ORG_ADMIN
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).count() == 1


def test_only_org_admins_invite(cast):
    with pytest.raises(Forbidden):
        services.invitation_create(
            actor=cast.manager, email="x@northwind.test", role=Role.MEMBER, base_url="http://t/"
        )
    assert not Invitation.objects.exists()


def test_inviting_an_existing_account_is_a_conflict(cast):
    with pytest.raises(Conflict) as excinfo:
        services.invitation_create(
            actor=cast.admin, email="member@northwind.test", role=Role.MEMBER, base_url="http://t/"
        )
    assert excinfo.value.errors[0].field == "email"


def test_invalid_email_names_the_field(cast):
    with pytest.raises(InvalidInput) as excinfo:
        services.invitation_create(
            actor=cast.admin, email="not-an-email", role=Role.MEMBER, base_url="http://t/"
        )
    assert excinfo.value.errors[0].field == "email"


def test_weak_password_on_accept_names_the_field_and_creates_nothing(cast, client):
    invitation = services.invitation_create(
        actor=cast.admin, email="weak@northwind.test", role=Role.MEMBER, base_url="http://t/"
    )
    link = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])
    response = client.post(link, {"first_name": "W", "last_name": "P", "password": "123"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@northwind.test").exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_revoked_invitation_link_stops_working(cast, client):
    invitation = services.invitation_create(
        actor=cast.admin, email="gone@northwind.test", role=Role.MEMBER, base_url="http://t/"
    )
    services.invitation_revoke(actor=cast.admin, invitation=invitation)
    link = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])
    assert client.get(link).status_code == 400
