import pytest

from tandem.accounts import services
from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, Forbidden, NotFound


def test_admin_changes_a_role(cast):
    updated = services.user_set_role(actor=cast.admin, user=cast.member, role=Role.PROGRAM_MANAGER)
    cast.member.refresh_from_db()
    assert updated.role == cast.member.role == Role.PROGRAM_MANAGER


def test_last_admin_cannot_be_demoted(cast):
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.user_set_role(actor=cast.admin, user=cast.admin, role=Role.MEMBER)
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ORG_ADMIN


def test_manager_cannot_change_roles(cast):
    with pytest.raises(Forbidden):
        services.user_set_role(actor=cast.manager, user=cast.member, role=Role.ORG_ADMIN)
    cast.member.refresh_from_db()
    assert cast.member.role == Role.MEMBER


def test_other_organisation_admin_cannot_touch_our_people(cast):
    with pytest.raises(NotFound):
        services.user_set_role(actor=cast.outsider, user=cast.member, role=Role.ORG_ADMIN)
    cast.member.refresh_from_db()
    assert cast.member.role == Role.MEMBER


@pytest.mark.parametrize("is_active", [True, False])
def test_platform_staff_change_a_role_in_any_organisation_within_its_rules(cast, is_active):
    # given a superuser of no organisation
    staff = User.objects.create_superuser("ops@tandem.test", "a long pass phrase 42")
    # when they promote a Northwind member and deactivate or keep them
    services.user_set_role(actor=staff, user=cast.member, role=Role.ORG_ADMIN)
    services.user_set_active(actor=staff, user=cast.member, is_active=is_active)
    # then both changes hold
    cast.member.refresh_from_db()
    assert (cast.member.role, cast.member.is_active) == (Role.ORG_ADMIN, is_active)


def test_the_last_active_admin_cannot_be_deactivated_by_anyone(cast):
    # given Northwind's only admin and a superuser
    staff = User.objects.create_superuser("ops@tandem.test", "a long pass phrase 42")
    # when the superuser deactivates the admin
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.user_set_active(actor=staff, user=cast.admin, is_active=False)
    # then the admin is still active
    cast.admin.refresh_from_db()
    assert (cast.admin.role, cast.admin.is_active) == (Role.ORG_ADMIN, True)


def test_an_inactive_admin_does_not_count_as_the_one_the_organisation_keeps(cast):
    # given a second admin who is deactivated
    second = UserFactory(organization=cast.org, role=Role.ORG_ADMIN)
    services.user_set_active(actor=cast.admin, user=second, is_active=False)
    # when the active admin steps down
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.user_set_role(actor=cast.admin, user=cast.admin, role=Role.MEMBER)
    # then nothing changed
    assert list(
        User.objects.filter(organization=cast.org, role=Role.ORG_ADMIN)
        .order_by("pk")
        .values_list("pk", "is_active")
    ) == [(cast.admin.pk, True), (second.pk, False)]
