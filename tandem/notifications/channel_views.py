"""The organisation admin's notification channels page: per channel beside email (web push,
Slack, Teams) the kill switch, the daily cap, the Slack bot token (set or replaced, never
shown), and the recent failures with their reason and the email sent instead. Thin: one
service writes, selectors read; anyone but an organisation admin gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from tandem.accounts.models import Role
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import InvalidInput
from tandem.notifications import selectors, services
from tandem.notifications.push import push_configured
from tandem.people.selectors import profile_timezone_get

FAILURES_PER_PAGE = 20


@login_required
def channel_settings_page(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    if actor.role != Role.ORG_ADMIN:
        raise Http404
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw_cap = request.POST.get("daily_cap", "").strip()
        token = request.POST.get("slack_bot_token", "").strip()
        try:
            if not raw_cap.isdigit():
                raise InvalidInput.for_field("daily_cap", gettext("Give a number from 1 to 500."))
            services.channel_settings_update(
                actor=actor,
                push_enabled=request.POST.get("push_enabled") == "on",
                slack_enabled=request.POST.get("slack_enabled") == "on",
                teams_enabled=request.POST.get("teams_enabled") == "on",
                daily_cap=int(raw_cap),
                # Empty keeps the token; the box removes it.
                slack_bot_token=(
                    "" if request.POST.get("slack_token_remove") == "on" else (token or None)
                ),
            )
        except InvalidInput as error:
            errors = {field_error.field: field_error.message for field_error in error.errors}
            status = 400
        else:
            messages.success(request, gettext("The notification channels are saved."))
            return redirect("notification_channels:settings")
    page = Paginator(
        selectors.channel_failure_queryset_for_org_admin(actor=actor), FAILURES_PER_PAGE
    ).get_page(request.GET.get("page"))
    switches = selectors.channel_switches_for_org(organization_id=actor.organization_id)
    return render(
        request,
        "notifications/channels.html",
        {
            "nav_section": "people",
            "switches": switches,
            "typed_cap": request.POST.get("daily_cap", switches.daily_cap)
            if request.method == "POST"
            else switches.daily_cap,
            "push_configured": push_configured(),
            "errors": errors,
            "page": page,
            "viewer_zone": profile_timezone_get(user=actor),
        },
        status=status,
    )
