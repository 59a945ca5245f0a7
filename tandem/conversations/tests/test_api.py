import pytest
from django.core.serializers.json import DjangoJSONEncoder

from conftest import PAIR_ACTOR_NAMES
from tandem.conversations import services
from tandem.conversations.models import Message, MessageRead
from tandem.conversations.tests.factories import make_circle

BODY = "Thanks for today, the role-play helped"


def _state() -> tuple[list[dict], list[dict]]:
    return (
        list(Message.objects.order_by("pk").values()),
        list(MessageRead.objects.order_by("pk").values()),
    )


def _json(message: Message) -> dict:
    author = message.author
    return {
        "id": message.pk,
        "author_id": author.pk,
        "author_name": author.get_full_name(),
        "body": message.body,
        "created_at": DjangoJSONEncoder().default(message.created_at),
    }


def _denied(actor_name: str) -> int:
    return 401 if actor_name == "anonymous" else 404


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_list_matrix(pair, api_as, actor_name):
    # given
    first = services.message_post(
        actor=pair.mentee, relationship_id=pair.relationship.pk, body=BODY
    )
    second = services.message_post(
        actor=pair.mentor, relationship_id=pair.relationship.pk, body="Glad it did"
    )
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"relationships/{pair.relationship.pk}/messages"
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 200
        assert response.json() == {"items": [_json(first), _json(second)], "count": 2}
    else:
        assert response.status_code == _denied(actor_name)
        assert BODY not in response.content.decode()


def test_list_after_id_gives_only_newer(pair, api_as):
    # given
    first = services.message_post(actor=pair.mentee, relationship_id=pair.relationship.pk, body="1")
    second = services.message_post(
        actor=pair.mentee, relationship_id=pair.relationship.pk, body="2"
    )
    # when
    response = api_as(pair.mentor).get(
        f"relationships/{pair.relationship.pk}/messages", {"after_id": first.pk}
    )
    # then
    assert response.json() == {"items": [_json(second)], "count": 1}


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_post_matrix(pair, api_as, actor_name):
    # given
    before = _state()
    # when
    response = api_as(pair.by_name(actor_name)).post(
        f"relationships/{pair.relationship.pk}/messages", {"body": BODY}
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 201
        message = Message.objects.get()
        assert message.author == pair.by_name(actor_name)
        assert response.json() == _json(message)
    else:
        assert response.status_code == _denied(actor_name)
        assert _state() == before


def test_post_empty_is_a_problem(pair, api_as):
    # when
    response = api_as(pair.mentee).post(
        f"relationships/{pair.relationship.pk}/messages", {"body": "  "}
    )
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": "Write a message first."}]
    assert not Message.objects.exists()


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_mark_read_matrix(pair, api_as, actor_name):
    # given
    services.message_post(actor=pair.mentor, relationship_id=pair.relationship.pk, body=BODY)
    before = _state()
    # when
    response = api_as(pair.by_name(actor_name)).post(
        f"relationships/{pair.relationship.pk}/messages/read"
    )
    # then
    if actor_name in ("mentor", "mentee"):
        assert response.status_code == 204
        assert MessageRead.objects.filter(user=pair.by_name(actor_name)).count() == 1
    else:
        assert response.status_code == _denied(actor_name)
        assert _state() == before


CIRCLE_ACTORS = [*PAIR_ACTOR_NAMES, "circle_mentor", "circle_mentee"]


def _circle_actor(pair, group, name):
    if name == "circle_mentor":
        return group.mentor
    if name == "circle_mentee":
        return group.mentees[1]
    return pair.by_name(name)


@pytest.mark.parametrize("actor_name", CIRCLE_ACTORS)
def test_circle_thread_matrix(pair, api_as, actor_name):
    # given
    group = make_circle(program=pair.cast.program)
    message = services.circle_message_post(
        actor=group.mentees[0], circle_id=group.circle.pk, body=BODY
    )
    client = api_as(_circle_actor(pair, group, actor_name))
    before = _state()
    # when
    listed = client.get(f"circles/{group.circle.pk}/messages")
    posted = client.post(f"circles/{group.circle.pk}/messages", {"body": "Hello circle"})
    # then
    if actor_name.startswith("circle_"):
        assert listed.status_code == 200
        assert listed.json() == {"items": [_json(message)], "count": 1}
        assert posted.status_code == 201
        assert posted.json()["body"] == "Hello circle"
    else:
        assert listed.status_code == _denied(actor_name)
        assert posted.status_code == _denied(actor_name)
        assert BODY not in listed.content.decode()
        assert _state() == before


def test_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    for index in range(30):
        services.message_post(
            actor=(pair.mentor, pair.mentee)[index % 2],
            relationship_id=pair.relationship.pk,
            body=f"message {index}",
        )
    client = api_as(pair.mentee)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(f"relationships/{pair.relationship.pk}/messages")
    # then
    assert response.json()["count"] == 30


def test_circle_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    group = make_circle(program=pair.cast.program, mentees=4)
    for index in range(20):
        services.circle_message_post(
            actor=group.mentees[index % 4], circle_id=group.circle.pk, body=f"m{index}"
        )
    client = api_as(group.mentor)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(f"circles/{group.circle.pk}/messages")
    # then
    assert response.json()["count"] == 20
