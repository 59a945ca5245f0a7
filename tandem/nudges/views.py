"""The programme's nudge settings page (its managers). Thin: the service decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import InvalidInput
from tandem.core.web import guard_as_http
from tandem.nudges import selectors, services
from tandem.nudges.rules.base import Unit
from tandem.programs.permissions import program_access

# A "day of the week" timing is chosen by name; the form still sends the rule's number.
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def _changes(
    request: HttpRequest, rows: list[selectors.NudgeSettingRow]
) -> tuple[list[services.SettingChange], dict[str, str]]:
    """One change per rule from the form; a timing that is not a whole number is an error."""
    changes, errors = [], {}
    for row in rows:
        name = row.rule.name
        raw = request.POST.get(f"{name}-timing", "").strip()
        try:
            timing = int(raw)
        except ValueError:
            errors[name] = gettext("Enter a whole number.")
            continue
        changes.append(
            services.SettingChange(
                rule=name, is_enabled=request.POST.get(f"{name}-enabled") == "on", timing=timing
            )
        )
    return changes, errors


@login_required
def nudge_settings(request: HttpRequest, program_id: int) -> HttpResponse:
    """Every nudge rule of a programme: on or off, its timing, and who receives it."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    rows = selectors.nudge_settings_for_program(program=program)
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        changes, errors = _changes(request, rows)
        submitted = {row.rule.name: request.POST.get(f"{row.rule.name}-timing", "") for row in rows}
        if not errors:
            try:
                services.nudge_settings_update(actor=actor, program_id=program.pk, changes=changes)
            except InvalidInput as error:
                errors = {item.field.split(".")[0]: item.message for item in error.errors}
            else:
                messages.success(request, gettext("Nudge settings saved."))
                return redirect("nudges:settings", program_id=program.pk)
    items = [
        {
            "row": row,
            "timing": submitted.get(row.rule.name, row.timing),
            "is_enabled": (request.POST.get(f"{row.rule.name}-enabled") == "on")
            if request.method == "POST"
            else row.is_enabled,
            "error": errors.get(row.rule.name, ""),
            "is_weekday": row.rule.unit == Unit.WEEKDAY,
            "default_label": dict(WEEKDAYS).get(row.rule.default, row.rule.default)
            if row.rule.unit == Unit.WEEKDAY
            else row.rule.default,
        }
        for row in rows
    ]
    return render(
        request,
        "nudges/settings.html",
        {
            "nav_section": "programs",
            "program": program,
            "items": items,
            "has_errors": bool(errors),
            "weekdays": WEEKDAYS,
        },
        status=400 if errors else 200,
    )
