"""Reading the audit trail, always within the caller's organisation."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.audit.models import DEFAULT_RETENTION_DAYS, AuditEntry, AuditSettings
from tandem.audit.permissions import AuditViewer, audit_admin_required
from tandem.core.errors import FieldError, InvalidInput


@dataclass(frozen=True)
class AuditFilters:
    """The list's search: who (a name or email, in part), what (an event, or its start such as
    `sign_in`), on what (`app_label.model`), and between which days (inclusive)."""

    actor: str = ""
    event: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_filters_check(filters: AuditFilters) -> None:
    """InvalidInput naming the field, for a search that cannot mean anything."""
    errors = []
    if filters.object_type.strip() and "." not in filters.object_type.strip():
        errors.append(
            FieldError(
                "object_type",
                f"'{filters.object_type}' is not an object type: use app.model, "
                "such as accounts.user.",
            )
        )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors.append(
            FieldError(
                "date_to",
                f"The last day ({filters.date_to}) is before the first ({filters.date_from}).",
            )
        )
    if errors:
        raise InvalidInput("The search is not valid.", errors)


def audit_entry_list(*, actor: AuditViewer, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The actor's organisation's entries, newest first, filtered. Org admins only; a search
    that cannot mean anything is InvalidInput (`audit_filters_check`)."""
    organization_id = audit_admin_required(actor)
    audit_filters_check(filters)
    entries = AuditEntry.objects.filter(organization_id=organization_id).select_related(
        "actor", "content_type"
    )
    if filters.actor.strip():
        text = filters.actor.strip()
        entries = entries.filter(
            Q(actor__email__icontains=text)
            | Q(actor__first_name__icontains=text)
            | Q(actor__last_name__icontains=text)
            | Q(actor_email__icontains=text)
        )
    if filters.event.strip():
        event = filters.event.strip()
        entries = entries.filter(Q(event=event) | Q(event__startswith=f"{event}."))
    if filters.object_type.strip():
        app_label, _, model = filters.object_type.strip().lower().partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.date_from is not None:
        entries = entries.filter(timestamp__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        entries = entries.filter(timestamp__lt=_day_start(filters.date_to + timedelta(days=1)))
    return entries.order_by("-timestamp", "-id")


def audit_object_types(*, actor: AuditViewer) -> list[tuple[str, str]]:
    """The kinds of object the organisation's entries concern, for the search's choices."""
    organization_id = audit_admin_required(actor)
    rows = (
        AuditEntry.objects.filter(organization_id=organization_id, content_type__isnull=False)
        .values_list("content_type__app_label", "content_type__model")
        .distinct()
        .order_by("content_type__app_label", "content_type__model")
    )
    return [(f"{app}.{model}", f"{app}.{model}") for app, model in rows]


def audit_event_names(*, actor: AuditViewer) -> list[str]:
    """The events the organisation's trail holds, for the search's suggestions."""
    organization_id = audit_admin_required(actor)
    return list(
        AuditEntry.objects.filter(organization_id=organization_id)
        .values_list("event", flat=True)
        .distinct()
        .order_by("event")
    )


def audit_retention_days(*, actor: AuditViewer) -> int:
    organization_id = audit_admin_required(actor)
    row = AuditSettings.objects.filter(organization_id=organization_id).first()
    return row.retention_days if row else DEFAULT_RETENTION_DAYS


def actor_label(entry: AuditEntry) -> str:
    """Who did it, as the list shows it: the person's name, their pseudonym once erased, or
    "Tandem" for what no person did (a scheduled job, a command)."""
    if entry.actor is not None:
        return str(entry.actor)
    return entry.actor_email or "Tandem"


def object_type_label(entry: AuditEntry) -> str:
    if entry.content_type is None:
        return ""
    return f"{entry.content_type.app_label}.{entry.content_type.model}"


def details(entry: AuditEntry) -> str:
    """The entry's changes or data as one line of JSON (ids, counts, settings' values)."""
    value = entry.changes if entry.changes else entry.additional_data
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""


EXPORT_HEADER = [
    "Time (UTC)",
    "Who",
    "Address",
    "Event",
    "Object type",
    "Object id",
    "Object",
    "Details",
]


def export_rows(entries: QuerySet[AuditEntry]) -> Iterator[list[str]]:
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.timestamp.astimezone(UTC).isoformat(timespec="seconds"),
            actor_label(entry),
            entry.remote_addr or "",
            entry.event,
            object_type_label(entry),
            entry.object_pk,
            entry.object_repr,
            details(entry),
        ]


def is_about_user(entry: AuditEntry, user_id: int) -> bool:
    user_type = _user_content_type()
    return entry.content_type_id == user_type.pk and entry.object_pk == str(user_id)


def _user_content_type() -> ContentType:
    app_label, model = settings.AUTH_USER_MODEL.lower().split(".")
    return ContentType.objects.get_by_natural_key(app_label, model)


def audit_entries_of_person(
    *, organization_id: int | None, user_id: int, identifiers: list[str]
) -> QuerySet[AuditEntry]:
    """Every entry of the organisation that a person did, that is about their account, or
    that names one of `identifiers` (their email, their name) in its object or details.
    For erasure (`services.audit_pseudonymise_person`)."""
    about = Q(actor_id=user_id) | Q(content_type=_user_content_type(), object_pk=str(user_id))
    for needle in identifiers:
        # JSON columns hold text as written (PostgreSQL) or with non-ASCII escaped (SQLite).
        for variant in {needle, json.dumps(needle)[1:-1]}:
            about |= (
                Q(object_repr__icontains=variant)
                | Q(changes_text__icontains=variant)
                | Q(changes__icontains=variant)
                | Q(additional_data__icontains=variant)
            )
    entries = AuditEntry.objects.filter(about)
    if organization_id is None:
        return entries.filter(organization_id__isnull=True)
    return entries.filter(organization_id=organization_id)
