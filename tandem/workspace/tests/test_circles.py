"""A group circle is one thing (issue 13): one card on its members' home page, one circle
page with its members, meetings and messages, and one row on the managers' list."""

import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.conversations import services as conversations
from tandem.conversations.tests.factories import make_circle
from tandem.meetings.tests.factories import schedule
from tandem.relationships.services import relationship_transition

CIRCLE_MEMBERS = ("circle_mentor", "circle_mentee", "other_circle_mentee")
BODY = "Shall we read chapter two before Thursday?"


def _person(pair, group, name):
    people = {
        "circle_mentor": group.mentor,
        "circle_mentee": group.mentees[0],
        "other_circle_mentee": group.mentees[1],
    }
    return people[name] if name in people else pair.by_name(name)


def _home_cards(client, user):
    client.force_login(user)
    page = client.get("/").content.decode()
    section = page[page.index('data-testid="my-relationships"') :]
    return section[: section.index("</section>")]


# --- the home page: one card per circle ---------------------------------------------------


@pytest.mark.parametrize("name", CIRCLE_MEMBERS)
def test_each_member_sees_the_circle_as_one_card(pair, client, name):
    # given a circle of three mentees with a meeting planned by one of its pairs
    group = make_circle(program=pair.cast.program, mentees=3)
    meeting = schedule(group.relationships[1])
    user = _person(pair, group, name)
    # when
    cards = _home_cards(client, user)
    # then one card, for the circle, naming its topic, mentor, members and next meeting
    assert cards.count('data-testid="circle-card"') == 1
    assert cards.count("<article") == 1
    assert f'href="/circles/{group.circle.pk}/"' in cards
    assert "Speaking up" in cards
    assert group.mentor.display_name in cards
    for mentee in group.mentees:
        assert mentee.display_name in cards
    assert f'datetime="{meeting.starts_at:%Y-%m-%dT%H:%M}' in cards
    for relationship in group.relationships:
        assert f"/relationships/{relationship.pk}/" not in cards


def test_a_circle_leaving_its_open_state_is_a_pair_again_on_home(pair, client):
    # given a circle whose only other member's pair ended
    group = make_circle(program=pair.cast.program, mentees=1)
    relationship_transition(
        actor=group.mentor,
        relationship_id=group.relationships[0].pk,
        action="end",
        reason="Moved teams",
    )
    # then its mentee's home shows the closed pair, not a circle of nobody
    cards = _home_cards(client, group.mentees[0])
    assert 'data-testid="circle-card"' not in cards
    assert f"/relationships/{group.relationships[0].pk}/" in cards


@pytest.mark.parametrize("size", [2, 6])
def test_circle_cards_cost_the_same_whatever_the_circles_size(
    pair, client, django_assert_num_queries, size
):
    # given a mentor leading a circle of `size` mentees, each pair with a meeting planned
    group = make_circle(program=pair.cast.program, mentees=size)
    for relationship in group.relationships:
        schedule(relationship)
    client.force_login(group.mentor)
    client.get("/")  # warm the session and the viewer's zone
    # when / then the home page costs the same for 2 or 6 members (no query per member)
    with django_assert_num_queries(HOME_QUERIES):
        client.get("/")


# A pair's home (test_workspace.HOME_QUERIES) and the circle's members and next meeting.
HOME_QUERIES = 11


# --- the circle's page -------------------------------------------------------------------


@pytest.mark.parametrize("name", [*PAIR_ACTOR_NAMES, "other_manager", *CIRCLE_MEMBERS])
def test_circle_page_matrix(pair, client, name):
    # given a circle with a message; the pair fixture's people are outside it
    group = make_circle(program=pair.cast.program, mentees=2)
    conversations.circle_message_post(actor=group.mentees[0], circle_id=group.circle.pk, body=BODY)
    user = _person(pair, group, name)
    if user is not None:
        client.force_login(user)
    # when
    response = client.get(reverse("workspace:circle", args=[group.circle.pk]))
    # then its members read it; everyone else, managers and admins included, gets 404
    if name in CIRCLE_MEMBERS:
        assert response.status_code == 200
        assert BODY in response.content.decode()
    elif name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404
        assert BODY not in response.content.decode()


def test_a_circle_of_another_organisation_is_not_found(pair, client):
    group = make_circle(program=pair.cast.program, mentees=2)
    client.force_login(pair.cast.outsider)
    assert client.get(f"/circles/{group.circle.pk}/").status_code == 404
    assert client.get(f"/circles/{group.circle.pk + 1000}/").status_code == 404


def test_the_circle_page_shows_members_meetings_messages_and_the_pair_hubs(pair, client):
    # given a circle with a meeting planned by one pair and a message from its mentor
    group = make_circle(program=pair.cast.program, mentees=3)
    meeting = schedule(group.relationships[2])
    conversations.circle_message_post(actor=group.mentor, circle_id=group.circle.pk, body=BODY)
    url = f"/circles/{group.circle.pk}/"
    # when the mentor opens it
    client.force_login(group.mentor)
    page = client.get(url).content.decode()
    # then every member, the meeting, the message, and a hub link per pair
    for mentee in group.mentees:
        assert mentee.display_name in page
    assert f'datetime="{meeting.starts_at:%Y-%m-%dT%H:%M}' in page
    assert BODY in page
    for relationship in group.relationships:
        assert f'href="/relationships/{relationship.pk}/"' in page
    assert "agreement, goals and journal stay one-to-one" in page
    # when a mentee opens it: only their own pair's hub is linked
    client.force_login(group.mentees[1])
    page = client.get(url).content.decode()
    assert f'href="/relationships/{group.relationships[1].pk}/"' in page
    for other in (group.relationships[0], group.relationships[2]):
        assert f'href="/relationships/{other.pk}/"' not in page
    assert f'href="/circles/{group.circle.pk}/messages/"' in page


