import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.notifications.context_processors import unread_notifications
from tandem.notifications.models import Notification, NotificationPreference
from tandem.notifications.tests.factories import NotificationFactory

HTMX = {"HX-Request": "true"}
SIGNED_IN = [name for name in ACTOR_NAMES if name != "anonymous"]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_list_page_shows_only_my_notifications(cast, client, name):
    # given
    for other in SIGNED_IN:
        NotificationFactory(user=cast.by_name(other), title=f"For {other}")
    user = cast.by_name(name)
    if user is not None:
        client.force_login(user)
    # when
    response = client.get(reverse("notifications:list"))
    # then
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert [title for title in (f"For {other}" for other in SIGNED_IN) if title in html] == [
        f"For {name}"
    ]


def test_unread_ones_are_marked_and_can_be_read_one_by_one(cast, client):
    # given
    unread = NotificationFactory(user=cast.member, title="New one")
    NotificationFactory(user=cast.member, title="Old one", read_at="2030-01-01T00:00:00Z")
    client.force_login(cast.member)
    # when
    page = client.get(reverse("notifications:list")).content.decode()
    response = client.post(reverse("notifications:mark_read"), {"id": unread.pk}, headers=HTMX)
    # then
    assert page.count("list-group-item-primary") == 1
    assert page.count('data-testid="mark-read"') == 1
    assert response.status_code == 200
    assert "list-group-item-primary" not in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_mark_all_read_leaves_others_alone(cast, client):
    # given
    for _ in range(3):
        NotificationFactory(user=cast.member)
    theirs = NotificationFactory(user=cast.mentor)
    client.force_login(cast.member)
    # when
    response = client.post(reverse("notifications:mark_read"))
    # then
    assert response.status_code == 302
    assert Notification.objects.filter(user=cast.member, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_another_persons_notification_by_id_does_nothing(cast, client):
    # given
    theirs = NotificationFactory(user=cast.mentor)
    mine = NotificationFactory(user=cast.member)
    client.force_login(cast.member)
    # when
    client.post(reverse("notifications:mark_read"), {"id": theirs.pk}, headers=HTMX)
    client.post(reverse("notifications:mark_read"), {"id": "not-a-number"}, headers=HTMX)
    # then
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_list_page_query_budget_and_pagination(cast, client, django_assert_max_num_queries):
    # given
    for _ in range(30):
        NotificationFactory(user=cast.member)
    client.force_login(cast.member)
    # when
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:list"))
    # then
    html = response.content.decode()
    assert html.count('data-testid="mark-read"') == 20
    assert 'data-testid="next-page"' in html
    assert 'data-testid="previous-page"' not in html


def test_preferences_page_has_a_row_per_category_with_three_choices(cast, client):
    # given
    client.force_login(cast.member)
    # when
    response = client.get(reverse("notifications:preferences"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    # a member is offered every category but the managers' (digest, report, integrations): 10
    # with three choices, and "Your personal data", which cannot be turned off
    assert html.count('type="radio"') == 10 * 3 + 2
    assert 'id="privacy-off"' not in html
    assert html.count("<legend") == 12
    assert 'id="goals-email" value="email" checked' in html


def test_preferences_page_saves(cast, client):
    # given
    client.force_login(cast.member)
    # when
    response = client.post(
        reverse("notifications:preferences"), {"goals": "off", "meetings": "in_app"}
    )
    # then
    assert response.status_code == 302
    assert sorted(
        NotificationPreference.objects.filter(user=cast.member).values_list("category", "channel")
    ) == [("goals", "off"), ("meetings", "in_app")]


def test_preferences_page_refuses_an_invalid_choice_and_changes_nothing(cast, client):
    # given
    client.force_login(cast.member)
    # when
    response = client.post(
        reverse("notifications:preferences"), {"goals": "off", "meetings": "carrier-pigeon"}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-meetings"' in html
    assert "&#x27;carrier-pigeon&#x27; is not a channel" in html
    assert NotificationPreference.objects.count() == 0


def test_preferences_page_needs_sign_in(client, db):
    # when
    response = client.get(reverse("notifications:preferences"))
    # then
    assert response.status_code == 302


def test_context_processor_counts_my_unread_in_one_query(cast, django_assert_num_queries):
    # given
    NotificationFactory(user=cast.member)
    NotificationFactory(user=cast.member)
    NotificationFactory(user=cast.member, read_at="2030-01-01T00:00:00Z")
    NotificationFactory(user=cast.mentor)
    request = RequestFactory().get("/")
    request.user = cast.member
    anonymous = RequestFactory().get("/")
    anonymous.user = AnonymousUser()
    # when
    with django_assert_num_queries(1):
        mine = unread_notifications(request)
    with django_assert_num_queries(0):
        nobody = unread_notifications(anonymous)
    # then
    assert (mine, nobody) == ({"unread_notifications": 2}, {"unread_notifications": 0})
