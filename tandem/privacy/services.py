"""Personal data rights' use cases: ask for an export, build it in the background, hand it to
the one who asked, and delete it when it expires; ask for an erasure, cancel it while it
waits, and carry it out when it is due."""

import calendar
import enum
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.assessments.services import self_assessments_purge_ended
from tandem.audit import events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.core.personal_data import ErasureReport, Section, personal_data_providers
from tandem.journals.services import journal_entries_purge_ended
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.privacy.archive import build_archive
from tandem.privacy.models import (
    ERASURE_COOLING_OFF_DAYS_MAX,
    RETENTION_MONTHS_MAX,
    DataExport,
    DataExportStatus,
    ErasureRequest,
    ErasureStatus,
    RetentionSettings,
)
from tandem.privacy.permissions import (
    data_export_access,
    data_subject_access,
    erasure_request_access,
)
from tandem.provisioning.actors import Provisioner
from tandem.provisioning.lifecycle import person_deactivate, require_not_last_admin

logger = logging.getLogger(__name__)

EXPORT_DIRECTORY = "data-exports"
# An export still queued this long after it was asked for was never picked up: its enqueue
# failed (the queue was down) or the task was lost. The hourly `data_exports_recover`, or
# the requester asking again, enqueues its build again.
EXPORT_STALE_AFTER = timedelta(minutes=10)


def _build_enqueue(export_id: int) -> None:
    # Imported here: the task module imports this one.
    from tandem.privacy.tasks import data_export_build_task

    data_export_build_task.enqueue(export_id=export_id)


def _build_enqueue_after_commit(export_id: int) -> None:
    # Robust: the row is saved and the request succeeded; a queue that is down must not turn
    # that into a 500. The export stays queued, and the recovery enqueues it again.
    # A function, not a partial: Django logs a robust callback's failure by its __qualname__.
    transaction.on_commit(lambda: _build_enqueue(export_id), robust=True)


def data_export_request(*, actor: User, subject_id: int) -> DataExport:
    """Ask for an archive of everything Tandem holds about a person: yourself, or (an
    organisation admin) a person of your organisation. It is built by a worker once this
    commits; asking again while one is being built is a Conflict (and enqueues the build
    again if it was never started: `EXPORT_STALE_AFTER`)."""
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
        stale = DataExport.objects.filter(
            requester=actor,
            subject=subject,
            status=DataExportStatus.QUEUED,
            created_at__lte=timezone.now() - EXPORT_STALE_AFTER,
        ).values_list("pk", flat=True)
        for export_id in stale:
            _build_enqueue_after_commit(export_id)
        raise Conflict("An export of this person's data is already being prepared.") from error
    _build_enqueue_after_commit(export.pk)
    return export


