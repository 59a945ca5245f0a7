"""Who reaches the personal data pages and endpoints: an authorization matrix over every actor,
and query budgets on the lists. On every denial nothing is asked for."""

import pytest
from django.test import Client

from conftest import ACTOR_NAMES
from tandem.privacy.models import DataExport
from tandem.privacy.services import data_export_build, data_export_request


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def admins_export(cast, django_capture_on_commit_callbacks) -> DataExport:
    """A ready export of the mentee's data, asked for by the organisation's admin."""
    with django_capture_on_commit_callbacks(execute=True):
        export = data_export_request(actor=cast.admin, subject_id=cast.mentee.pk)
    export.refresh_from_db()
    return export


# Who may ask for the mentee's data: the mentee themselves and the organisation's admin.
MAY_EXPORT_MENTEE = {"mentee", "admin"}


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_person_data_page_matrix(cast, name):
    # given an actor
    user = cast.by_name(name)
    client = _client(user)
    # when they open and post the mentee's data page
    page = client.get(f"/people/{cast.mentee.pk}/data/")
    posted = client.post(f"/people/{cast.mentee.pk}/data/")
    # then only the mentee and the admin reach it and ask; the rest learn nothing
    if name == "anonymous":
        assert (page.status_code, posted.status_code) == (302, 302)
        assert page["Location"].startswith("/accounts/login/")
    elif name in MAY_EXPORT_MENTEE:
        assert (page.status_code, posted.status_code) == (200, 302)
    else:
        assert (page.status_code, posted.status_code) == (404, 404)
    expected = [(user.pk, cast.mentee.pk)] if name in MAY_EXPORT_MENTEE else []
    assert list(DataExport.objects.values_list("requester_id", "subject_id")) == expected


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_my_data_page_matrix(cast, name):
    # given an actor
    user = cast.by_name(name)
    client = _client(user)
    # when they ask for their own data from their page
    posted = client.post("/me/data/")
    page = client.get("/me/data/")
    # then every signed-in person can, for themselves only
    if name == "anonymous":
        assert (posted.status_code, page.status_code) == (302, 302)
        assert not DataExport.objects.exists()
        return
    assert (posted.status_code, page.status_code) == (302, 200)
    assert list(DataExport.objects.values_list("requester_id", "subject_id")) == [
        (user.pk, user.pk)
    ]
    assert b"Request an export" in page.content


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_export_row_and_download_pages_reach_the_requester_alone(cast, admins_export, name):
    # given an export the admin asked for about the mentee
    client = _client(cast.by_name(name))
    # when anyone polls its row and downloads it
    row = client.get(f"/data-exports/{admins_export.pk}/progress/")
    download = client.post(f"/data-exports/{admins_export.pk}/download/")
    # then only the admin gets them, not even the mentee
    if name == "anonymous":
        assert (row.status_code, download.status_code) == (302, 302)
    elif name == "admin":
        assert (row.status_code, download.status_code) == (200, 200)
        assert download["Content-Type"] == "application/zip"
        assert download.content[:2] == b"PK"
    else:
        assert (row.status_code, download.status_code) == (404, 404)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_api_matrix(cast, api_as, admins_export, name):
    # given an actor over the API
    api = api_as(cast.by_name(name))
    before = DataExport.objects.count()
    # when they ask for the mentee's data, read the admin's export and download it
    asked = api.post(f"people/{cast.mentee.pk}/data-exports")
    read = api.get(f"data-exports/{admins_export.pk}")
    download = api.get(f"data-exports/{admins_export.pk}/download")
    # then
    statuses = (asked.status_code, read.status_code, download.status_code)
    if name == "anonymous":
        assert statuses == (401, 401, 401)
    elif name == "admin":
        # (the first export is ready, so asking again is allowed)
        assert statuses == (201, 200, 200)
        assert read.json()["subject_id"] == cast.mentee.pk
        assert read.json()["status"] == "ready"
        assert download.content[:2] == b"PK"
    elif name == "mentee":
        assert statuses == (201, 404, 404)
    else:
        assert statuses == (404, 404, 404)
        assert asked["Content-Type"] == "application/problem+json"
    assert DataExport.objects.count() == before + (1 if name in MAY_EXPORT_MENTEE else 0)


def test_my_export_over_the_api(cast, api_as):
    # when the member asks for their data over the API, then asks again while it waits
    api = api_as(cast.member)
    first = api.post("me/data-exports")
    second = api.post("me/data-exports")
    # then the first is queued and the second is a conflict
    assert first.status_code == 201
    assert first.json()["status"] == "queued"
    assert first.json()["subject_id"] == cast.member.pk
    assert second.status_code == 409
    assert [row["id"] for row in api.get("data-exports").json()] == [first.json()["id"]]


def test_lists_cost_the_same_whatever_the_number_of_exports(
    cast, api_as, django_assert_max_num_queries
):
    # given an admin who asked for many people's data
    people = [cast.member, cast.mentor, cast.mentee, cast.manager, cast.other_manager]
    for person in people:
        data_export_request(actor=cast.admin, subject_id=person.pk)
    api = api_as(cast.admin)
    client = _client(cast.admin)
    # when they list them on the API and open a person's page
    with django_assert_max_num_queries(8):
        listed = api.get("data-exports")
    with django_assert_max_num_queries(12):
        page = client.get(f"/people/{cast.mentee.pk}/data/")
    # then every export is listed in a bounded number of queries
    assert len(listed.json()) == len(people)
    assert page.status_code == 200


def test_progress_row_polls_until_the_export_is_ready(cast):
    # given an export waiting for its worker
    export = data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    client = _client(cast.mentee)
    # when the page polls its row before and after the worker built it
    waiting = client.get(f"/data-exports/{export.pk}/progress/").content.decode()
    data_export_build(export_id=export.pk)
    ready = client.get(f"/data-exports/{export.pk}/progress/").content.decode()
    # then it polls while waiting and offers the download once ready, polling no more
    assert 'hx-trigger="every 2s"' in waiting
    assert 'aria-valuenow="0"' in waiting
    assert "Download" not in waiting
    assert "hx-get" not in ready
    assert f'action="/data-exports/{export.pk}/download/"' in ready