@pytest.mark.parametrize("size", [2, 6])
def test_the_circle_page_costs_the_same_whatever_its_size(
    pair, client, django_assert_num_queries, size
):
    group = make_circle(program=pair.cast.program, mentees=size)
    for index, relationship in enumerate(group.relationships):
        schedule(relationship)
        conversations.circle_message_post(
            actor=group.mentees[index], circle_id=group.circle.pk, body=f"Hello {index}"
        )
    client.force_login(group.mentor)
    client.get(f"/circles/{group.circle.pk}/")
    with django_assert_num_queries(CIRCLE_PAGE_QUERIES):
        client.get(f"/circles/{group.circle.pk}/")


CIRCLE_PAGE_QUERIES = 9


# --- the managers' list: one row per circle ------------------------------------------------


def _signals(client, pair, query=""):
    client.force_login(pair.cast.manager)
    page = client.get(f"/programs/{pair.cast.program.pk}/relationships/{query}").content.decode()
    return page


def test_managers_see_a_circle_as_one_row_with_its_members(pair, client):
    # given two circles and the fixture's two one-to-one pairs
    first = make_circle(program=pair.cast.program, mentees=3, prefix="first")
    second = make_circle(program=pair.cast.program, mentees=2, prefix="second")
    # when
    page = _signals(client, pair)
    # then one row per circle, listing its members, and one row per pair
    table = page[page.index('data-testid="signals-table"') :]
    assert table.count('data-testid="circle-row"') == 2
    assert table.count("<tr") == 1 + 2 + 2  # the header, two circles, two pairs
    for group in (first, second):
        for mentee in group.mentees:
            assert table.count(mentee.display_name) == 1
        for relationship in group.relationships:
            assert f"/relationships/{relationship.pk}/status/" in table
    assert "Open: 2 circles (5 mentees) and 2 pairs." in page
    # and never what they wrote
    conversations.circle_message_post(actor=first.mentor, circle_id=first.circle.pk, body=BODY)
    assert BODY not in _signals(client, pair)


@pytest.mark.parametrize(
    ("kind", "circles", "pairs"), [("", 1, 2), ("circles", 1, 0), ("pairs", 0, 2)]
)
def test_the_managers_list_filters_circles_and_pairs(pair, client, kind, circles, pairs):
    group = make_circle(program=pair.cast.program, mentees=2)
    page = _signals(client, pair, f"?kind={kind}")
    table = page[page.index('data-testid="signals-table"') :]
    assert table.count('data-testid="circle-row"') == circles
    assert table.count("<tr") - 1 - circles == pairs
    assert (group.mentees[0].display_name in table) == bool(circles)


def test_a_search_keeps_the_circle_row_with_the_members_it_found(pair, client):
    group = make_circle(program=pair.cast.program, mentees=3)
    found = group.mentees[1]
    page = _signals(client, pair, f"?q={found.email}")
    table = page[page.index('data-testid="signals-table"') :]
    assert table.count('data-testid="circle-row"') == 1
    assert found.display_name in table
    assert group.mentees[0].display_name not in table


@pytest.mark.parametrize("size", [2, 6])
def test_the_managers_list_costs_the_same_whatever_the_circles_size(
    pair, client, django_assert_num_queries, size
):
    for index in range(2):
        make_circle(program=pair.cast.program, mentees=size, prefix=f"c{index}")
    client.force_login(pair.cast.manager)
    url = f"/programs/{pair.cast.program.pk}/relationships/"
    client.get(url)
    with django_assert_num_queries(SIGNALS_PAGE_QUERIES):
        client.get(url)


# a seek page: no COUNT of the programme's pairs for "page N of M" (issue 15)
SIGNALS_PAGE_QUERIES = 14


def test_the_programme_counts_a_circle_once(pair):
    from tandem.workspace.selectors import open_counts_for_program

    make_circle(program=pair.cast.program, mentees=4)
    counts = open_counts_for_program(program=pair.cast.program)
    assert (counts.circles, counts.in_circles, counts.pairs) == (1, 4, 2)
    assert counts.text == "1 circle (4 mentees) and 2 pairs"


def test_the_signals_api_names_each_pairs_circle(pair, api_as):
    group = make_circle(program=pair.cast.program, mentees=2)
    items = api_as(pair.cast.manager).get(f"programs/{pair.cast.program.pk}/relationships").json()
    assert sorted((item["id"], item["circle_id"]) for item in items["items"]) == sorted(
        [(r.pk, group.circle.pk) for r in group.relationships]
        + [(pair.relationship.pk, None), (pair.other_relationship.pk, None)]
    )


@pytest.mark.parametrize("member", [0, 1])
def test_opening_the_circle_page_writes_nothing(pair, client, member):
    from tandem.workspace.tests.test_reads_never_write import _row_counts

    # given a circle with an unread message
    group = make_circle(program=pair.cast.program, mentees=2)
    conversations.circle_message_post(actor=group.mentor, circle_id=group.circle.pk, body=BODY)
    client.force_login(group.mentees[member])
    before = _row_counts()
    # when
    page = client.get(f"/circles/{group.circle.pk}/").content.decode()
    # then the message is shown as new and nothing was recorded (reading is the thread's)
    assert "1 new" in page
    assert _row_counts() == before


def test_the_circle_thread_leads_back_to_the_circle_page(pair, client):
    group = make_circle(program=pair.cast.program, mentees=2)
    client.force_login(group.mentees[0])
    page = client.get(f"/circles/{group.circle.pk}/messages/").content.decode()
    assert f'<a href="/circles/{group.circle.pk}/">Circle</a>' in page
