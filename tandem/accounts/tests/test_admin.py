"""The Django admin's change form for a person goes through the services: role and sign-in
changes keep the organisation's rules (it keeps an active admin), and the organisation is not
editable at all. A refused change saves nothing, not even the other fields posted with it."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tandem.accounts import services
from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import UserFactory


def _staff(cast, kind: str) -> User:
    if kind == "superuser":
        return User.objects.create_superuser("ops@tandem.test", "a long pass phrase 42")
    # An organisation admin who was also given the Django admin.
    User.objects.filter(pk=cast.admin.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=cast.admin.pk)


def _row(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.first_name,
        user.last_name,
        user.role,
        user.is_active,
        user.organization_id,
    )


def _post(client, person: User, **changes) -> object:
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "role": person.role,
        "organization": person.organization_id or "",
        "is_active": "on" if person.is_active else "",
        "is_staff": "on" if person.is_staff else "",
        "is_superuser": "on" if person.is_superuser else "",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value != ""}
    return client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)


STAFF = ["superuser", "org_admin_staff"]


@pytest.mark.parametrize("staff", STAFF)
@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.MEMBER},
        {"role": Role.PROGRAM_MANAGER},
        {"is_active": ""},
        {"role": Role.MEMBER, "is_active": ""},
    ],
    ids=["demote", "to-manager", "deactivate", "demote-and-deactivate"],
)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated_from_the_admin(
    client, cast, staff, change
):
    # given the organisation's only admin, and staff signed in to the Django admin
    actor = _staff(cast, staff)
    client.force_login(actor)
    if staff == "org_admin_staff":
        # the admin edits a second admin, who is then the only other one: make the actor
        # step aside so the edited person is the last active admin
        target = UserFactory(organization=cast.org, role=Role.ORG_ADMIN)
        services.user_set_role(actor=target, user=actor, role=Role.MEMBER)
        actor.refresh_from_db()
        client.force_login(actor)
    else:
        target = cast.admin
    before = _row(target)
    logged = LogEntry.objects.count()
    # when they post the change together with a new first name
    response = _post(client, target, first_name="Renamed", **change)
    # then they are sent back to the form with the refusal, and nothing at all changed
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[target.pk])
    page = client.get(response["Location"])
    assert "The organisation must keep at least one active organisation admin." in (
        page.content.decode()
    )
    assert "was changed successfully" not in page.content.decode()
    assert _row(target) == before
    assert LogEntry.objects.count() == logged


@pytest.mark.parametrize("staff", STAFF)
@pytest.mark.parametrize(
    ("start_role", "change", "expected_role", "expected_active"),
    [
        (Role.MEMBER, {"role": Role.ORG_ADMIN}, Role.ORG_ADMIN, True),
        (Role.MEMBER, {"role": Role.PROGRAM_MANAGER}, Role.PROGRAM_MANAGER, True),
        (Role.ORG_ADMIN, {"role": Role.MEMBER}, Role.MEMBER, True),
        (Role.ORG_ADMIN, {"is_active": ""}, Role.ORG_ADMIN, False),
        (Role.MEMBER, {"is_active": ""}, Role.MEMBER, False),
        (Role.MEMBER, {}, Role.MEMBER, True),
    ],
)
def test_a_change_the_rules_allow_is_saved_through_the_services(
    client, cast, staff, start_role, change, expected_role, expected_active
):
    # given a person (an organisation that keeps another active admin), staff signed in
    actor = _staff(cast, staff)
    client.force_login(actor)
    target = UserFactory(organization=cast.org, role=start_role)
    # when staff post the change with a new name
    response = _post(client, target, first_name="Renamed", **change)
    # then it is saved, name and all
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_changelist")
    assert _row(target) == (
        "Renamed",
        target.last_name,
        expected_role,
        expected_active,
        cast.org.pk,
    )


@pytest.mark.parametrize("staff", STAFF)
def test_the_organisation_cannot_be_changed_from_the_admin(client, cast, staff):
    # given a member of Northwind, staff signed in
    actor = _staff(cast, staff)
    client.force_login(actor)
    before = _row(cast.member)
    # when staff post the member into Globex
    response = _post(client, cast.member, organization=cast.other_org.pk)
    # then the organisation is not a field of the form: the member stays in Northwind
    assert response.status_code == 302
    assert _row(cast.member) == before
    page = client.get(reverse("admin:accounts_user_change", args=[cast.member.pk]))
    assert 'name="organization"' not in page.content.decode()
