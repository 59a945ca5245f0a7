"""Every page that shows a person a moment shows it in the zone their profile names, read by
its one owner (`people.selectors.profile_timezone_get`), and UTC when that zone is blank or
unknown. Each place renders the same instant; only the viewer's zone changes."""

import datetime

import pytest
from django.urls import reverse

from tandem.conversations.models import Message
from tandem.conversations.services import message_post
from tandem.feedback.tests.factories import MentorFeedbackFactory
from tandem.goals.models import GoalComment
from tandem.goals.services import goal_comment_create
from tandem.goals.tests.factories import GoalFactory
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.notifications.tests.factories import NotificationFactory
from tandem.people.models import Profile

# 23:30 UTC on 10 March: already 11 March in Tokyo, still 10 March in New York.
MOMENT = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)

# (profile zone, what the page's <time datetime=…> says for MOMENT)
ZONES = [
    ("Asia/Tokyo", "2026-03-11T08:30:00+09:00"),
    ("America/New_York", "2026-03-10T19:30:00-04:00"),
    ("Asia/Kolkata", "2026-03-11T05:00:00+05:30"),
    ("UTC", "2026-03-10T23:30:00+00:00"),
    ("", "2026-03-10T23:30:00+00:00"),  # blank: UTC
    ("Mars/Olympus_Mons", "2026-03-10T23:30:00+00:00"),  # unknown: UTC
]


def _message(pair) -> str:
    message = message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body="Hi")
    Message.objects.filter(pk=message.pk).update(created_at=MOMENT)
    return reverse("conversations:relationship_thread", args=[pair.relationship.pk])


def _journal(pair) -> str:
    entry = JournalEntryFactory(author=pair.mentor, relationship=pair.relationship)
    type(entry).objects.filter(pk=entry.pk).update(created_at=MOMENT)
    return reverse("journals:list", args=[pair.relationship.pk])


def _feedback(pair) -> str:
    feedback = MentorFeedbackFactory(relationship=pair.relationship)
    type(feedback).objects.filter(pk=feedback.pk).update(created_at=MOMENT)
    return reverse("feedback:list", args=[pair.relationship.pk])


def _notification(pair) -> str:
    notification = NotificationFactory(user=pair.mentor)
    type(notification).objects.filter(pk=notification.pk).update(created_at=MOMENT)
    return reverse("notifications:list")


def _goal_comment(pair) -> str:
    goal = GoalFactory(relationship=pair.relationship, created_by=pair.mentee)
    goal_comment_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=goal.pk, body="Hello"
    )
    GoalComment.objects.update(created_at=MOMENT)
    return reverse("goals:list", args=[pair.relationship.pk])


PLACES = [_message, _journal, _feedback, _notification, _goal_comment]


@pytest.mark.parametrize(("zone", "shown"), ZONES, ids=[z or "blank" for z, _ in ZONES])
@pytest.mark.parametrize("place", PLACES, ids=[p.__name__.strip("_") for p in PLACES])
def test_each_place_shows_the_moment_in_the_viewers_own_zone(client, pair, zone, shown, place):
    # given the mentor works in `zone`, and something happened at MOMENT
    Profile.objects.filter(user=pair.mentor).update(timezone=zone)
    url = place(pair)
    # when the mentor opens the page that shows it
    client.force_login(pair.mentor)
    response = client.get(url)
    # then the moment is written in their zone
    assert response.status_code == 200
    assert f'datetime="{shown}"' in response.content.decode()
