import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.conversations import selectors, services
from tandem.conversations.models import Message
from tandem.conversations.tests.factories import make_circle

HTMX = {"HX-Request": "true"}
BODY = "See you Thursday at the cafe"


def _login(client, user) -> None:
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_thread_page_matrix(pair, client, actor_name):
    # given
    services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY)
    _login(client, pair.by_name(actor_name))
    url = reverse("conversations:relationship_thread", args=[pair.relationship.pk])
    # when
    response = client.get(url)
    # then
    html = response.content.decode()
    if actor_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    elif actor_name in ("mentor", "mentee"):
        assert response.status_code == 200
        assert BODY in html
        assert 'data-testid="message-body"' in html
        assert 'data-testid="send-message"' in html
        assert 'hx-trigger="every 20s, messages-changed from:body"' in html
        assert f'href="/relationships/{pair.relationship.pk}/"' in html
    else:
        assert response.status_code == 404
        assert BODY not in html


def test_opening_the_thread_marks_it_read(pair, client):
    # given
    services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY)
    thread = selectors.thread_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    assert selectors.message_unread_count(thread=thread) == 1
    client.force_login(pair.mentor)
    # when
    client.get(reverse("conversations:relationship_thread", args=[pair.relationship.pk]))
    # then
    assert selectors.message_unread_count(thread=thread) == 0


def test_poll_returns_only_new_messages_and_a_new_poller(pair, client):
    # given
    first = services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body="a")
    second = services.message_post(
        actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY
    )
    client.force_login(pair.mentor)
    url = reverse("conversations:relationship_thread", args=[pair.relationship.pk])
    # when
    response = client.get(url, {"after": first.pk}, headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="message"') == 1
    assert BODY in html
    assert f'hx-get="{url}?after={second.pk}"' in html
    assert "<html" not in html


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_post_matrix(pair, client, actor_name):
    # given
    _login(client, pair.by_name(actor_name))
    # when
    response = client.post(
        reverse("conversations:relationship_post", args=[pair.relationship.pk]),
        {"body": BODY},
        headers=HTMX,
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 200
        assert response["HX-Trigger"] == "messages-changed"
        message = Message.objects.get()
        assert (message.author, message.body) == (pair.by_name(actor_name), BODY)
    else:
        assert response.status_code == (302 if actor_name == "anonymous" else 404)
        assert not Message.objects.exists()


def test_post_empty_shows_the_error_inline(pair, client):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("conversations:relationship_post", args=[pair.relationship.pk]),
        {"body": ""},
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "HX-Trigger" not in response
    assert not Message.objects.exists()


def test_post_without_htmx_redirects_to_the_thread(pair, client):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("conversations:relationship_post", args=[pair.relationship.pk]), {"body": BODY}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/relationships/{pair.relationship.pk}/messages/"


@pytest.mark.parametrize("actor_name", [*PAIR_ACTOR_NAMES, "circle_mentor", "circle_mentee"])
def test_circle_pages_matrix(pair, client, actor_name):
    # given
    group = make_circle(program=pair.cast.program)
    services.circle_message_post(actor=group.mentees[0], circle_id=group.circle.pk, body=BODY)
    people = {"circle_mentor": group.mentor, "circle_mentee": group.mentees[1]}
    user = people[actor_name] if actor_name in people else pair.by_name(actor_name)
    _login(client, user)
    # when
    page = client.get(reverse("conversations:circle_thread", args=[group.circle.pk]))
    posted = client.post(
        reverse("conversations:circle_post", args=[group.circle.pk]), {"body": "hi"}, headers=HTMX
    )
    # then
    if actor_name.startswith("circle_"):
        assert page.status_code == 200
        assert BODY in page.content.decode()
        assert posted.status_code == 200
        assert Message.objects.count() == 2
    else:
        assert page.status_code == (302 if actor_name == "anonymous" else 404)
        assert posted.status_code == (302 if actor_name == "anonymous" else 404)
        assert Message.objects.count() == 1


def test_thread_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    for index in range(60):
        services.message_post(
            actor=(pair.mentor, pair.mentee)[index % 2],
            relationship_id=pair.relationship.pk,
            body=f"message {index}",
        )
    client.force_login(pair.mentee)
    # when
    with django_assert_max_num_queries(16):
        response = client.get(
            reverse("conversations:relationship_thread", args=[pair.relationship.pk])
        )
    # then: the last 50, newest last
    html = response.content.decode()
    assert html.count('data-testid="message"') == 50
    assert html.index("message 10<") < html.index("message 59<")
    assert "message 9<" not in html


def test_circle_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    group = make_circle(program=pair.cast.program, mentees=4)
    for index in range(20):
        services.circle_message_post(
            actor=group.mentees[index % 4], circle_id=group.circle.pk, body=f"m{index}"
        )
    client.force_login(group.mentor)
    # when
    with django_assert_max_num_queries(16):
        response = client.get(reverse("conversations:circle_thread", args=[group.circle.pk]))
    # then
    assert response.content.decode().count('data-testid="message"') == 20
