"""The audit trail's pages, API, search, download, retention and erasure, over the cast.

Only fixtures reach the other apps here (the layers contract keeps this app's tests from
importing accounts); the events each app records are tested in `tests/test_audit_events.py`.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.audit import events
from tandem.audit.models import DEFAULT_RETENTION_DAYS, AuditEntry, AuditSettings
from tandem.audit.services import (
    audit_pseudonymise_person,
    audit_purge,
    audit_record,
    pseudonym,
)

DB = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ENTRIES = "audit/entries"


def _seed(cast, *, count: int = 1, organization=None, actor=None, event="test.happened"):
    organization = organization or cast.org
    actor = actor or cast.admin
    return [
        audit_record(
            actor=actor,
            event=event,
            organization_id=organization.pk,
            target=actor,
            address="203.0.113.7",
            data={"n": n},
        )
        for n in range(count)
    ]


def _events(response) -> list[str]:
    return [item["event"] for item in response.json()["items"]]


# --- who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_an_organisation_admin_reads_its_own_trail_through_the_api(cast, api_as, actor_name):
    # given an entry in each organisation
    _seed(cast, event="northwind.only")
    _seed(cast, organization=cast.other_org, actor=cast.outsider, event="globex.only")
    actor = cast.by_name(actor_name)
    # when
    client = api_as(actor)
    listed = client.get(ENTRIES, {"limit": 500})
    exported = client.get(f"{ENTRIES}/export")
    retention = client.get("audit/settings")
    # then
    expected = {"anonymous": 401, "admin": 200, "outsider": 200}.get(actor_name, 403)
    assert (listed.status_code, exported.status_code, retention.status_code) == (
        expected,
        expected,
        expected,
    )
    if actor_name == "admin":
        assert "northwind.only" in _events(listed)
        assert "globex.only" not in _events(listed)
    if actor_name == "outsider":  # their own organisation's, never Northwind's
        assert "globex.only" in _events(listed)
        assert "northwind.only" not in _events(listed)
        assert "northwind.only" not in b"".join(exported.streaming_content).decode()


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_an_organisation_admin_opens_the_pages(cast, client, actor_name):
    # given
    _seed(cast, event="northwind.only")
    _seed(cast, organization=cast.other_org, actor=cast.outsider, event="globex.only")
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    before = AuditSettings.objects.count()
    # when
    pages = [
        client.get(reverse("audit:list")),
        client.get(reverse("audit:export")),
        client.get(reverse("audit:settings")),
        client.post(reverse("audit:settings"), {"retention_days": 90}),
    ]
    # then
    codes = [page.status_code for page in pages]
    if actor_name == "anonymous":
        assert codes == [302, 302, 302, 302]
        assert all("/accounts/login/" in page["Location"] for page in pages)
    elif actor_name in ("admin", "outsider"):
        assert codes == [200, 200, 200, 302]
        listed = pages[0].content.decode()
        own, other = (
            ("northwind.only", "globex.only")
            if actor_name == "admin"
            else ("globex.only", "northwind.only")
        )
        assert own in listed
        assert other not in listed
        assert other not in b"".join(pages[1].streaming_content).decode()
    else:
        assert codes == [404, 404, 404, 404]
        assert AuditSettings.objects.count() == before


# --- search ---------------------------------------------------------------------------------


def test_the_search_filters_by_actor_event_object_type_and_days(cast, api_as):
    # given entries by two people, of two events, on two days
    _seed(cast, actor=cast.admin, event="sign_in.succeeded")
    _seed(cast, actor=cast.manager, event="sign_in.failed")
    old = _seed(cast, actor=cast.manager, event="export.downloaded")[0]
    AuditEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=10))
    client = api_as(cast.admin)
    today = timezone.localdate()
    # when / then: by part of the actor's email
    assert set(_events(client.get(ENTRIES, {"actor": "manager@north"}))) == {
        "sign_in.failed",
        "export.downloaded",
    }
    # by an event's family, and by an exact event
    assert sorted(_events(client.get(ENTRIES, {"event": "sign_in"}))) == [
        "sign_in.failed",
        "sign_in.succeeded",
    ]
    assert _events(client.get(ENTRIES, {"event": "sign_in.failed"})) == ["sign_in.failed"]
    # by the kind of object (the seeds are about users; API tokens were made by api_as)
    by_type = client.get(ENTRIES, {"object_type": "accounts.user", "event": "sign_in"})
    assert len(by_type.json()["items"]) == 2
    programs = client.get(ENTRIES, {"object_type": "programs.program"}).json()["items"]
    assert [(item["event"], item["object_id"]) for item in programs] == [
        ("program.created", str(cast.program.pk))
    ]
    # by days, inclusive
    ten_days_ago = (today - timedelta(days=10)).isoformat()
    assert _events(client.get(ENTRIES, {"date_from": ten_days_ago, "date_to": ten_days_ago})) == [
        "export.downloaded"
    ]
    assert "export.downloaded" not in _events(client.get(ENTRIES, {"date_from": today.isoformat()}))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"object_type": "user"}, "object_type"),
    ],
)
def test_a_search_that_cannot_mean_anything_names_its_field(cast, api_as, client, params, field):
    # when
    response = api_as(cast.admin).get(ENTRIES, params)
    client.force_login(cast.admin)
    page = client.get(reverse("audit:list"), params)
    download = client.get(reverse("audit:export"), params)
    # then
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert page.status_code == 400
    assert download.status_code == 400
    assert download.content.decode().startswith(f"{field}:")


def test_the_newest_entries_come_first_and_pages_hold_fifty(cast, client):
    # given
    _seed(cast, count=120)
    client.force_login(cast.admin)
    # when
    first = client.get(reverse("audit:list"), {"event": "test.happened"})
    second = client.get(
        reverse("audit:list"),
        {"event": "test.happened", "after": first.context["page"].next_cursor},
    )
    last = client.get(
        reverse("audit:list"),
        {"event": "test.happened", "after": second.context["page"].next_cursor},
    )
    # then
    assert str(first.context["count"]) == "120"
    assert len(first.context["rows"]) == 50
    assert len(last.context["rows"]) == 20
    numbers = [row["entry"].additional_data["n"] for row in first.context["rows"]]
    assert numbers == list(range(119, 69, -1))
    assert [row["entry"].additional_data["n"] for row in last.context["rows"]] == list(
        range(19, -1, -1)
    )
    assert f"event=test.happened&amp;after={first.context['page'].next_cursor}" in (
        first.content.decode()
    )


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_costs_the_same_queries_however_many_entries_and_actors(
    cast, api_as, client, django_assert_max_num_queries, count
):
    # given entries by several people
    for actor in (cast.admin, cast.manager, cast.mentor, cast.mentee, cast.member):
        _seed(cast, count=count, actor=actor)
    api = api_as(cast.admin)
    api.get(ENTRIES)  # the token's first use is recorded once a minute
    client.force_login(cast.admin)
    # when / then
    with django_assert_max_num_queries(4):
        response = api.get(ENTRIES, {"limit": 100, "event": "test.happened"})
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(100, 5 * count)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("audit:list"))
    assert page.status_code == 200


def test_an_entry_reads_as_who_what_when_where(cast, api_as):
    # given
    entry = _seed(cast, actor=cast.manager, event="export.downloaded")[0]
    # when
    items = api_as(cast.admin).get(ENTRIES, {"event": "export.downloaded"}).json()["items"]
    # then
    assert items == [
        {
            "id": entry.pk,
            "at": items[0]["at"],
            "actor": str(cast.manager),
            "actor_id": cast.manager.pk,
            "address": "203.0.113.7",
            "event": "export.downloaded",
            "object_type": "accounts.user",
            "object_id": str(cast.manager.pk),
            "object": str(cast.manager),
            "details": {"n": 0},
        }
    ]
    assert items[0]["at"].startswith(entry.timestamp.date().isoformat())


# --- download -------------------------------------------------------------------------------


def test_the_download_is_the_search_as_csv_and_is_itself_recorded(cast, client):
    # given
    _seed(cast, actor=cast.manager, event="sign_in.failed")
    _seed(cast, actor=cast.admin, event="sign_in.succeeded")
    _seed(cast, organization=cast.other_org, actor=cast.outsider, event="sign_in.failed")
    client.force_login(cast.admin)
    # when
    response = client.get(reverse("audit:export"), {"event": "sign_in.failed"})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Time (UTC)",
        "Who",
        "Address",
        "Event",
        "Object type",
        "Object id",
        "Object",
        "Details",
    ]
    assert [row[1:7] for row in rows[1:]] == [
        [
            str(cast.manager),
            "203.0.113.7",
            "sign_in.failed",
            "accounts.user",
            str(cast.manager.pk),
            str(cast.manager),
        ]
    ]
    recorded = AuditEntry.objects.filter(event=events.EXPORT_DOWNLOADED).get()
    assert (recorded.organization_id, recorded.actor_id, recorded.additional_data) == (
        cast.org.pk,
        cast.admin.pk,
        {"what": "audit", "format": "csv"},
    )


# --- retention ------------------------------------------------------------------------------


def test_retention_defaults_to_400_days_and_changes_are_recorded(cast, api_as):
    client = api_as(cast.admin)
    assert client.get("audit/settings").json() == {"retention_days": DEFAULT_RETENTION_DAYS}
    # when
    response = client.put("audit/settings", {"retention_days": 90})
    # then
    assert response.json() == {"retention_days": 90}
    assert AuditSettings.objects.get(organization_id=cast.org.pk).retention_days == 90
    change = AuditEntry.objects.get(event=events.SETTINGS_CHANGED)
    assert (change.organization_id, change.actor_id, change.additional_data) == (
        cast.org.pk,
        cast.admin.pk,
        {"settings": "audit", "changes": {"retention_days": [400, 90]}},
    )
    # and the other organisation is untouched
    assert api_as(cast.outsider).get("audit/settings").json() == {"retention_days": 400}


@pytest.mark.parametrize("days", [-1, 2**15, "ninety", None, True])
def test_a_malformed_retention_is_a_422_naming_the_field(cast, api_as, days):
    response = api_as(cast.admin).put("audit/settings", {"retention_days": days})
    assert response.status_code == 422
    assert "retention_days" in response.json()["errors"][0]["field"]
    assert not AuditSettings.objects.filter(organization_id=cast.org.pk).exists()


@DB
@given(days=st.integers(0, 2**15 - 1))
def test_a_retention_outside_30_to_3650_days_is_refused_naming_the_field(cast, api_as, days):
    AuditSettings.objects.filter(organization_id=cast.org.pk).delete()
    response = api_as(cast.admin).put("audit/settings", {"retention_days": days})
    if 30 <= days <= 3650:
        assert response.status_code == 200
        assert AuditSettings.objects.get(organization_id=cast.org.pk).retention_days == days
    else:
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == ["retention_days"]
        assert not AuditSettings.objects.filter(organization_id=cast.org.pk).exists()


@DB
@given(
    retention=st.integers(30, 3650),
    ages=st.lists(st.integers(0, 4000), min_size=1, max_size=8),
    other_ages=st.lists(st.integers(0, 4000), max_size=8),
)
def test_purge_deletes_exactly_what_is_older_than_each_organisations_retention(
    cast, retention, ages, other_ages
):
    # given Northwind keeps `retention` days, Globex the default, and entries of every age
    AuditEntry.objects.all().delete()
    AuditSettings.objects.update_or_create(
        organization_id=cast.org.pk, defaults={"retention_days": retention}
    )
    now = timezone.now()
    for organization, days_list in ((cast.org, ages), (cast.other_org, other_ages)):
        for days in days_list:
            entry = _seed(cast, organization=organization)[0]
            AuditEntry.objects.filter(pk=entry.pk).update(
                timestamp=now - timedelta(days=days, hours=1)
            )
    # when
    deleted = audit_purge(now=now)
    # then
    kept_here = sorted(
        (now - timestamp).days
        for timestamp in AuditEntry.objects.filter(organization_id=cast.org.pk).values_list(
            "timestamp", flat=True
        )
    )
    kept_there = AuditEntry.objects.filter(organization_id=cast.other_org.pk).count()
    assert kept_here == sorted(days for days in ages if days < retention)
    assert kept_there == len([days for days in other_ages if days < DEFAULT_RETENTION_DAYS])
    assert deleted == len(ages) + len(other_ages) - len(kept_here) - kept_there


def test_the_purge_command_reports_what_it_deleted(cast):
    from django.core.management import call_command

    old = _seed(cast, count=2)
    AuditEntry.objects.filter(pk__in=[e.pk for e in old]).update(
        timestamp=timezone.now() - timedelta(days=DEFAULT_RETENTION_DAYS + 1)
    )
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert out.getvalue().strip() == "Deleted 2 audit entries."
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()


# --- erasure --------------------------------------------------------------------------------


def test_pseudonymising_a_person_removes_them_from_every_entry_and_keeps_the_events(cast):
    # given entries the mentee did, entries about the mentee, and entries naming their email
    mentee = cast.mentee
    did = _seed(cast, actor=mentee, event="sign_in.succeeded")[0]
    about = audit_record(
        actor=cast.admin,
        event="user.changed",
        organization_id=cast.org.pk,
        target=mentee,
        data={"email": [mentee.email, "new@northwind.test"]},
    )
    naming = audit_record(
        actor=cast.admin,
        event="invitation.created",
        organization_id=cast.org.pk,
        data={"invited": mentee.email.upper()},
    )
    unrelated = _seed(cast, actor=cast.mentor, event="sign_in.succeeded")[0]
    elsewhere = audit_record(
        actor=cast.outsider,
        event="invitation.created",
        organization_id=cast.other_org.pk,
        data={"invited": mentee.email},
    )
    # when
    changed = audit_pseudonymise_person(
        organization_id=cast.org.pk,
        user_id=mentee.pk,
        identifiers=[mentee.email, mentee.full_name],
    )
    # then the person is nowhere in their organisation's trail, the events are all still there
    # (four: these three and the account's creation, recorded when the cast was made)
    assert changed == 4
    created = AuditEntry.objects.get(event="user.created", object_pk=str(mentee.pk))
    assert created.object_repr == pseudonym(mentee.pk)
    assert mentee.email not in str(created.changes)
    alias = pseudonym(mentee.pk)
    for entry in AuditEntry.objects.filter(pk__in=[did.pk, about.pk, naming.pk]):
        text = " ".join(
            str(value)
            for value in (
                entry.actor_id,
                entry.actor_email,
                entry.remote_addr,
                entry.object_repr,
                entry.changes,
                entry.additional_data,
            )
        ).lower()
        assert mentee.email not in text
        assert mentee.full_name.lower() not in text
    did.refresh_from_db()
    about.refresh_from_db()
    naming.refresh_from_db()
    assert (did.event, did.actor_id, did.actor_email, did.remote_addr) == (
        "sign_in.succeeded",
        None,
        alias,
        None,
    )
    assert about.object_repr == alias
    assert about.additional_data == {"email": [alias, "new@northwind.test"]}
    assert naming.additional_data == {"invited": alias}
    # and nobody else's entries changed, nor another organisation's
    unrelated.refresh_from_db()
    elsewhere.refresh_from_db()
    assert unrelated.actor_id == cast.mentor.pk
    assert elsewhere.additional_data == {"invited": mentee.email}
    # and the admin finds the pseudonym's entries together
    assert pseudonym(mentee.pk) == alias


def test_an_entry_keeps_its_day_for_the_search(cast, api_as):
    entry = _seed(cast)[0]
    AuditEntry.objects.filter(pk=entry.pk).update(
        timestamp=timezone.make_aware(timezone.datetime(2026, 1, 15, 12, 0))
    )
    found = api_as(cast.admin).get(
        ENTRIES, {"date_from": date(2026, 1, 15).isoformat(), "date_to": "2026-01-15"}
    )
    assert [item["id"] for item in found.json()["items"]] == [entry.pk]
