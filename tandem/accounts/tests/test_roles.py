import pytest

from tandem.accounts import services
from tandem.accounts.models import Role
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
