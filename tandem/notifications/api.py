"""Notifications over HTTP: thin — guard, then a service or selector, then a schema. Everything
here is the caller's own: there is no way to name another person's notifications."""

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.accounts.models import Role
from tandem.core.errors import Forbidden, InvalidInput
from tandem.core.pagination import KeysetPagination
from tandem.notifications import selectors, services
from tandem.notifications.push import push_configured, vapid_public_key
from tandem.notifications.schemas import (
    ChannelSettingsIn,
    ChannelSettingsOut,
    MarkReadIn,
    MarkReadOut,
    NotificationFiltersIn,
    NotificationOut,
    PreferenceOut,
    PreferencesIn,
    PushStatusOut,
    PushSubscriptionIn,
    PushSubscriptionRemoveIn,
    QuietHoursIn,
    QuietHoursOut,
    TeamsWebhookIn,
    TeamsWebhookOut,
)

router = Router(tags=["notifications"])


def _preferences(request: HttpRequest) -> list[dict[str, object]]:
    return [row._asdict() for row in selectors.preference_list_for_user(actor=caller(request))]


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
        raise InvalidInput.for_field("ids", gettext("Send either ids or all: true."))
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
    services.notification_preferences_update(
        actor=caller(request),
        channels=payload.channels,
        push=payload.push,
        slack=payload.slack,
        teams=payload.teams,
    )
    return _preferences(request)


def _push_status(request: HttpRequest) -> dict[str, object]:
    actor = caller(request)
    push_on, _cap = selectors.channel_settings_for_org(organization_id=actor.organization_id)
    return {
        "public_key": vapid_public_key(),
        "enabled": push_configured() and push_on,
        "subscriptions": selectors.push_subscription_count_for_user(actor=actor),
    }


@router.get("/me/push", response=PushStatusOut, summary="Web push: the key to subscribe with")
def push_status(request: HttpRequest) -> object:
    return _push_status(request)


@router.post(
    "/me/push-subscriptions",
    response={201: PushStatusOut},
    summary="Subscribe this browser to web push",
)
def push_subscribe(request: HttpRequest, payload: PushSubscriptionIn) -> object:
    services.push_subscription_add(
        actor=caller(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
    )
    return Status(201, _push_status(request))


@router.post(
    "/me/push-subscriptions/remove",
    response=PushStatusOut,
    summary="Unsubscribe a browser of mine from web push",
)
def push_unsubscribe(request: HttpRequest, payload: PushSubscriptionRemoveIn) -> object:
    services.push_subscription_remove(actor=caller(request), endpoint=payload.endpoint)
    return _push_status(request)


def _channel_settings(request: HttpRequest) -> dict[str, object]:
    actor = caller(request)
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden(gettext("Only organisation admins see the notification channels."))
    switches = selectors.channel_switches_for_org(organization_id=actor.organization_id)
    return {
        "push_enabled": switches.push_enabled,
        "slack_enabled": switches.slack_enabled,
        "slack_token_set": switches.slack_token_set,
        "teams_enabled": switches.teams_enabled,
        "daily_cap": switches.daily_cap,
        "failures": [
            {
                "id": row.pk,
                "channel": row.channel,
                "category": row.category,
                "recipient_email": row.recipient.email,
                "subject": row.subject,
                "error": row.last_error,
                "created_at": row.created_at,
                "fallback_status": row.fallback_status,  # type: ignore[attr-defined]
            }
            for row in selectors.channel_failures_for_org_admin(actor=actor)
        ],
    }


@router.get(
    "/organization/notification-channels",
    response=ChannelSettingsOut,
    summary="The organisation's channels beside email: switches, daily cap, recent failures",
)
def channel_settings_get(request: HttpRequest) -> object:
    return _channel_settings(request)


@router.patch(
    "/organization/notification-channels",
    response=ChannelSettingsOut,
    summary="Turn web push, Slack or Teams on or off for the organisation, set the Slack bot "
    "token, or the daily cap",
)
def channel_settings_update(request: HttpRequest, payload: ChannelSettingsIn) -> object:
    services.channel_settings_update(
        actor=caller(request),
        push_enabled=payload.push_enabled,
        slack_enabled=payload.slack_enabled,
        teams_enabled=payload.teams_enabled,
        slack_bot_token=payload.slack_bot_token,
        daily_cap=payload.daily_cap,
    )
    return _channel_settings(request)


def _teams_webhook(request: HttpRequest) -> dict[str, object]:
    hint = selectors.teams_webhook_hint_for_user(actor=caller(request))
    return {"configured": bool(hint), "hint": hint}


@router.get("/me/teams-webhook", response=TeamsWebhookOut, summary="My Teams webhook: set or not")
def teams_webhook_get(request: HttpRequest) -> object:
    return _teams_webhook(request)


@router.put(
    "/me/teams-webhook",
    response=TeamsWebhookOut,
    summary="Set (or forget) the Teams Workflows webhook my notifications are posted to",
)
def teams_webhook_update(request: HttpRequest, payload: TeamsWebhookIn) -> object:
    services.teams_webhook_set(actor=caller(request), url=payload.url)
    return _teams_webhook(request)


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
