"""The person's notifications and their settings over HTML. Thin: the services decide; every
page is about the signed-in person only."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import InvalidInput, NotFound
from tandem.core.web import seek_page_for_request
from tandem.notifications import selectors, services
from tandem.notifications.context_processors import unread_count_for_request
from tandem.notifications.models import (
    CATEGORIES_WITHOUT_OFF,
    NotificationCategory,
    NotificationChannel,
)
from tandem.notifications.push import push_configured, vapid_public_key
from tandem.notifications.unsubscribe import unsubscribe_read
from tandem.people.selectors import profile_timezone_get

PAGE_SIZE = 20


def _list_context(request: HttpRequest) -> dict[str, object]:
    actor = signed_in_user(request)
    unread_only = request.GET.get("unread") == "1"
    page = seek_page_for_request(
        selectors.notification_list_for_user(actor=actor, unread_only=unread_only),
        request,
        limit=PAGE_SIZE,
    )
    return {
        "page": page,
        "unread_only": unread_only,
        "unread_count": unread_count_for_request(request, actor=actor),
        "viewer_timezone": profile_timezone_get(user=actor),
    }


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/list.html", _list_context(request))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id`), or all of them."""
    actor = signed_in_user(request)
    ids: list[int] | None = None
    if "id" in request.POST:
        raw_id = request.POST["id"]
        ids = [int(raw_id)] if raw_id.isdigit() else []
    services.notification_mark_read(actor=actor, notification_ids=ids)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/_list.html", _list_context(request))
    return redirect("notifications:list")


def _time(raw: str) -> datetime.time | None:
    """A HH:MM time from a form field; None when empty; ValueError when not a time."""
    raw = raw.strip()
    return datetime.time.fromisoformat(raw) if raw else None


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """One row per category (email, in-app only, or off) and the person's quiet hours."""
    actor = signed_in_user(request)
    errors: dict[str, str] = {}
    status = 200
    chosen: dict[str, str] = {}
    quiet_start, quiet_end, zone = selectors.quiet_hours_for_user(actor=actor)
    typed = {
        "quiet_start": f"{quiet_start:%H:%M}" if quiet_start else "",
        "quiet_end": f"{quiet_end:%H:%M}" if quiet_end else "",
    }
    switches = selectors.channel_switches_for_org(organization_id=actor.organization_id)
    push_offered = push_configured() and switches.push_enabled
    # Slack and Teams are offered only where the organisation turned them on.
    offered = {
        "push": push_offered,
        "slack": switches.slack_offered,
        "teams": switches.teams_enabled,
    }
    chosen_extra: dict[str, dict[str, bool]] = {name: {} for name in offered}
    teams_url: str | None = None
    if request.method == "POST":
        chosen = {
            category: request.POST[category]
            for category in NotificationCategory.values
            if category in request.POST
        }
        # A checkbox sends nothing when unchecked: the form says it showed them.
        for name, is_offered in offered.items():
            if is_offered and request.POST.get(f"{name}_offered") == "1":
                chosen_extra[name] = {
                    category: request.POST.get(f"{name}_{category}") == "on" for category in chosen
                }
        if offered["teams"] and request.POST.get("teams_offered") == "1":
            typed_url = request.POST.get("teams_webhook_url", "").strip()
            if typed_url:
                teams_url = typed_url
            elif request.POST.get("teams_webhook_forget") == "on":
                teams_url = ""
        typed = {name: request.POST.get(name, "") for name in typed}
        times: dict[str, datetime.time | None] = {}
        for name, raw in typed.items():
            try:
                times[name] = _time(raw)
            except ValueError:
                errors[name] = gettext("Give a time like 22:00.")
        if not errors:
            try:
                services.notification_preferences_update(
                    actor=actor,
                    channels=chosen,
                    quiet_hours=(times["quiet_start"], times["quiet_end"]),
                    push=chosen_extra["push"],
                    slack=chosen_extra["slack"],
                    teams=chosen_extra["teams"],
                    teams_webhook_url=teams_url,
                )
            except InvalidInput as error:
                errors = {field_error.field: field_error.message for field_error in error.errors}
            else:
                messages.success(request, gettext("Your notification settings are saved."))
                return redirect("notifications:preferences")
        status = 400
    rows = [
        {
            "category": row.category,
            "label": row.label,
            "channel": chosen.get(row.category, row.channel),
            "push": chosen_extra["push"].get(row.category, row.push),
            "slack": chosen_extra["slack"].get(row.category, row.slack),
            "teams": chosen_extra["teams"].get(row.category, row.teams),
            "error": errors.get(row.category, "")
            or errors.get(f"push_{row.category}", "")
            or errors.get(f"slack_{row.category}", "")
            or errors.get(f"teams_{row.category}", ""),
            # A category that may not be switched off offers no "Off" to choose.
            "channels": [
                choice
                for choice in NotificationChannel.choices
                if not (
                    row.category in CATEGORIES_WITHOUT_OFF and choice[0] == NotificationChannel.OFF
                )
            ],
        }
        for row in selectors.preference_list_for_user(actor=actor)
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "channels": NotificationChannel.choices,
            "has_errors": bool(errors),
            "quiet": typed,
            "quiet_errors": {name: errors.get(name, "") for name in typed},
            "timezone": zone,
            "push_offered": push_offered,
            "slack_offered": offered["slack"],
            "teams_offered": offered["teams"],
            "teams_hint": selectors.teams_webhook_hint_for_user(actor=actor)
            if offered["teams"]
            else "",
            "teams_error": errors.get("teams_webhook_url", ""),
            "vapid_public_key": vapid_public_key() if push_offered else "",
        },
        status=status,
    )


@csrf_exempt  # the signed token is the authority; mail clients POST without a CSRF token
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A signed unsubscribe link, no sign-in needed. GET asks to confirm (a link scanner must not
    unsubscribe anyone); POST (the confirm button, or a mail client's RFC 8058 one-click POST)
    turns that category's emails off, keeping it in-app."""
    try:
        _user_id, category = unsubscribe_read(token)
    except NotFound:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    label = NotificationCategory(category).label
    if request.method == "POST":
        try:
            services.notification_unsubscribe(token=token)
        except NotFound:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
