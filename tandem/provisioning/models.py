"""Provisioning: SCIM bearer tokens, what an identity provider keeps about a person, SCIM
groups and their members, and the record of each deactivation (and what it paused)."""

from django.db import models
from django.db.models.functions import Lower

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel
from tandem.relationships.models import Relationship


class ScimToken(TimeStampedModel):
    """An organisation's SCIM bearer token. Only its SHA-256 digest is stored; the secret is
    shown once, when it is created."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimIdentity(TimeStampedModel):
    """What the identity provider says about a person beyond accounts and people: its own id
    for them (externalId) and the enterprise employee number. Written on the first SCIM write
    about the person, never on a read."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="scim_identity")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # The identity provider's login name for the person (userName); Tandem signs in by email.
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    employee_number = models.CharField(max_length=100, blank=True)
    # How the provider labelled the email Tandem keeps (emails[].type, emails[].primary).
    email_type = models.CharField(max_length=20, blank=True)
    email_primary = models.BooleanField(default=True)
    # Whether the provider said `active` (PATCH remove leaves Tandem's default: active).
    active_asserted = models.BooleanField(default=True)
    # DELETE /Users/{id}: the person is deactivated and no longer served by SCIM; a later
    # POST with the same email brings the same account back.
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["organization", "external_id"])]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("user_name"), name="scim_identity_user_name_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return f"SCIM identity of {self.user_id}"


class PersonDeactivation(TimeStampedModel):
    """One deactivation of a person, kept for reporting after they return: when, why, by whom
    (an admin, or the identity provider), and when it ended."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deactivations")
    reason = models.CharField(max_length=300)
    deactivated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deactivated_via = models.CharField(max_length=120, help_text="Who or what did it.")
    reactivated_at = models.DateTimeField(null=True, blank=True)
    paused = models.ManyToManyField(Relationship, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A person is deactivated once at a time: the open row is the current one.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(reactivated_at__isnull=True),
                name="person_deactivation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Deactivation of {self.user_id} at {self.created_at:%Y-%m-%d}"


class HrSyncSource(models.TextChoices):
    API = "api", "API"
    FOLDER = "folder", "Folder"
    UPLOAD = "upload", "Upload"


class HrSyncStatus(models.TextChoices):
    DONE = "done", "Done"
    DRY_RUN = "dry_run", "Dry run (nothing kept)"
    FAILED = "failed", "Failed (nothing kept)"


class HrSyncRun(TimeStampedModel):
    """One HR sync: when, from where, what the file held and what it changed (per person in
    `report`: [{"person", "row", "action", "changes"}] and the row errors in `errors`)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="hr_sync_runs"
    )
    source = models.CharField(max_length=10, choices=HrSyncSource.choices)
    file_name = models.CharField(max_length=255, blank=True)
    is_full = models.BooleanField(default=False)
    valid_only = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=HrSyncStatus.choices)
    started_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the runs newest first, the id breaking ties, paged by a cursor (decision 0020)
            models.Index(
                fields=["organization", "-created_at", "-id"], name="hr_sync_run_org_newest_id"
            )
        ]

    def __str__(self) -> str:
        return f"HR sync {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
