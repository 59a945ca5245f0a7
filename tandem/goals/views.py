"""The goals page over HTML: thin views over the same services and selectors as the API.

Every form posts normally (a redirect back to the page) and, with htmx, swaps the whole goals
section (`goals/_goals.html`) in place; a refusal is shown inline on its form or goal (htmx
answers 200 then, because htmx 2 does not swap 4xx responses).
"""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tandem.core.errors import DomainError, InvalidInput
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.goals import selectors, services
from tandem.goals.forms import CommentForm, GoalForm, MilestoneForm
from tandem.goals.models import Goal, GoalStatus, ProgressMode
from tandem.people.selectors import profile_zone_get
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request


def _bootstrap(form: forms.Form) -> forms.Form:
    """Bootstrap classes, with each invalid field pointing at its own (prefixed) error."""
    apply_bootstrap(form)
    if form.is_bound:
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["aria-describedby"] = f"{form[name].auto_id}_error"
    return form


def _goal_form(access: RelationshipAccess, goal: Goal | None = None, data: Any = None) -> GoalForm:
    if goal is None:
        return GoalForm(data, prefix="new", suggest=access.side == "mentor")
    initial = {
        "title": goal.title,
        "measure": goal.measure,
        "target_on": goal.target_on,
        "progress_mode": goal.progress_mode,
        "manual_progress": goal.manual_progress,
    }
    return GoalForm(data, prefix=f"goal-{goal.pk}", initial=initial)


def _context(
    request: HttpRequest,
    access: RelationshipAccess,
    *,
    new_form: GoalForm | None = None,
    bound: dict[tuple[str, int], forms.Form] | None = None,
    error_goal: int | None = None,
    error: str = "",
    flash: str = "",
) -> dict[str, object]:
    """What the goals section shows: every goal with its forms (the one that failed stays
    filled in with its errors), the recent celebrations, and who may do what."""
    bound = bound or {}
    goals = selectors.goal_page_list(access=access)
    is_mentee = access.side == "mentee"
    rows = []
    for goal in goals:
        rows.append(
            {
                "goal": goal,
                "edit_form": _bootstrap(bound.get(("edit", goal.pk)) or _goal_form(access, goal)),
                "milestone_form": _bootstrap(
                    bound.get(("milestone", goal.pk))
                    or MilestoneForm(prefix=f"milestone-{goal.pk}")
                ),
                "comment_form": _bootstrap(
                    bound.get(("comment", goal.pk)) or CommentForm(prefix=f"comment-{goal.pk}")
                ),
                "error": error if error_goal == goal.pk else "",
                "open_edit": ("edit", goal.pk) in bound,
                "all_done": goal.status == GoalStatus.ACTIVE
                and goal.progress_mode == ProgressMode.DERIVED
                and goal.progress == 100,
            }
        )
    viewer_tz = profile_zone_get(user=access.user)
    return {
        "access": access,
        "relationship": access.relationship,
        "is_mentee": is_mentee,
        "is_open": access.is_open,
        "rows": rows,
        "celebrations": selectors.celebrations(goals=goals),
        "new_form": _bootstrap(new_form or _goal_form(access)),
        "open_new": new_form is not None or not goals,
        "error": error if error_goal is None else "",
        "flash": flash,
        "viewer_tz": viewer_tz,
        "today": datetime.datetime.now(viewer_tz).date(),
    }


def _render(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "goals/_goals.html", context)
    return render(request, "goals/list.html", context, status=status)


def _after(
    request: HttpRequest,
    access: RelationshipAccess,
    work: Callable[[], str],
    *,
    form: forms.Form | None = None,
    key: tuple[str, int] | None = None,
    goal_id: int | None = None,
) -> HttpResponse:
    """Run `work` (a service call returning the success message) when the form is valid;
    answer with the refreshed section (htmx) or a redirect, or show the refusal inline."""
    failure: DomainError | None = None
    if form is None or form.is_valid():
        try:
            message = work()
        except DomainError as error:
            failure = error
            if form is not None:
                add_domain_error(form, error)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return _render(request, _context(request, access, flash=message))
            messages.success(request, message)
            return redirect("goals:list", relationship_id=access.relationship.pk)
    bound: dict[tuple[str, int], forms.Form] = {}
    new_form = None
    if form is not None and key is not None:
        bound[key] = form
    elif isinstance(form, GoalForm):
        new_form = form
    # A refusal that names no field (not yours, wrong state) shows on the goal it is about;
    # the new-goal form shows its own on top of the form.
    show_error = (
        failure.detail if failure is not None and not failure.errors and new_form is None else ""
    )
    context = _context(
        request,
        access,
        new_form=new_form,
        bound=bound,
        error_goal=goal_id,
        error=show_error,
    )
    return _render(request, context, status=failure.status if failure is not None else 400)


@login_required
@require_GET
def goal_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The pair's goals: add or suggest, milestones, progress, comments, history."""
    access = relationship_access_for_request(request, relationship_id)
    return _render(request, _context(request, access))


