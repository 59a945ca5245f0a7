"""A person's request for their data (GDPR articles 15 and 20): who asked, for whom, how far
the archive is, where it is and until when. A request to erase a person (article 17): who
asked, when it is due (after a cooling-off period in which it can be cancelled), what it did."""

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


class ErasureStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its date (can be cancelled)"
    CANCELLED = "cancelled", "Cancelled"
    DONE = "done", "Done"


class ErasureRequest(TimeStampedModel):
    """A request to erase `person` (GDPR article 17), by themselves or an organisation admin.
    It waits until `due_at` (the cooling-off period: the person or an admin may cancel it
    until then); the hourly job then erases the person once and records what it did (counts
    only). The row outlives the erasure: it proves the erasure was done."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="erasures_requested"
    )
    reason = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    cancelled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # What the erasure did, per model: {"deleted": {label: n}, "pseudonymised": {label: n}}.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="erasure_due")]
        constraints = [
            # One pending erasure per person: asking twice is the same request.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="erasure_one_pending_per_person",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("requested_at")), name="erasure_due_after_asked"
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="erasure_done_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(status="cancelled") & Q(cancelled_at__isnull=False))
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="erasure_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == ErasureStatus.PENDING


RETENTION_MONTHS_MAX = 120
# An organisation's waiting period before an erasure, in days: none (erased at the next
# hourly run) up to a month (GDPR article 17 asks for erasure "without undue delay").
ERASURE_COOLING_OFF_DAYS_MAX = 30


class RetentionSettings(TimeStampedModel):
    """How long an organisation keeps the private data of relationships that ended: after
    `ended_relationship_private_data_months` months (None: kept until erased) the journal
    entries and self-assessments written in a relationship completed or ended that long ago
    are deleted by the daily job. How long the audit trail is kept is audit's own setting.

    `erasure_cooling_off_days` is how long a request to erase a person waits (cancellable)
    before it is carried out (None: the `PRIVACY_ERASURE_COOLING_OFF_DAYS` default). A request
    takes the period in force when it is made: its `due_at` is fixed then."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="retention_settings"
    )
    ended_relationship_private_data_months = models.PositiveSmallIntegerField(null=True, blank=True)
    erasure_cooling_off_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "retention settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_relationship_private_data_months__isnull=True)
                | Q(
                    ended_relationship_private_data_months__gte=1,
                    ended_relationship_private_data_months__lte=RETENTION_MONTHS_MAX,
                ),
                name="retention_months_in_range",
            ),
            models.CheckConstraint(
                condition=Q(erasure_cooling_off_days__isnull=True)
                | Q(erasure_cooling_off_days__lte=ERASURE_COOLING_OFF_DAYS_MAX),
                name="erasure_cooling_off_days_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention settings of organisation {self.organization_id}"
