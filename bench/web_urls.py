"""Tandem's URLs plus `bench/floor/`: the least a Django view on this server can cost (no
session, no database), the floor the measured paths are compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as tandem_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *tandem_urlpatterns]
