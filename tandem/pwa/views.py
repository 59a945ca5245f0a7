"""The installable app's three resources: the web app manifest, the service worker (served
from the site root so its scope is the whole site) and the page shown offline."""

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0d6efd"
BACKGROUND_COLOUR = "#ffffff"

# What every page needs, cached when the service worker installs.
SHELL_ASSETS = [
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "tandem/tandem.css",
    "tandem/tandem.js",
    "pwa/icon-192.png",
]


def manifest_data() -> dict[str, object]:
    return {
        "name": "Tandem mentoring",
        "short_name": "Tandem",
        "description": "Your mentoring pair's hub, meetings, notes and actions.",
        "id": "/",
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("pwa/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(manifest_data(), indent=2), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _shell_urls() -> list[str]:
    return [reverse("pwa:offline"), *(static(asset) for asset in SHELL_ASSETS)]


@lru_cache(maxsize=1)
def _service_worker_script() -> str:
    """The worker's code with its shell list and version. The version hashes the code and
    every shell file's bytes, so a deploy that changes any of them installs a new worker,
    which drops the old shell cache (computed once per process: files change only on deploy)."""
    shell = _shell_urls()
    digest = hashlib.sha256()
    for asset in SHELL_ASSETS:
        digest.update(asset.encode())
        found = finders.find(asset)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    script = render_to_string(
        "pwa/sw.js",
        {
            "shell_json": json.dumps(shell),
            "login_path_json": json.dumps(reverse("accounts:login")),
            "offline_path_json": json.dumps(reverse("pwa:offline")),
            "icon_json": json.dumps(static("pwa/icon-192.png")),
        },
    )
    digest.update(script.encode())
    return script.replace("__VERSION__", digest.hexdigest()[:16])


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_service_worker_script(), content_type="text/javascript")
    # The worker lives at the root, so its scope is the whole site; browsers check it for
    # updates on navigation, and `no-cache` makes that check reach the server.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown for a page that is neither reachable nor kept. Cached for everyone, so it names
    no one and shows nothing private."""
    return render(request, "pwa/offline.html")