@login_required
@require_POST
def goal_create(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The mentee sets a goal; the mentor's same form suggests one."""
    access = relationship_access_for_request(request, relationship_id)
    actor = access.user
    form = _goal_form(access, data=request.POST)

    def work() -> str:
        data = form.cleaned_data
        if access.side == "mentor":
            goal = services.goal_suggest(
                actor=actor,
                relationship_id=relationship_id,
                title=data["title"],
                measure=data["measure"],
                target_on=data["target_on"],
            )
            return _("You suggested the goal “%(title)s”.") % {"title": goal.title}
        goal = services.goal_create(
            actor=actor,
            relationship_id=relationship_id,
            title=data["title"],
            measure=data["measure"],
            target_on=data["target_on"],
            progress_mode=data.get("progress_mode") or ProgressMode.DERIVED,
            manual_progress=data.get("manual_progress") or 0,
        )
        return _("Goal set: %(title)s.") % {"title": goal.title}

    return _after(request, access, work, form=form)


@login_required
@require_POST
def goal_update(request: HttpRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    """The mentee adjusts a goal."""
    access = relationship_access_for_request(request, relationship_id)
    with guard_as_http():
        goal = selectors.goal_get(access=access, goal_id=goal_id)
    form = _goal_form(access, goal, data=request.POST)

    def work() -> str:
        data = form.cleaned_data
        manual = data.get("manual_progress")
        updated = services.goal_update(
            actor=access.user,
            relationship_id=relationship_id,
            goal_id=goal_id,
            title=data["title"],
            measure=data["measure"],
            target_on=data["target_on"],
            progress_mode=data.get("progress_mode") or None,
            manual_progress=manual if data.get("progress_mode") == ProgressMode.MANUAL else None,
        )
        return _("Goal updated: %(title)s.") % {"title": updated.title}

    return _after(request, access, work, form=form, key=("edit", goal_id), goal_id=goal_id)


_GOAL_ACTIONS: dict[str, tuple[Callable[..., Goal], Promise]] = {
    "accept": (services.goal_suggestion_accept, gettext_lazy("You accepted the goal “%(title)s”.")),
    "decline": (
        services.goal_suggestion_decline,
        gettext_lazy("You declined the suggested goal “%(title)s”."),
    ),
    "achieve": (services.goal_achieve, gettext_lazy("🎉 Goal achieved: %(title)s")),
    "drop": (services.goal_drop, gettext_lazy("You dropped the goal “%(title)s”.")),
    "reopen": (services.goal_reopen, gettext_lazy("You reopened the goal “%(title)s”.")),
}


@login_required
@require_POST
def goal_action(
    request: HttpRequest, relationship_id: int, goal_id: int, action: str
) -> HttpResponse:
    """Accept or decline a suggestion; achieve, drop or reopen a goal (the mentee)."""
    access = relationship_access_for_request(request, relationship_id)
    if action not in _GOAL_ACTIONS:
        raise Http404(_("No such action."))
    service, message = _GOAL_ACTIONS[action]

    def work() -> str:
        goal = service(actor=access.user, relationship_id=relationship_id, goal_id=goal_id)
        return str(message) % {"title": goal.title}

    return _after(request, access, work, goal_id=goal_id)


@login_required
@require_POST
def comment_create(request: HttpRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    """Either person comments on a goal."""
    access = relationship_access_for_request(request, relationship_id)
    form = CommentForm(request.POST, prefix=f"comment-{goal_id}")

    def work() -> str:
        services.goal_comment_create(
            actor=access.user,
            relationship_id=relationship_id,
            goal_id=goal_id,
            body=form.cleaned_data["body"],
        )
        return _("Comment added.")

    return _after(request, access, work, form=form, key=("comment", goal_id), goal_id=goal_id)


@login_required
@require_POST
def milestone_create(request: HttpRequest, relationship_id: int, goal_id: int) -> HttpResponse:
    """The mentee adds a milestone."""
    access = relationship_access_for_request(request, relationship_id)
    form = MilestoneForm(request.POST, prefix=f"milestone-{goal_id}")

    def work() -> str:
        milestone = services.milestone_create(
            actor=access.user,
            relationship_id=relationship_id,
            goal_id=goal_id,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
        )
        return _("Milestone added: %(title)s.") % {"title": milestone.title}

    return _after(request, access, work, form=form, key=("milestone", goal_id), goal_id=goal_id)


@login_required
@require_POST
def milestone_update(
    request: HttpRequest, relationship_id: int, goal_id: int, milestone_id: int
) -> HttpResponse:
    """The mentee renames a milestone or moves its due date (empty clears it)."""
    access = relationship_access_for_request(request, relationship_id)
    form = MilestoneForm(request.POST, prefix=f"edit-milestone-{milestone_id}")

    def work() -> str:
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            raise InvalidInput(str(first))
        milestone = services.milestone_update(
            actor=access.user,
            relationship_id=relationship_id,
            goal_id=goal_id,
            milestone_id=milestone_id,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
        )
        return _("Milestone updated: %(title)s.") % {"title": milestone.title}

    return _after(request, access, work, goal_id=goal_id)


def _milestone_step(
    service: Callable[..., object], message: Promise
) -> Callable[[HttpRequest, int, int, int], HttpResponse]:
    @login_required
    @require_POST
    def view(
        request: HttpRequest, relationship_id: int, goal_id: int, milestone_id: int
    ) -> HttpResponse:
        access = relationship_access_for_request(request, relationship_id)

        def work() -> str:
            milestone = service(
                actor=access.user,
                relationship_id=relationship_id,
                goal_id=goal_id,
                milestone_id=milestone_id,
            )
            return str(message) % {"title": getattr(milestone, "title", "")}

        return _after(request, access, work, goal_id=goal_id)

    view.__doc__ = service.__doc__
    return view


milestone_complete = _milestone_step(
    services.milestone_complete, gettext_lazy("🎉 Milestone reached: %(title)s")
)
milestone_reopen = _milestone_step(
    services.milestone_reopen, gettext_lazy("Milestone reopened: %(title)s.")
)
milestone_delete = _milestone_step(services.milestone_delete, gettext_lazy("Milestone removed."))
