"""Absolute links are built one way (`tandem.core.links`): on the host a request came to, or
on SITE_URL when there is no request. Seen broken: with `PORT=8811 make demo`, notification
emails, unsubscribe links, the calendar-feed URL and the .ics "meeting page" link all pointed
at :8000 while invitations and password resets were right."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from tandem.accounts.models import Invitation
from tandem.meetings import services as meeting_services
from tandem.meetings.tests.factories import schedule
from tandem.notifications.emails import outbox_email_build
from tandem.notifications.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8811"
HOST = "127.0.0.1:8811"
# How an absolute URL gets built when it is not built by tandem/core/links.py.
ELSEWHERE = [
    re.compile(r"SITE_URL"),
    re.compile(r"build_absolute_uri"),
    re.compile(r"\{\{\s*protocol\s*\}\}"),
    re.compile(r"\{\{\s*domain\s*\}\}"),
    re.compile(r"rstrip\(\"/\"\)\s*\+"),
    re.compile(r"get_current_site"),
    re.compile(r"[\"']https?://(127\.0\.0\.1|localhost)"),
]
ALLOWED = {ROOT / "tandem/core/links.py", ROOT / "config/settings/base.py"}


def _sources() -> list[Path]:
    found = []
    for folder in (ROOT / "tandem", ROOT / "config"):
        for path in folder.rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or path in ALLOWED:
                continue
            if "tests" in path.relative_to(ROOT).parts or "migrations" in path.parts:
                continue
            found.append(path)
    return found


def test_no_absolute_url_is_built_outside_core_links():
    # given every source file and template of the product
    offenders = []
    # when each is searched for another way to build an absolute URL
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            # (a docstring may name the setting; only code that reads it counts)
            code = line.split("#", 1)[0]
            if "settings.SITE_URL" in code or any(
                pattern.search(code) for pattern in ELSEWHERE[1:]
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    # then there is none
    assert offenders == []


def test_the_demo_sets_site_url_from_its_port():
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export SITE_URL ?= http://127.0.0.1:$(PORT)" in makefile


@pytest.fixture
def site(settings):
    settings.SITE_URL = BASE + "/"  # a trailing slash is tolerated
    return settings


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", text)


def _all_on_base(text: str) -> list[str]:
    links = _links(text)
    assert links, text
    return [link for link in links if not link.startswith(BASE + "/")]


def test_a_notification_email_links_to_the_site(site, cast):
    # given an outbox row as a nudge writes it (a path, not a URL)
    row = OutboxMessage(
        key="k",
        rule="test",
        category="reminders",
        recipient=cast.mentee,
        subject="A reminder",
        text_body="Your meeting is tomorrow.",
        url="/relationships/1/",
        message_id="<k@tandem.test>",
    )
    # when
    built = outbox_email_build(row)
    html = built.alternatives[0][0]
    # then the link, the preferences link and both unsubscribe links are on SITE_URL
    assert f"{BASE}/relationships/1/" in built.body
    assert _all_on_base(built.body) == []
    assert _all_on_base(html) == []
    assert built.extra_headers["List-Unsubscribe"].startswith(f"<{BASE}/")


def test_a_meeting_invitation_email_and_its_ics_link_to_the_site(
    site, pair, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(pair.relationship, video_url="")  # (the only link elsewhere)
    # when the worker delivers the invitations
    sent = [message for message in mail.outbox if message.attachments]
    # then each email's links and its calendar file's meeting page are on SITE_URL
    assert len(sent) == 2
    page = f"{BASE}{meeting_services.meeting_path(meeting)}"
    for message in sent:
        assert _all_on_base(message.body) == []
        assert f"{BASE}/" in message.extra_headers["List-Unsubscribe"]
        (attachment,) = message.attachments
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
        event = Calendar.from_ical(content).walk("VEVENT")[0]
        assert f"Meeting page: {page}" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("how", ["page", "api"])
def test_the_calendar_feed_url_is_on_the_host_asked_at(site, cast, api_as, how):
    # given a request to a host other than SITE_URL's (a proxy's name for the same site)
    host = "localhost:9090"
    # when the mentee creates their feed
    if how == "api":
        response = api_as(cast.mentee).post("me/calendar-feed", HTTP_HOST=host)
        url = response.json()["url"]
    else:
        client = Client(HTTP_HOST=host)
        client.force_login(cast.mentee)
        response = client.post(reverse("meetings:feed_rotate"))
        (url,) = [u for u in _links(response.content.decode()) if "/calendar/" in u]
    # then its URL is on that host, and the feed answers there
    assert url.startswith(f"http://{host}/")
    assert url.endswith(".ics")
    feed = Client(HTTP_HOST=host).get(url.removeprefix(f"http://{host}"))
    assert feed.status_code == 200


def test_the_calendar_feed_and_download_link_meetings_on_the_host_asked_at(site, pair):
    # given
    meeting = schedule(pair.relationship)
    raw = meeting_services.calendar_feed_rotate(actor=pair.mentee)
    page = meeting_services.meeting_path(meeting)
    # when the feed and the invitation download are fetched at the demo's address
    feed = Client(HTTP_HOST=HOST).get(reverse("meetings:feed", args=[raw]))
    client = Client(HTTP_HOST=HOST)
    client.force_login(pair.mentee)
    download = client.get(reverse("meetings:invite", args=[pair.relationship.pk, meeting.pk]))
    # then both name the meeting page there
    for response in (feed, download):
        event = Calendar.from_ical(response.content).walk("VEVENT")[0]
        assert f"Meeting page: {BASE}{page}" in str(event["DESCRIPTION"])
    # and the URL a service makes without a request is on SITE_URL
    assert meeting_services.feed_url(raw).startswith(f"{BASE}/calendar/")


def test_an_invitation_links_to_the_host_asked_at(
    site, cast, api_as, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(cast.admin).post(
            "invitations", {"email": "new@northwind.test", "role": "member"}, HTTP_HOST=HOST
        )
    # then
    assert response.status_code == 201
    assert Invitation.objects.count() == 1
    (sent,) = mail.outbox
    assert _all_on_base(sent.body) == []


def test_a_password_reset_links_to_the_host_asked_at(site, cast):
    # when
    response = Client(HTTP_HOST=HOST).post(
        reverse("accounts:password_reset"), {"email": cast.mentee.email}
    )
    # then
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert _all_on_base(sent.body) == []
    assert f"{BASE}/accounts/" in sent.body
