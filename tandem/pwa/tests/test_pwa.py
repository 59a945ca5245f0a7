"""The installable app's resources: served at stable URLs with the right types and headers,
under the Content-Security-Policy, naming no one."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from tandem.accounts.tests.factories import UserFactory
from tandem.core.csp import POLICY
from tandem.pwa import views
from tandem.pwa.offline import HEADER, keep_offline, offline_key

STATIC = Path(views.__file__).resolve().parent / "static"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_worker():
    views._service_worker_script.cache_clear()
    yield
    views._service_worker_script.cache_clear()


def test_the_manifest_is_served_as_a_manifest_and_makes_the_app_installable(client: Client):
    # when
    response = client.get("/manifest.webmanifest")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert response["Content-Security-Policy"] == POLICY
    manifest = json.loads(response.content)
    assert {key: manifest[key] for key in ("name", "short_name", "start_url", "scope")} == {
        "name": "Tandem mentoring",
        "short_name": "Tandem",
        "start_url": "/?source=app",
        "scope": "/",
    }
    assert (manifest["display"], manifest["theme_color"]) == ("standalone", "#0d6efd")
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), icon in icons.items():
        assert icon["type"] == "image/png"
        # the file behind each icon is a PNG of exactly the size announced
        path = STATIC / icon["src"].removeprefix("/static/")
        with Image.open(path) as image:
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", sizes)


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client: Client):
    # when
    response = client.get("/sw.js")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Security-Policy"] == POLICY
    script = response.content.decode()
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', script)
    assert version is not None
    # the shell it caches: the offline page and every asset the base template loads
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert shell[0] == "/offline/"
    assert "/static/tandem/tandem.js" in shell
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in shell
    # the contract with web push: its two handlers live here
    assert 'addEventListener("push"' in script
    assert "self.registration.showNotification(data.title" in script
    assert 'addEventListener("notificationclick"' in script
    assert "{%" not in script
    assert "{{" not in script


def test_the_worker_version_changes_when_a_shell_file_changes(
    client: Client, monkeypatch, tmp_path
):
    # given
    before = client.get("/sw.js").content.decode()
    changed = tmp_path / "tandem.js"
    changed.write_text("// a new release\n")
    real_find = views.finders.find

    def find(path, *args, **kwargs):
        return str(changed) if path == "tandem/tandem.js" else real_find(path, *args, **kwargs)

    monkeypatch.setattr(views.finders, "find", find)
    views._service_worker_script.cache_clear()
    # when
    after = client.get("/sw.js").content.decode()
    # then only the version moved
    version = re.compile(r'const VERSION = "[0-9a-f]{16}";')
    assert version.search(before).group(0) != version.search(after).group(0)
    assert version.sub("", before) == version.sub("", after)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_offline_page_is_the_same_for_everyone_and_names_no_one(client: Client, signed_in):
    # given
    person = UserFactory(first_name="Zebedee", last_name="Quill")
    if signed_in:
        client.force_login(person)
    # when
    response = client.get("/offline/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "No connection" in page
    assert "Zebedee" not in page
    assert person.email not in page
    assert "csrfmiddlewaretoken" not in page
    assert "<script" not in page


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js", "/offline/"])
def test_the_app_resources_accept_only_reads(client: Client, path):
    assert client.post(path).status_code == 405


def test_every_page_links_the_manifest_and_the_theme_colour(client: Client):
    # given
    client.force_login(UserFactory())
    # when
    page = client.get("/", follow=True).content.decode()
    # then
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#0d6efd">' in page
    assert 'data-service-worker="/sw.js"' in page


def test_offline_keys_differ_by_person_and_say_nothing_of_them():
    # given
    first, second = UserFactory(), UserFactory()
    # then
    assert offline_key(first) == offline_key(first)
    assert offline_key(first) != offline_key(second)
    assert re.fullmatch(r"[0-9a-f]{32}", offline_key(first))
    assert str(first.pk) != offline_key(first)


@pytest.mark.parametrize("status", [200, 302, 404])
@pytest.mark.parametrize("signed_in", [False, True])
def test_only_a_signed_in_persons_successful_page_is_marked_to_keep(rf, status, signed_in):
    # given
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    person = UserFactory()
    request = rf.get("/somewhere/")
    request.user = person if signed_in else AnonymousUser()
    view = keep_offline(lambda request: HttpResponse(status=status))
    # when
    response = view(request)
    # then
    if signed_in and status == 200:
        assert response[HEADER] == offline_key(person)
    else:
        assert HEADER not in response
