"""Writing the audit trail: events, settings, retention and pseudonymisation."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from tandem.audit import events, selectors
from tandem.audit.context import current
from tandem.audit.models import (
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    AuditEntry,
    AuditSettings,
)
from tandem.audit.permissions import AuditViewer, audit_admin_required
from tandem.core.errors import InvalidInput

# What an event may carry: ids, counts, names, formats and settings' values. Never free text
# someone wrote: the caller passes only what it chose to name here.
Scalar = str | int | float | bool | None
EventData = Mapping[str, object]


@dataclass(frozen=True)
class AuditEvent:
    """One event to record (`audit_record`'s arguments, for `audit_record_many`)."""

    actor: AbstractBaseUser | None
    event: str
    organization_id: int | None
    target: models.Model | None = None
    address: str | None = None
    data: EventData | None = None
    at: datetime | None = None


def _entry(record: AuditEvent, default_address: str | None) -> AuditEntry:
    target = record.target
    return AuditEntry(
        organization_id=record.organization_id,
        event=record.event,
        actor_id=record.actor.pk if record.actor is not None else None,
        remote_addr=record.address if record.address is not None else default_address,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_pk=str(target.pk) if target is not None else "",
        object_id=target.pk if target is not None and isinstance(target.pk, int) else None,
        object_repr=str(target) if target is not None else "",
        additional_data=json.loads(json.dumps(record.data, default=str)) if record.data else None,
        timestamp=record.at or timezone.now(),
    )


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    event: str,
    organization_id: int | None,
    target: models.Model | None = None,
    address: str | None = None,
    data: EventData | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record that `actor` did `event` (to `target`, if it concerns a row) in the organisation.

    Called by the service that did it, inside its transaction: a use case that rolls back
    leaves no entry. The client's address defaults to the request's (`audit.context`); the
    time to now (`at` for an event recorded after the fact, such as a token's last use).
    `data` holds ids, counts, names and settings' values: never anyone's private words.
    """
    context = current()
    entry = _entry(
        AuditEvent(
            actor=actor,
            event=event,
            organization_id=organization_id,
            target=target,
            address=address,
            data=data,
            at=at,
        ),
        context.address if context is not None else None,
    )
    entry.save(force_insert=True)
    return entry


def audit_record_many(records: list[AuditEvent]) -> list[AuditEntry]:
    """Record many events in one INSERT (a job's sweep): the same rules as `audit_record`."""
    context = current()
    address = context.address if context is not None else None
    return AuditEntry.objects.bulk_create([_entry(record, address) for record in records])


def audit_export(
    *,
    actor: AbstractBaseUser,
    organization_id: int | None,
    what: str,
    export_format: str,
    target: models.Model | None = None,
    data: EventData | None = None,
) -> AuditEntry:
    """Record a CSV or XLSX download (`what`: "people", "participants", "analytics.funnel",
    ...). Every caller of `core.exports`' writers, and the people export, calls it once the
    download is allowed and before the file is streamed."""
    return audit_record(
        actor=actor,
        event=events.EXPORT_DOWNLOADED,
        organization_id=organization_id,
        target=target,
        data={"what": what, "format": export_format, **(data or {})},
    )


def audit_settings_update(*, actor: AuditViewer, retention_days: int) -> AuditSettings:
    """Change how long the actor's organisation keeps its audit entries. Org admins only."""
    organization_id = audit_admin_required(actor)
    if isinstance(retention_days, bool) or not (
        MIN_RETENTION_DAYS <= retention_days <= MAX_RETENTION_DAYS
    ):
        raise InvalidInput.for_field(
            "retention_days",
            f"Keep audit entries from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days "
            f"(got {retention_days}).",
        )
    with transaction.atomic():
        current_settings = (
            AuditSettings.objects.select_for_update()
            .filter(organization_id=organization_id)
            .first()
        )
        before = current_settings.retention_days if current_settings else DEFAULT_RETENTION_DAYS
        row, _ = AuditSettings.objects.update_or_create(
            organization_id=organization_id, defaults={"retention_days": retention_days}
        )
        if before != retention_days:
            audit_record(
                actor=actor,  # type: ignore[arg-type]
                event=events.SETTINGS_CHANGED,
                organization_id=organization_id,
                data={"settings": "audit", "changes": {"retention_days": [before, retention_days]}},
            )
    return row


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete every entry older than its organisation's retention (DEFAULT_RETENTION_DAYS for
    an organisation without settings and for entries of no organisation). Returns how many.
    One DELETE per organisation with its own setting, and one for everyone else."""
    now = now or timezone.now()
    deleted = 0
    custom = list(AuditSettings.objects.values_list("organization_id", "retention_days"))
    with transaction.atomic():
        for organization_id, days in custom:
            count, _ = AuditEntry.objects.filter(
                organization_id=organization_id, timestamp__lt=now - timedelta(days=days)
            ).delete()
            deleted += count
        count, _ = (
            AuditEntry.objects.filter(timestamp__lt=now - timedelta(days=DEFAULT_RETENTION_DAYS))
            .exclude(organization_id__in=[organization_id for organization_id, _ in custom])
            .delete()
        )
        deleted += count
    return deleted


def pseudonym(user_id: int) -> str:
    """A stable stand-in for a person erased from the trail: their entries still read as one
    person's, and nobody can tell whose without the server's secret."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"audit-person:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"erased-{digest[:12]}"


def audit_pseudonymise_person(
    *, organization_id: int | None, user_id: int, identifiers: list[str]
) -> int:
    """Erase a person from their organisation's audit trail (the GDPR erasure calls this):
    every entry they did or that is about them (their account, or a row that names one of
    `identifiers`, such as their email and name) keeps its event, time and organisation but
    loses who: the actor link, the email, the address, and the person's identifiers wherever
    they appear, are replaced by one pseudonym. Returns how many entries changed."""
    alias = pseudonym(user_id)
    needles = [needle for needle in (i.strip() for i in identifiers) if needle]
    changed = 0
    with transaction.atomic():
        for entry in selectors.audit_entries_of_person(
            organization_id=organization_id, user_id=user_id, identifiers=needles
        ):
            if entry.actor_id == user_id:
                entry.actor_id = None
                entry.actor_email = alias
                entry.remote_addr = None
            entry.object_repr = _scrub(entry.object_repr, needles, alias)
            if selectors.is_about_user(entry, user_id):
                entry.object_repr = alias
            entry.changes = _scrub_json(entry.changes, needles, alias)
            entry.changes_text = _scrub(entry.changes_text, needles, alias)
            entry.additional_data = _scrub_json(entry.additional_data, needles, alias)
            entry.save(
                update_fields=[
                    "actor",
                    "actor_email",
                    "remote_addr",
                    "object_repr",
                    "changes",
                    "changes_text",
                    "additional_data",
                ]
            )
            changed += 1
    return changed


def audit_forget_rows(
    *, organization_id: int | None, user_id: int, model: type[models.Model], pks: list[int]
) -> int:
    """Erasure again: the entries about rows of a person's that are being deleted (their API
    tokens) keep their event and time, but lose what the row said (its name, the changes):
    the person's pseudonym stands in for it. Returns how many entries changed."""
    if not pks:
        return 0
    return AuditEntry.objects.filter(
        organization_id=organization_id,
        content_type=ContentType.objects.get_for_model(model),
        object_pk__in=[str(pk) for pk in pks],
    ).update(object_repr=pseudonym(user_id), changes=None, changes_text="")


def _scrub(text: str, needles: list[str], alias: str) -> str:
    for needle in needles:
        lowered = text.lower()
        start = lowered.find(needle.lower())
        while start != -1:
            text = text[:start] + alias + text[start + len(needle) :]
            lowered = text.lower()
            start = lowered.find(needle.lower(), start + len(alias))
    return text


def _scrub_json(value: object, needles: list[str], alias: str) -> object:
    if isinstance(value, str):
        return _scrub(value, needles, alias)
    if isinstance(value, list):
        return [_scrub_json(item, needles, alias) for item in value]
    if isinstance(value, dict):
        return {
            _scrub(str(key), needles, alias): _scrub_json(item, needles, alias)
            for key, item in value.items()
        }
    return value
