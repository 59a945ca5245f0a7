"""An export whose enqueue fails (the queue down when the request commits) is not lost: asking
succeeds all the same, the hourly recovery (or the requester asking again) enqueues it once it
is stale, and however many runners enqueue it, it is built once and told once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from tandem.core.errors import Conflict
from tandem.notifications.models import Notification, NotificationCategory
from tandem.privacy.models import DataExport, DataExportStatus
from tandem.privacy.services import (
    EXPORT_STALE_AFTER,
    data_export_build,
    data_export_request,
    data_exports_recover,
)

# The task the request enqueues (a frozen object: replaced whole, as the queue's stand-in).
TASK = "tandem.privacy.tasks.data_export_build_task"
# How a queue that is down answers an enqueue.
QUEUE_DOWN = [ConnectionError("Redis refused"), TimeoutError("Redis timed out"), OSError(111)]


def _age(export: DataExport, by: timedelta) -> None:
    DataExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - by)


def _told(user) -> int:
    return Notification.objects.filter(user=user, category=NotificationCategory.PRIVACY).count()


@pytest.mark.parametrize("failure", QUEUE_DOWN, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("asker", ["mentee", "admin"])
def test_a_failed_enqueue_leaves_the_export_queued_and_the_request_answered(
    cast, django_capture_on_commit_callbacks, failure, asker
):
    actor = cast.by_name(asker)
    page = "/me/data/" if asker == "mentee" else f"/people/{cast.mentee.pk}/data/"
    client = Client()
    client.force_login(actor)
    # when the requester asks while the queue is down
    with (
        mock.patch(TASK, **{"enqueue.side_effect": failure}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(page)
    # then the page answers as usual and the export waits, queued
    assert response.status_code == 302
    [export] = DataExport.objects.all()
    assert (export.status, export.subject_id, export.requester_id) == (
        DataExportStatus.QUEUED,
        cast.mentee.pk,
        actor.pk,
    )


@pytest.mark.parametrize("runners", [1, 2, 3])
def test_a_stale_export_is_enqueued_again_and_built_once_whatever_the_runners(
    cast, django_capture_on_commit_callbacks, runners
):
    # given an export whose enqueue failed
    with (
        mock.patch(TASK, **{"enqueue.side_effect": ConnectionError}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    told_before = _told(cast.mentee)
    # when the recovery runs before it is stale, nothing is enqueued
    with mock.patch(TASK) as task, django_capture_on_commit_callbacks(execute=True):
        assert data_exports_recover() == 0
    assert task.enqueue.call_args_list == []
    # and once it is stale, each of several runners (schedulers) enqueues it
    _age(export, EXPORT_STALE_AFTER + timedelta(seconds=1))
    with mock.patch(TASK) as task:
        for _ in range(runners):
            with django_capture_on_commit_callbacks(execute=True):
                assert data_exports_recover() == 1
    assert task.enqueue.call_args_list == [mock.call(export_id=export.pk)] * runners
    # then the workers that take those tasks build it once: the first claims it, the others
    # find it claimed
    built = [data_export_build(export_id=export.pk) for _ in range(runners)]
    assert [result is not None for result in built] == [True] + [False] * (runners - 1)
    export.refresh_from_db()
    assert export.status == DataExportStatus.READY
    assert default_storage.exists(export.file_name)
    assert _told(cast.mentee) == told_before + 1
    # and a ready export is never enqueued again
    with mock.patch(TASK) as task, django_capture_on_commit_callbacks(execute=True):
        assert data_exports_recover() == 0
    assert task.enqueue.call_args_list == []


def test_asking_again_kicks_a_stale_export_and_only_a_stale_one(
    cast, django_capture_on_commit_callbacks
):
    # given an export whose enqueue failed
    with (
        mock.patch(TASK, **{"enqueue.side_effect": ConnectionError}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    # when the requester asks again at once: a Conflict, nothing enqueued (it may still start)
    with (
        mock.patch(TASK) as task,
        pytest.raises(Conflict),
        django_capture_on_commit_callbacks(execute=True),
    ):
        data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    assert task.enqueue.call_args_list == []
    # when they ask again once it is stale: still one export, and its build enqueued again
    _age(export, EXPORT_STALE_AFTER + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        data_export_request(actor=cast.mentee, subject_id=cast.mentee.pk)
    # (the test backend runs the task at once)
    [only] = DataExport.objects.all()
    assert only.pk == export.pk
    assert only.status == DataExportStatus.READY


def test_the_recovery_is_a_registered_hourly_job():
    from tandem.core.periodic import Period, periodic_jobs

    [job] = [job for job in periodic_jobs() if job.name == "data_exports_recover"]
    assert (job.period, job.task) == (
        Period.HOURLY,
        "tandem.privacy.tasks.data_exports_recover_task",
    )
