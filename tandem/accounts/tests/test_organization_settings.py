"""The organisation's settings: the minimum group of managers' aggregates, org admins only,
never below the aggregate rule's floor (3), on the page and through the API alike."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.accounts.models import Organization
from tandem.accounts.selectors import aggregate_min_group
from tandem.accounts.services import MAX_AGGREGATE_MIN_GROUP

DB = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SETTINGS = "organization/settings"


def _stored(org: Organization) -> int:
    return Organization.objects.values_list("aggregate_min_group_size", flat=True).get(pk=org.pk)


def test_a_new_organisation_shows_groups_of_five(cast):
    assert _stored(cast.org) == 5
    assert aggregate_min_group(Organization.objects.get(pk=cast.org.pk)) == 5


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_the_organisations_admin_reads_and_changes_it(cast, api_as, actor_name):
    # given
    actor = cast.by_name(actor_name)
    client = api_as(actor)
    # when
    read = client.get(SETTINGS)
    write = client.patch(SETTINGS, {"aggregate_min_group_size": 7})
    # then
    expected = {"anonymous": 401, "admin": 200, "outsider": 200}.get(actor_name, 403)
    assert (read.status_code, write.status_code) == (expected, expected)
    if actor_name == "admin":
        assert write.json() == {
            "id": cast.org.pk,
            "name": "Northwind",
            "aggregate_min_group_size": 7,
        }
        assert _stored(cast.org) == 7
    else:
        assert _stored(cast.org) == 5
    if actor_name == "outsider":  # their own organisation, not Northwind
        assert read.json()["id"] == cast.other_org.pk
        assert _stored(cast.other_org) == 7


@DB
@given(size=st.integers(0, 2**15 - 1))
def test_every_value_from_3_to_the_maximum_is_kept_and_the_rest_refused(cast, api_as, size):
    # given
    Organization.objects.filter(pk=cast.org.pk).update(aggregate_min_group_size=5)
    # when
    response = api_as(cast.admin).patch(SETTINGS, {"aggregate_min_group_size": size})
    # then
    if 3 <= size <= MAX_AGGREGATE_MIN_GROUP:
        assert response.status_code == 200
        assert _stored(cast.org) == size
    else:
        assert response.status_code == 400
        body = response.json()
        assert [error["field"] for error in body["errors"]] == ["aggregate_min_group_size"]
        assert f"(got {size})" in body["errors"][0]["message"]
        assert _stored(cast.org) == 5


@pytest.mark.parametrize("value", [-1, 2**15, "five", None, True])
def test_a_malformed_value_is_a_422_naming_the_field(cast, api_as, value):
    response = api_as(cast.admin).patch(SETTINGS, {"aggregate_min_group_size": value})
    assert response.status_code == 422
    assert "aggregate_min_group_size" in response.json()["errors"][0]["field"]
    assert _stored(cast.org) == 5


@pytest.mark.parametrize("size", [0, 1, 2])
def test_the_database_refuses_a_group_below_three(cast, size):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=cast.org.pk).update(aggregate_min_group_size=size)
    assert _stored(cast.org) == 5


def test_the_settings_page_saves_a_value(cast, client):
    # given
    client.force_login(cast.admin)
    url = reverse("accounts:organization_settings")
    # when
    page = client.get(url)
    response = client.post(url, {"aggregate_min_group_size": "6"})
    # then
    assert page.status_code == 200
    assert page.context["form"]["aggregate_min_group_size"].value() == 5
    assert response.status_code == 302
    assert _stored(cast.org) == 6


@pytest.mark.parametrize("value", ["2", "0", "101", "", "three"])
def test_the_settings_page_shows_the_error_on_the_field(cast, client, value):
    # given
    client.force_login(cast.admin)
    # when
    response = client.post(
        reverse("accounts:organization_settings"), {"aggregate_min_group_size": value}
    )
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["aggregate_min_group_size"]
    if value in ("2", "0", "101"):
        assert f"(got {value})" in errors["aggregate_min_group_size"][0]
        assert 'id="id_aggregate_min_group_size_error"' in response.content.decode()
    assert _stored(cast.org) == 5


@pytest.mark.parametrize("actor_name", ["mentee", "mentor", "member", "manager"])
def test_the_settings_page_is_not_there_for_anyone_but_admins(cast, client, actor_name):
    client.force_login(cast.by_name(actor_name))
    url = reverse("accounts:organization_settings")
    assert client.get(url).status_code == 404
    assert client.post(url, {"aggregate_min_group_size": "3"}).status_code == 404
    assert _stored(cast.org) == 5
