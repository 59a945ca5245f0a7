"""Personal data rights' use cases: ask for an export, build it in the background, hand it to
the one who asked, and delete it when it expires."""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit import events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict
from tandem.core.personal_data import Section, personal_data_providers
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.privacy.archive import build_archive
from tandem.privacy.models import DataExport, DataExportStatus
from tandem.privacy.permissions import data_export_access, data_subject_access

logger = logging.getLogger(__name__)

EXPORT_DIRECTORY = "data-exports"


def data_export_request(*, actor: User, subject_id: int) -> DataExport:
    """Ask for an archive of everything Tandem holds about a person: yourself, or (an
    organisation admin) a person of your organisation. It is built by a worker once this
    commits; asking again while one is being built is a Conflict."""
    subject = data_subject_access(actor=actor, subject_id=subject_id)
    organization_id = subject.organization_id
    assert organization_id is not None  # noqa: S101 (data_subject_access saw to it)
    try:
        with transaction.atomic():
            export = DataExport.objects.create(
                organization_id=organization_id, subject=subject, requester=actor
            )
            audit_record(
                actor=actor,
                event=events.DATA_EXPORT_REQUESTED,
                organization_id=subject.organization_id,
                target=subject,
                data={"data_export": export.pk},
            )
    except IntegrityError as error:
        raise Conflict("An export of this person's data is already being prepared.") from error
    from tandem.privacy.tasks import data_export_build_task

    transaction.on_commit(lambda: data_export_build_task.enqueue(export_id=export.pk))
    return export


def _set_progress(export_id: int, progress: int) -> None:
    # Its own short write, outside any transaction, so the page polling it sees it move.
    DataExport.objects.filter(pk=export_id).update(progress=progress)


def data_export_build(*, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build a queued export: every app's provider in turn (progress after each), the zip to
    storage, then the requester told through the outbox. Idempotent: an export that is not
    queued is left alone (a task run twice builds once). A failure marks it failed."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExportStatus.QUEUED).update(
        status=DataExportStatus.RUNNING, progress=0
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("subject", "requester").get(pk=export_id)
    subject = export.subject
    try:
        providers = personal_data_providers()
        sections: list[Section] = []
        for done, provider in enumerate(providers, start=1):
            sections.extend(provider.export(subject))
            _set_progress(export_id, done * 90 // len(providers))
        at = now or timezone.now()
        content = build_archive(
            name=subject.get_full_name(), email=subject.email, at=at.isoformat(), sections=sections
        )
        file_name = default_storage.save(
            f"{EXPORT_DIRECTORY}/{uuid.uuid4().hex}.zip", ContentFile(content)
        )
    except Exception:
        logger.exception("Data export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(status=DataExportStatus.FAILED)
        return None
    with transaction.atomic():
        export.status = DataExportStatus.READY
        export.progress = 100
        export.file_name = file_name
        export.size_bytes = len(content)
        export.finished_at = at
        export.expires_at = at + timedelta(days=settings.PRIVACY_EXPORT_DAYS)
        export.save(
            update_fields=[
                "status",
                "progress",
                "file_name",
                "size_bytes",
                "finished_at",
                "expires_at",
                "updated_at",
            ]
        )
        whose = "your data" if subject.pk == export.requester_id else subject.get_full_name()
        notification_send(
            recipients=[export.requester],
            category=NotificationCategory.PRIVACY,
            subject=f"The export of {whose} is ready",
            body=(
                f"The archive of {whose} is ready to download until "
                f"{timezone.localtime(export.expires_at):%d %B %Y}. Sign in to download it."
            ),
            url=reverse("privacy:exports"),
        )
    return export


def data_export_download(*, actor: User, export_id: int) -> tuple[DataExport, bytes]:
    """The archive of an export `actor` asked for, while it has not expired; recorded in the
    audit trail."""
    export = data_export_access(actor=actor, export_id=export_id)
    if export.status != DataExportStatus.READY or (
        export.expires_at is not None and export.expires_at <= timezone.now()
    ):
        raise Conflict("This export is not ready, or it has expired.")
    with default_storage.open(export.file_name, "rb") as archive:
        content = archive.read()
    audit_record(
        actor=actor,
        event=events.DATA_EXPORT_DOWNLOADED,
        organization_id=export.organization_id,
        target=export.subject,
        data={"data_export": export.pk},
    )
    return export, content


def data_exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their date and mark them expired (the hourly job).
    Returns how many expired. A file already gone is no error: deleting is the goal."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(
        status=DataExportStatus.READY, expires_at__lte=now
    ).order_by("pk"):
        default_storage.delete(export.file_name)
        expired += DataExport.objects.filter(pk=export.pk, status=DataExportStatus.READY).update(
            status=DataExportStatus.EXPIRED, file_name="", updated_at=now
        )
    return expired
