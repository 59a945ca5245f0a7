"""The personal data export: what it holds, what it never holds, and its life (built in the
background, told by email, downloaded by the one who asked, expired)."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from tandem.audit.models import AuditEntry
from tandem.core.errors import Conflict, NotFound
from tandem.core.personal_data import personal_data_providers
from tandem.notifications.models import Notification, NotificationCategory, OutboxMessage
from tandem.privacy.models import DataExport, DataExportStatus
from tandem.privacy.services import (
    data_export_build,
    data_export_download,
    data_export_request,
    data_exports_expire,
)
from tandem.privacy.tests.seeding import PRIVATE, SECTION_OF, SHARED, archive_of, marker


def _export(actor, subject, capture) -> DataExport:
    with capture(execute=True):
        export = data_export_request(actor=actor, subject_id=subject.pk)
    export.refresh_from_db()
    return export


def _everything(files: dict) -> str:
    return "\n".join(
        json.dumps(content) if not isinstance(content, str) else content
        for content in files.values()
    )


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_export_holds_each_section_of_the_person(seeded, who, django_capture_on_commit_callbacks):
    # given a pair and another pair where everyone wrote one of everything
    person = getattr(seeded, who)
    partner = seeded.mentee if who == "mentor" else seeded.mentor
    # when the person exports their data
    export = _export(person, person, django_capture_on_commit_callbacks)
    files = archive_of(export)
    # then everything they wrote is in its section, in both formats
    assert export.status == DataExportStatus.READY
    assert export.progress == 100
    for what, section in SECTION_OF.items():
        assert marker(person, what) in json.dumps(files[f"{section}.json"]), what
        assert marker(person, what) in files[f"{section}.csv"], what
    # the pair's shared goals, both people's, and the feedback the partner gave them
    goals = json.dumps(files["goals.json"])
    assert marker(person, "goal") in goals
    assert marker(partner, "goal") in goals
    assert marker(partner, "feedback") in json.dumps(files["feedback_received.json"])
    assert files["account.json"] == [
        {
            "id": person.pk,
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "organization__name": "Northwind",
            "role": "member",
            "is_active": True,
            "date_joined": person.date_joined.isoformat(),
            "last_login": None,
            "last_seen_at": None,
        }
    ]
    # and the README names every file
    for name in files:
        if name != "README.txt":
            assert name in files["README.txt"]


@pytest.mark.parametrize("who", ["mentor", "mentee", "other_mentor", "other_mentee"])
def test_export_never_holds_anyone_elses_private_data(
    seeded, who, django_capture_on_commit_callbacks
):
    # given everyone wrote one of everything
    person = getattr(seeded, who)
    everyone = [seeded.mentor, seeded.mentee, seeded.other_mentor, seeded.other_mentee]
    partners = {
        seeded.mentor.pk: seeded.mentee,
        seeded.mentee.pk: seeded.mentor,
        seeded.other_mentor.pk: seeded.other_mentee,
        seeded.other_mentee.pk: seeded.other_mentor,
    }
    # when the person exports their data
    files = archive_of(_export(person, person, django_capture_on_commit_callbacks))
    text = _everything(files)
    # then nobody else's private words are in it, not even the partner's; the other pair's
    # shared things are absent too. The partner's messages are not among those sent (the
    # person's own notifications of them may quote them: those are the person's)
    for other in everyone:
        if other.pk == person.pk:
            continue
        for what in (*PRIVATE, "notification"):
            assert marker(other, what) not in text, (other.email, what)
        if other.pk != partners[person.pk].pk:
            for what in SHARED:
                assert marker(other, what) not in text, (other.email, what)
    assert marker(partners[person.pk], "message") not in json.dumps(files["messages_sent.json"])


def test_every_provider_answers_for_a_person_with_nothing(cast):
    # given a member who never did anything
    # when every provider exports them
    sections = [s for p in personal_data_providers() for s in p.export(cast.member)]
    # then each section has a unique file name, and only what creating them wrote has rows:
    # the account, the profile the fixture made, and the audit trail's entry of the account
    names = [section.name for section in sections]
    assert len(names) == len(set(names))
    assert {s.name for s in sections if s.rows} == {"account", "profile", "audit_entries"}


def test_ready_export_is_told_to_the_requester_through_the_outbox(
    cast, django_capture_on_commit_callbacks
):
    # when an admin exports the mentee's data
    export = _export(cast.admin, cast.mentee, django_capture_on_commit_callbacks)
    # then the admin (not the mentee) is told, in app and by email
    notes = Notification.objects.filter(category=NotificationCategory.PRIVACY)
    assert [(n.user_id, n.url) for n in notes] == [(cast.admin.pk, "/me/data/")]
    assert OutboxMessage.objects.filter(
        category=NotificationCategory.PRIVACY, recipient=cast.admin
    ).exists()
    assert export.expires_at == export.finished_at + timedelta(days=7)


def test_second_request_while_one_is_open_is_a_conflict(cast):
    # given an export waiting for a worker (its task not run: nothing committed yet)
    data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    # when the person asks again
    with pytest.raises(Conflict):
        data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    # then one export is waiting
    assert DataExport.objects.count() == 1


def test_building_twice_builds_once(cast):
    # given a queued export
    export = data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    # when the task runs twice
    first = data_export_build(export_id=export.pk)
    second = data_export_build(export_id=export.pk)
    # then the second run did nothing
    assert first is not None
    assert second is None
    assert Notification.objects.filter(category=NotificationCategory.PRIVACY).count() == 1


@pytest.mark.parametrize("who", ["member", "mentor", "manager", "outsider"])
def test_only_an_admin_of_the_organisation_exports_someone_else(cast, who):
    # when anyone but the organisation's admin asks for the mentee's data
    with pytest.raises(NotFound):
        data_export_request(actor=getattr(cast, who), subject_id=cast.mentee.pk)
    # then nothing was asked for
    assert not DataExport.objects.exists()


@pytest.mark.parametrize("who", ["mentee", "member", "outsider"])
def test_only_the_requester_downloads(cast, who, django_capture_on_commit_callbacks):
    # given an export an admin asked for
    export = _export(cast.admin, cast.mentee, django_capture_on_commit_callbacks)
    # then nobody else gets it, not even the person it is about
    with pytest.raises(NotFound):
        data_export_download(actor=getattr(cast, who), export_id=export.pk)
    # and the admin does
    assert data_export_download(actor=cast.admin, export_id=export.pk)[1][:2] == b"PK"


def test_expired_exports_lose_their_file(cast, django_capture_on_commit_callbacks):
    # given a ready export
    export = _export(cast.mentee, cast.mentee, django_capture_on_commit_callbacks)
    assert export.expires_at is not None
    # when the job runs a second before it expires, then at its expiry
    before = data_exports_expire(now=export.expires_at - timedelta(seconds=1))
    file_before = default_storage.exists(export.file_name)
    at = data_exports_expire(now=export.expires_at)
    # then only the second run deletes the file and marks it expired
    assert (before, file_before, at) == (0, True, 1)
    assert not default_storage.exists(export.file_name)
    export.refresh_from_db()
    assert (export.status, export.file_name) == (DataExportStatus.EXPIRED, "")
    with pytest.raises(Conflict):
        data_export_download(actor=cast.mentee, export_id=export.pk)
    # and running again changes nothing
    assert data_exports_expire(now=export.expires_at + timedelta(days=1)) == 0


def test_asking_and_downloading_leave_one_audit_entry_each(
    cast, django_capture_on_commit_callbacks
):
    # when an admin asks for the mentee's data and downloads it
    export = _export(cast.admin, cast.mentee, django_capture_on_commit_callbacks)
    data_export_download(actor=cast.admin, export_id=export.pk)
    # then the trail holds who did it, in which organisation, about whom, and ids only
    entries = AuditEntry.objects.filter(event__startswith="data_export.").order_by("id")
    assert [
        (e.event, e.actor_id, e.organization_id, e.object_pk, e.additional_data) for e in entries
    ] == [
        (
            "data_export.requested",
            cast.admin.pk,
            cast.org.pk,
            str(cast.mentee.pk),
            {"data_export": export.pk},
        ),
        (
            "data_export.downloaded",
            cast.admin.pk,
            cast.org.pk,
            str(cast.mentee.pk),
            {"data_export": export.pk},
        ),
    ]
