"""Authorization matrix for the accounts endpoints."""

import pytest

from conftest import ACTOR_NAMES
from tandem.accounts import services
from tandem.accounts.models import Invitation, InvitationStatus, Role, User
from tandem.accounts.tests.factories import UserFactory

ADMIN_ONLY_EXPECTED = {
    "anonymous": 401,
    "outsider": None,  # another org's admin: sees only their own org (checked separately)
    "member": 403,
    "mentee": 403,
    "mentor": 403,
    "other_manager": 403,
    "manager": 403,
    "admin": 200,
}


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_member_list_matrix(cast, api_as, actor):
    response = api_as(cast.by_name(actor)).get("members")
    if actor == "outsider":
        assert response.status_code == 200
        emails = [item["email"] for item in response.json()["items"]]
        assert emails == ["admin@globex.test"]
        return
    assert response.status_code == ADMIN_ONLY_EXPECTED[actor]
    if response.status_code == 200:
        emails = {item["email"] for item in response.json()["items"]}
        assert "admin@globex.test" not in emails
        assert "member@northwind.test" in emails
    else:
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_set_role_matrix(cast, api_as, actor):
    expected = {**ADMIN_ONLY_EXPECTED, "outsider": 404}[actor]
    response = api_as(cast.by_name(actor)).post(
        f"members/{cast.member.pk}/role", {"role": "org_admin"}
    )
    assert response.status_code == expected
    cast.member.refresh_from_db()
    if expected == 200:
        assert response.json()["role"] == "org_admin"
        assert cast.member.role == Role.ORG_ADMIN
    else:
        assert cast.member.role == Role.MEMBER


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_invitation_create_matrix(cast, api_as, actor, django_capture_on_commit_callbacks):
    expected = {**ADMIN_ONLY_EXPECTED, "outsider": 201, "admin": 201}[actor]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(cast.by_name(actor)).post(
            "invitations", {"email": "someone@new.test", "role": "member"}
        )
    assert response.status_code == expected
    invitations = list(Invitation.objects.values_list("organization__slug", flat=True))
    if actor == "admin":
        assert invitations == ["northwind"]
    elif actor == "outsider":
        assert invitations == ["globex"]  # into their own organisation, never ours
    else:
        assert invitations == []


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_invitation_revoke_matrix(cast, api_as, actor):
    invitation = services.invitation_create(
        actor=cast.admin, email="pending@new.test", role=Role.MEMBER, base_url="http://t/"
    )
    expected = {**ADMIN_ONLY_EXPECTED, "outsider": 404, "admin": 200}[actor]
    if actor not in {"anonymous", "outsider", "admin"}:
        expected = 403
    response = api_as(cast.by_name(actor)).post(f"invitations/{invitation.pk}/revoke")
    assert response.status_code == expected
    invitation.refresh_from_db()
    expected_status = InvitationStatus.REVOKED if expected == 200 else InvitationStatus.PENDING
    assert invitation.status == expected_status


def test_invalid_role_is_a_422_naming_the_field(cast, api_as):
    response = api_as(cast.admin).post(f"members/{cast.member.pk}/role", {"role": "emperor"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "role"
    assert response["Content-Type"] == "application/problem+json"


def test_member_list_query_budget(cast, api_as, django_assert_max_num_queries):
    UserFactory.create_batch(30, organization=cast.org)
    client = api_as(cast.admin)
    with django_assert_max_num_queries(4):
        response = client.get("members", {"limit": 100})
    assert response.json()["count"] == User.objects.filter(organization=cast.org).count()


def test_members_page_query_budget_and_admin_only(cast, client, django_assert_max_num_queries):
    UserFactory.create_batch(30, organization=cast.org)
    client.force_login(cast.manager)
    assert client.get("/accounts/members/").status_code == 404
    client.force_login(cast.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/accounts/members/")
    assert response.status_code == 200
    assert "member@northwind.test" in response.content.decode()
    assert "admin@globex.test" not in response.content.decode()


def test_invitation_list_query_budget(cast, api_as, django_assert_max_num_queries):
    for index in range(25):
        services.invitation_create(
            actor=cast.admin, email=f"new{index}@new.test", role=Role.MEMBER, base_url="http://t/"
        )
    client = api_as(cast.admin)
    with django_assert_max_num_queries(4):
        response = client.get("invitations", {"limit": 100})
    assert response.json()["count"] == 25
    assert {item["email"] for item in response.json()["items"]} == {
        f"new{index}@new.test" for index in range(25)
    }


def test_token_list_shows_only_my_tokens_within_budget(cast, api_as, django_assert_max_num_queries):
    for index in range(10):
        services.api_token_create(user=cast.member, name=f"script {index}")
    services.api_token_create(user=cast.mentor, name="not yours")
    client = api_as(cast.member)
    with django_assert_max_num_queries(3):
        response = client.get("tokens")
    names = [item["name"] for item in response.json()]
    assert len(names) == 11  # ten scripts and the client's own "tests" token
    assert "not yours" not in names
    assert all("token" not in item and "digest" not in item for item in response.json())
