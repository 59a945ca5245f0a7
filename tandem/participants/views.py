from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "people/placeholder.html", {"nav_section": "home"})


# Being built (issue 2): the routes exist so that other apps' templates can link to them.
@login_required
def program_participants(request: HttpRequest, program_id: int) -> HttpResponse:
    raise Http404


@login_required
def program_participants_export(request: HttpRequest, program_id: int) -> HttpResponse:
    raise Http404


@login_required
def enroll(request: HttpRequest, program_id: int) -> HttpResponse:
    raise Http404