def data_exports_recover(*, now: datetime | None = None) -> int:
    """Enqueue again the build of every export queued for longer than `EXPORT_STALE_AFTER`
    (the hourly job): one whose enqueue failed would otherwise wait for ever and keep its
    requester from asking again. A build claims its export before it starts, so an export
    enqueued twice (two schedulers, or the lost task turning up after all) is built once.
    Returns how many were enqueued."""
    now = now or timezone.now()
    stale = list(
        DataExport.objects.filter(
            status=DataExportStatus.QUEUED, created_at__lte=now - EXPORT_STALE_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for export_id in stale:
        _build_enqueue_after_commit(export_id)
    return len(stale)


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


# Erasure (GDPR article 17) ------------------------------------------------------------------

ERASURE_REASON_MAX = 1000
ERASURE_JOB = "erasure of personal data"


def _org_admins(organization_id: int, *, besides: int) -> list[User]:
    return list(
        User.objects.filter(organization_id=organization_id, role=Role.ORG_ADMIN, is_active=True)
        .exclude(pk=besides)
        .order_by("pk")
    )


def erasure_cooling_off_days(*, organization_id: int | None) -> int:
    """How many days an erasure asked for now in the organisation waits: its own setting
    (`RetentionSettings.erasure_cooling_off_days`), else `PRIVACY_ERASURE_COOLING_OFF_DAYS`."""
    days = (
        RetentionSettings.objects.filter(organization_id=organization_id)
        .values_list("erasure_cooling_off_days", flat=True)
        .first()
        if organization_id is not None
        else None
    )
    return max(settings.PRIVACY_ERASURE_COOLING_OFF_DAYS if days is None else days, 0)


def erasure_cooling_off(*, organization_id: int | None) -> timedelta:
    return timedelta(days=erasure_cooling_off_days(organization_id=organization_id))


def erasure_request(
    *, actor: User, person_id: int, reason: str = "", now: datetime | None = None
) -> ErasureRequest:
    """Ask for a person to be erased: yourself, or (an organisation admin) a person of your
    organisation. It happens after the organisation's cooling-off period (its retention
    settings, else `PRIVACY_ERASURE_COOLING_OFF_DAYS`), cancellable until then: the date is
    fixed now, so a later change of the period moves no pending erasure. The person and the
    organisation's admins are told by email. A second request while one is pending is a
    Conflict, as is erasing the organisation's last admin (someone must be left to run it)."""
    person = data_subject_access(actor=actor, subject_id=person_id)
    organization_id = person.organization_id
    assert organization_id is not None  # noqa: S101 (data_subject_access saw to it)
    reason = reason.strip()
    if len(reason) > ERASURE_REASON_MAX:
        raise InvalidInput.for_field(
            "reason", f"Keep the reason under {ERASURE_REASON_MAX} characters."
        )
    require_not_last_admin(person, organization_id)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(
                organization_id=organization_id,
                person=person,
                requested_by=actor,
                reason=reason,
                requested_at=now,
                due_at=now + erasure_cooling_off(organization_id=organization_id),
            )
            audit_record(
                actor=actor,
                event=events.ERASURE_REQUESTED,
                organization_id=organization_id,
                target=person,
                data={"erasure_request": erasure.pk},
            )
            on = f"{timezone.localtime(erasure.due_at):%d %B %Y at %H:%M}"
            notification_send(
                recipients=[person],
                category=NotificationCategory.PRIVACY,
                subject="Your data will be erased",
                body=(
                    f"Erasing your data in Tandem was asked for. It happens on {on}; until then "
                    "you (or an organisation admin) can cancel it from the My data page. Your "
                    "journal, assessments, survey words and profile will be deleted; what your "
                    "partners also own (messages, meeting notes, goals, feedback) stays for "
                    "them, shown as written by a former member."
                ),
                url=reverse("privacy:exports"),
            )
            notification_send(
                recipients=_org_admins(organization_id, besides=person.pk),
                category=NotificationCategory.PRIVACY,
                subject=f"{person.display_name}'s data will be erased",
                body=(
                    f"Erasing {person.display_name}'s data was asked for. It happens on {on}, "
                    "unless they or an admin cancel it before."
                ),
                url=reverse("privacy:person_exports", args=[person.pk]),
            )
    except IntegrityError as error:
        raise Conflict("Erasing this person's data is already asked for.") from error
    return erasure


def erasure_cancel(*, actor: User, erasure_id: int, now: datetime | None = None) -> ErasureRequest:
    """Cancel a pending erasure: the person, or an admin of their organisation. One that is
    done or cancelled already is a Conflict."""
    with transaction.atomic():
        erasure = erasure_request_access(actor=actor, erasure_id=erasure_id, for_update=True)
        if not erasure.is_pending:
            raise Conflict("This erasure is not waiting any more: it cannot be cancelled.")
        erasure.status = ErasureStatus.CANCELLED
        erasure.cancelled_by = actor
        erasure.cancelled_at = now or timezone.now()
        erasure.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
        audit_record(
            actor=actor,
            event=events.ERASURE_CANCELLED,
            organization_id=erasure.organization_id,
            target=erasure.person,
            data={"erasure_request": erasure.pk},
        )
    return erasure


def erasure_execute(*, erasure_id: int, now: datetime | None = None) -> ErasureRequest | None:
    """Erase the person of one due, pending request, in one transaction, exactly once (the
    request's row is locked and must still be pending: a second run, or one racing a cancel,
    does nothing and returns None).

    First the lifecycle deactivates them (signed out, tokens revoked, pairs paused or ended,
    partners and managers told); then every app's provider erases what it holds, top app
    first: accounts pseudonymises the account near the end, and audit, last, scrubs the person
    from the trail, the entries the deletions just wrote included. The counts are kept on the
    request; the admins are told it is done."""
    now = now or timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(pk=erasure_id, status=ErasureStatus.PENDING, due_at__lte=now)
            .first()
        )
        if erasure is None:
            return None
        person = User.objects.get(pk=erasure.person_id)
        organization_id = erasure.organization_id
        if person.is_active:
            # The person as deactivated by the admin who asked, or by Tandem's own job when
            # they asked themselves (the lifecycle refuses anyone deactivating themselves).
            requester = erasure.requested_by
            actor: User | Provisioner = (
                requester
                if requester is not None
                and requester.pk != person.pk
                and requester.is_org_admin
                and requester.is_active
                and requester.organization_id == organization_id
                else Provisioner(
                    organization_id=organization_id, token_id=None, token_name="", job=ERASURE_JOB
                )
            )
            person_deactivate(
                actor=actor, user=person, reason="Erasure of their personal data", for_erasure=True
            )
        report = ErasureReport()
        for provider in reversed(personal_data_providers()):
            if provider.erase is not None:
                report.merge(provider.erase(person))
        erasure.status = ErasureStatus.DONE
        erasure.done_at = now
        erasure.report = report.as_dict()
        erasure.save(update_fields=["status", "done_at", "report", "updated_at"])
        audit_record(
            actor=None,
            event=events.ERASURE_DONE,
            organization_id=organization_id,
            data={"erasure_request": erasure.pk, "person": person.pk},
        )
        # The person's address is erased with them: only the admins can be told it is done.
        notification_send(
            recipients=_org_admins(organization_id, besides=person.pk),
            category=NotificationCategory.PRIVACY,
            subject=f"A person's data was erased (request {erasure.pk})",
            body=(
                f"The erasure asked for on {timezone.localtime(erasure.requested_at):%d %B %Y} "
                "is done: their private data is deleted, and what their partners also own is "
                "kept under the name of a former member."
            ),
            url=reverse("privacy:person_exports", args=[person.pk]),
        )
    return erasure


def erasures_execute(*, now: datetime | None = None) -> int:
    """Erase every person whose request is due (the hourly job), each in its own transaction,
    so one failure leaves the others done. Returns how many were erased."""
    now = now or timezone.now()
    done = 0
    due = ErasureRequest.objects.filter(status=ErasureStatus.PENDING, due_at__lte=now)
    for erasure_id in due.order_by("due_at", "pk").values_list("pk", flat=True):
        try:
            done += erasure_execute(erasure_id=erasure_id, now=now) is not None
        except Exception:
            # Left pending: the next hour tries again, and the failure is in the logs.
            logger.exception("Erasure request %s failed", erasure_id)
    return done


# Retention ----------------------------------------------------------------------------------


def _months_before(moment: datetime, months: int) -> datetime:
    """`moment` moved back by calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_settings_get(*, actor: User) -> RetentionSettings:
    """The organisation's retention settings (unsaved defaults when it has none). Org admins
    only; anyone else NotFound."""
    organization_id = actor.organization_id
    if organization_id is None or not actor.is_org_admin:
        raise NotFound("No such page.")
    return RetentionSettings.objects.filter(organization_id=organization_id).first() or (
        RetentionSettings(organization_id=organization_id)
    )


class Keep(enum.Enum):
    """A setting the caller leaves as it is (None means something: "keep the data")."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _bounded(value: int | Keep | None, low: int, high: int) -> bool:
    return value is None or value is KEEP or (type(value) is int and low <= value <= high)


def retention_settings_update(
    *,
    actor: User,
    months: int | Keep | None = KEEP,
    erasure_cooling_off_days: int | Keep | None = KEEP,
) -> RetentionSettings:
    """Set after how many months (1 to RETENTION_MONTHS_MAX; None: keep) the private data of
    the organisation's ended relationships is deleted, and how many days (0 to
    ERASURE_COOLING_OFF_DAYS_MAX; None: Tandem's default) an erasure waits before it is
    carried out. A setting not given stays. Org admins only; each change recorded in the
    audit trail, before and after. Erasures already asked for keep their date."""
    current = retention_settings_get(actor=actor)
    errors = []
    if not _bounded(months, 1, RETENTION_MONTHS_MAX):
        errors.append(
            FieldError(
                "ended_relationship_private_data_months",
                f"Say a number of months from 1 to {RETENTION_MONTHS_MAX}, or leave it empty "
                f"to keep the data (got {months}).",
            )
        )
    if not _bounded(erasure_cooling_off_days, 0, ERASURE_COOLING_OFF_DAYS_MAX):
        errors.append(
            FieldError(
                "erasure_cooling_off_days",
                f"Say a number of days from 0 to {ERASURE_COOLING_OFF_DAYS_MAX}, or leave it "
                f"empty for Tandem's default of {settings.PRIVACY_ERASURE_COOLING_OFF_DAYS} "
                f"(got {erasure_cooling_off_days}).",
            )
        )
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    wanted = {
        name: value
        for name, value in (
            ("ended_relationship_private_data_months", months),
            ("erasure_cooling_off_days", erasure_cooling_off_days),
        )
        if value is not KEEP
    }
    with transaction.atomic():
        before = (
            RetentionSettings.objects.select_for_update()
            .filter(organization_id=current.organization_id)
            .values(*wanted)
            .first()
        ) or dict.fromkeys(wanted)
        row, _ = RetentionSettings.objects.update_or_create(
            organization_id=current.organization_id, defaults=wanted
        )
        changes = {
            name: [before[name], value] for name, value in wanted.items() if before[name] != value
        }
        if changes:
            audit_record(
                actor=actor,
                event=events.SETTINGS_CHANGED,
                organization_id=current.organization_id,
                data={"settings": "retention", "changes": changes},
            )
    return row


def retention_apply(*, now: datetime | None = None) -> int:
    """Delete the private data (journal entries, self-assessments) of relationships that
    ended longer ago than each organisation's setting: the daily job. Each organisation in
    its own transaction. Returns how many rows went."""
    now = now or timezone.now()
    deleted = 0
    settings_rows = RetentionSettings.objects.filter(
        ended_relationship_private_data_months__isnull=False
    ).order_by("organization_id")
    for row in settings_rows:
        months = row.ended_relationship_private_data_months
        assert months is not None  # noqa: S101 (filtered above)
        closed_before = _months_before(now, months)
        with transaction.atomic():
            deleted += journal_entries_purge_ended(
                organization_id=row.organization_id, closed_before=closed_before
            )
            deleted += self_assessments_purge_ended(
                organization_id=row.organization_id, closed_before=closed_before
            )
    return deleted
