"""Message threads over HTML: the pair's and the circle's, an htmx form, and a poll every
20 seconds for new messages. Thin: guards, then the same services and selectors as the API."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.conversations import selectors, services
from tandem.conversations.services import MAX_BODY
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.people.selectors import profile_zone_get


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "message-body"}),
    )


def _thread(
    request: HttpRequest, *, relationship_id: int | None = None, circle_id: int | None = None
) -> selectors.Thread:
    with guard_as_http():
        return selectors.thread_access(
            actor=signed_in_user(request), relationship_id=relationship_id, circle_id=circle_id
        )


def _show(
    request: HttpRequest,
    thread: selectors.Thread,
    *,
    relationship_id: int | None = None,
    circle_id: int | None = None,
) -> HttpResponse:
    after = request.GET.get("after", "")
    context = {
        "thread": thread,
        "relationship": thread.key.get("relationship"),
        "circle": thread.key.get("circle"),
        "viewer_timezone": profile_zone_get(user=thread.user),
        "post_url": thread.url + "send/",
    }
    if request.htmx and after.isdigit():  # type: ignore[attr-defined]
        messages = list(selectors.message_list(thread=thread, after_id=int(after)))
        last_id = messages[-1].pk if messages else int(after)
    else:
        messages = selectors.message_list_recent(thread=thread)
        last_id = messages[-1].pk if messages else 0
        context["form"] = apply_bootstrap(MessageForm())
    services.message_mark_read(
        actor=thread.user, relationship_id=relationship_id, circle_id=circle_id
    )
    context.update({"messages_shown": messages, "last_id": last_id})
    template = "conversations/_poll.html" if "form" not in context else "conversations/thread.html"
    return render(request, template, context)


def _post(
    request: HttpRequest,
    thread: selectors.Thread,
    *,
    relationship_id: int | None = None,
    circle_id: int | None = None,
) -> HttpResponse:
    form = MessageForm(request.POST)
    sent = False
    if form.is_valid():
        try:
            if relationship_id is not None:
                services.message_post(
                    actor=thread.user,
                    relationship_id=relationship_id,
                    body=form.cleaned_data["body"],
                )
            elif circle_id is not None:
                services.circle_message_post(
                    actor=thread.user, circle_id=circle_id, body=form.cleaned_data["body"]
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            sent = True
    if not request.htmx and sent:  # type: ignore[attr-defined]
        return redirect(thread.url)
    context = {
        "thread": thread,
        "form": apply_bootstrap(MessageForm() if sent else form),
        "post_url": thread.url + "send/",
    }
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "conversations/_form.html", context)
        if sent:
            response["HX-Trigger"] = "messages-changed"
        return response
    messages = selectors.message_list_recent(thread=thread)
    context.update(
        {
            "relationship": thread.key.get("relationship"),
            "circle": thread.key.get("circle"),
            "viewer_timezone": profile_zone_get(user=thread.user),
            "messages_shown": messages,
            "last_id": messages[-1].pk if messages else 0,
        }
    )
    return render(request, "conversations/thread.html", context, status=400)


@login_required
@require_GET
def relationship_thread(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """The pair's messages (the last 50, newest last); `?after=<id>` for the htmx poll."""
    thread = _thread(request, relationship_id=relationship_id)
    return _show(request, thread, relationship_id=relationship_id)


@login_required
@require_POST
def relationship_post(request: HttpRequest, relationship_id: int) -> HttpResponse:
    thread = _thread(request, relationship_id=relationship_id)
    return _post(request, thread, relationship_id=relationship_id)


@login_required
@require_GET
def circle_thread(request: HttpRequest, circle_id: int) -> HttpResponse:
    """The circle's messages, for its mentor and the mentees of its open relationships."""
    thread = _thread(request, circle_id=circle_id)
    return _show(request, thread, circle_id=circle_id)


@login_required
@require_POST
def circle_post(request: HttpRequest, circle_id: int) -> HttpResponse:
    thread = _thread(request, circle_id=circle_id)
    return _post(request, thread, circle_id=circle_id)
