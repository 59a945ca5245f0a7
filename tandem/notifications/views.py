"""The person's notifications and their settings over HTML. Thin: the services decide; every
page is about the signed-in person only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import InvalidInput
from tandem.notifications import selectors, services
from tandem.notifications.models import NotificationCategory, NotificationChannel
from tandem.people.models import Profile

PAGE_SIZE = 20


def _list_context(request: HttpRequest) -> dict[str, object]:
    actor = signed_in_user(request)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        selectors.notification_list_for_user(actor=actor, unread_only=unread_only), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return {
        "page": page,
        "unread_only": unread_only,
        "unread_count": selectors.unread_count_for_user(actor=actor),
        "viewer_timezone": Profile.objects.filter(user=actor)
        .values_list("timezone", flat=True)
        .first()
        or "UTC",
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


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """One row per category: email, in-app only, or off."""
    actor = signed_in_user(request)
    errors: dict[str, str] = {}
    status = 200
    chosen: dict[str, str] = {}
    if request.method == "POST":
        chosen = {
            category: request.POST[category]
            for category in NotificationCategory.values
            if category in request.POST
        }
        try:
            services.notification_preferences_update(actor=actor, channels=chosen)
        except InvalidInput as error:
            errors = {field_error.field: field_error.message for field_error in error.errors}
            status = 400
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:preferences")
    rows = [
        {
            "category": category,
            "label": label,
            "channel": chosen.get(category, channel),
            "error": errors.get(category, ""),
        }
        for category, label, channel in selectors.preference_list_for_user(actor=actor)
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": NotificationChannel.choices, "has_errors": bool(errors)},
        status=status,
    )
