"""A person's request for their data (GDPR articles 15 and 20): who asked, for whom, how far
the archive is, where it is and until when."""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel


class DataExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Collecting your data"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


OPEN_STATUSES = (DataExportStatus.QUEUED, DataExportStatus.RUNNING)


class DataExport(TimeStampedModel):
    """One archive of everything Tandem holds about `subject`, asked for by `requester` (the
    person themselves, or an organisation admin on their behalf). Only the requester may
    download it, until `expires_at`; then the file is deleted and the row says so."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="data_exports"
    )
    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    requester = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="data_exports_requested"
    )
    status = models.CharField(
        max_length=10, choices=DataExportStatus.choices, default=DataExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "-created_at"], name="data_export_requester")]
        constraints = [
            # One archive in the making per requester and person: a second click waits for it.
            models.UniqueConstraint(
                fields=["requester", "subject"],
                condition=Q(status__in=["queued", "running"]),
                name="data_export_one_open",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="data_export_progress_percent"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(expires_at__isnull=False) & ~Q(file_name="")),
                name="data_export_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
