from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    return render(request, "people/placeholder.html", {"nav_section": "people"})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "people/placeholder.html", {"nav_section": "profile"})


@login_required
def skills(request: HttpRequest) -> HttpResponse:
    return render(request, "people/placeholder.html", {"nav_section": "skills"})
