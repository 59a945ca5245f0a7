"""The audit trail: who did what, when, from where, in which organisation.

One table for both kinds of entry. django-auditlog writes the model changes of the
administrative models registered in `registry.py` (its swappable log entry is this model,
`AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"`); `services.audit_record` writes the events that
are not a model change (a sign-in, an export, an import, a published matching run). Every entry
carries its organisation's id so that every read can be scoped to it.

The organisation is a plain id, not a foreign key: this app sits below accounts in the layers
contract (so accounts' own services can record), and an entry outlives what it describes.
"""

from typing import Any, ClassVar

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.contenttypes.models import ContentType
from django.db import models

from tandem.audit.context import current

DEFAULT_RETENTION_DAYS = 400
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650

ACTION_EVENTS = {
    AbstractLogEntry.Action.CREATE: "created",
    AbstractLogEntry.Action.UPDATE: "changed",
    AbstractLogEntry.Action.DELETE: "deleted",
    AbstractLogEntry.Action.ACCESS: "accessed",
}


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, plus the organisation, the event name, the actor and the address."""

    def log_create(self, instance: Any, force_log: bool = False, **kwargs: Any) -> Any:
        # Imported here: the registry imports auditlog's registry, which reads this model.
        from tandem.audit.registry import organization_of

        context = current()
        organization_id = organization_of(instance)
        if organization_id is None and context is not None:
            organization_id = context.organization_id()
        kwargs.setdefault("organization_id", organization_id)
        kwargs.setdefault(
            "event",
            f"{instance._meta.model_name}.{ACTION_EVENTS.get(kwargs.get('action'), 'changed')}",
        )
        if context is not None:
            kwargs.setdefault("actor_id", context.actor_id())
            kwargs.setdefault("remote_addr", context.address)
        return super().log_create(instance, force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One thing someone did. `event` names it (`sign_in.failed`, `export.downloaded`,
    `user.changed`); `content_type`/`object_pk`/`object_repr` name what it was done to, if
    anything; `changes` (model changes) and `additional_data` (events) hold ids, counts, names
    and settings' values, never anyone's private words."""

    # auditlog's columns, loosened for events that concern no row (a failed sign-in for an
    # unknown address) and that are no create, update or delete.
    content_type: models.ForeignKey[ContentType | None, ContentType | None] = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_pk: models.CharField[str, str] = models.CharField(
        max_length=255, blank=True, default="", db_index=True
    )
    object_repr: models.TextField[str, str] = models.TextField(blank=True, default="")
    action: models.PositiveSmallIntegerField[int | None, int | None] = (
        models.PositiveSmallIntegerField(
            choices=AbstractLogEntry.Action.choices, null=True, blank=True, db_index=True
        )
    )
    organization_id: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        null=True, blank=True
    )
    event: models.CharField[str, str] = models.CharField(max_length=64)

    objects: ClassVar[AuditEntryManager] = AuditEntryManager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        get_latest_by = "timestamp"
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            # The search's order, whole (the id breaks ties): a seek page (`after=`) walks it
            # from the cursor.
            models.Index(fields=["organization_id", "-timestamp", "-id"], name="audit_org_time_id"),
            models.Index(fields=["organization_id", "event"], name="audit_org_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.object_repr}".strip()


class AuditSettings(models.Model):
    """An organisation's audit settings: how long its entries are kept. Without a row the
    organisation keeps them DEFAULT_RETENTION_DAYS."""

    organization_id = models.BigIntegerField(unique=True)
    retention_days = models.PositiveIntegerField(
        default=DEFAULT_RETENTION_DAYS,
        help_text="Audit entries older than this many days are deleted.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "audit settings"
        verbose_name_plural = "audit settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    retention_days__gte=MIN_RETENTION_DAYS,
                    retention_days__lte=MAX_RETENTION_DAYS,
                ),
                name="audit_settings_retention_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Audit settings of organisation {self.organization_id}"
