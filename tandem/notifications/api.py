"""Notifications over HTTP: thin — guard, then a service or selector, then a schema. Everything
here is the caller's own: there is no way to name another person's notifications."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.errors import InvalidInput
from tandem.core.pagination import KeysetPagination
from tandem.notifications import selectors, services
from tandem.notifications.schemas import (
    MarkReadIn,
    MarkReadOut,
    NotificationFiltersIn,
    NotificationOut,
    PreferenceOut,
    PreferencesIn,
    QuietHoursIn,
    QuietHoursOut,
)

router = Router(tags=["notifications"])


def _preferences(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"category": category, "label": label, "channel": channel}
        for category, label, channel in selectors.preference_list_for_user(actor=caller(request))
    ]


@router.get("/me/notifications", response=list[NotificationOut], summary="My notifications")
@paginate(KeysetPagination)
def notification_list(request: HttpRequest, filters: Query[NotificationFiltersIn]) -> object:
    return selectors.notification_list_for_user(actor=caller(request), unread_only=filters.unread)


@router.post(
    "/me/notifications/read",
    response=MarkReadOut,
    summary="Mark my notifications read: some (ids) or all",
)
def notification_mark_read(request: HttpRequest, payload: MarkReadIn) -> object:
    if payload.all == (payload.ids is not None):
        raise InvalidInput.for_field("ids", "Send either ids or all: true.")
    marked = services.notification_mark_read(
        actor=caller(request), notification_ids=None if payload.all else payload.ids
    )
    return {"marked": marked}


@router.get(
    "/me/notification-preferences",
    response=list[PreferenceOut],
    summary="How I want to be told, per category",
)
def preference_list(request: HttpRequest) -> object:
    return _preferences(request)


@router.put(
    "/me/notification-preferences",
    response=list[PreferenceOut],
    summary="Choose email, in-app only or off per category",
)
def preference_update(request: HttpRequest, payload: PreferencesIn) -> object:
    services.notification_preferences_update(actor=caller(request), channels=payload.channels)
    return _preferences(request)


def _quiet_hours(request: HttpRequest) -> dict[str, object]:
    start, end, zone = selectors.quiet_hours_for_user(actor=caller(request))
    return {"start": start, "end": end, "timezone": zone}


@router.get("/me/quiet-hours", response=QuietHoursOut, summary="My quiet hours")
def quiet_hours_get(request: HttpRequest) -> object:
    return _quiet_hours(request)


@router.put(
    "/me/quiet-hours",
    response=QuietHoursOut,
    summary="Set my quiet hours (no email between start and end; both null for none)",
)
def quiet_hours_update(request: HttpRequest, payload: QuietHoursIn) -> object:
    services.notification_preferences_update(
        actor=caller(request), channels={}, quiet_hours=(payload.start, payload.end)
    )
    return _quiet_hours(request)
