"""The pair's hub page, the home page's list and the managers' activity signals."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PAIR_ACTOR_NAMES, start_relationship
from tandem.actions.models import ActionItemStatus
from tandem.actions.tests.factories import ActionItemFactory
from tandem.agreements.services import agreement_sign
from tandem.agreements.tests.factories import fill_in
from tandem.assessments.models import Competency
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.conversations.models import Message
from tandem.core.aggregates import week_of
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.goals.tests.factories import GoalFactory
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.journeys.services import step_complete
from tandem.journeys.tests.factories import step_named
from tandem.meetings.models import Meeting, MeetingStatus
from tandem.meetings.services import checkin_submit
from tandem.meetings.tests.factories import schedule, started
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipEvent, RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition
from tandem.workspace.selectors import workspace_for_party


def _hub(client, user, relationship):
    if user is not None:
        client.force_login(user)
    return client.get(f"/relationships/{relationship.pk}/")


@pytest.mark.parametrize("name", PAIR_ACTOR_NAMES)
def test_the_hub_is_the_pairs_alone(pair, client, name):
    # when
    response = _hub(client, pair.by_name(name), pair.relationship)
    # then
    if name in ("mentor", "mentee"):
        assert response.status_code == 200
        partner = pair.mentee if name == "mentor" else pair.mentor
        assert partner.get_full_name() in response.content.decode()
    elif name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404


def test_the_hub_shows_every_panel_the_timeline_and_whats_next(pair, client):
    response = _hub(client, pair.mentee, pair.relationship)
    page = response.content.decode()
    for marker in ('data-testid="whats-next"', 'data-testid="timeline"'):
        assert marker in page
    for path in ("agreement", "goals", "meetings", "actions", "journal", "feedback"):
        assert f"/relationships/{pair.relationship.pk}/{path}/" in page
    # the start of the relationship is on the timeline
    assert "started the relationship" in page


def _whats_next(client, person, relationship):
    page = _hub(client, person, relationship).content.decode()
    start = page.index('data-testid="whats-next"')
    return page[start : page.index("</section>", start)]


def test_whats_next_says_sign_the_agreement_once_and_not_after_signing(pair, client):
    # given a new pair whose journey's first step (sign the agreement) is due within the week
    relationship = pair.relationship
    # when the mentee opens the hub
    first = _whats_next(client, pair.mentee, relationship)
    # then one item asks her to sign, with the step's date, and the step is not listed again
    assert first.count("Sign the agreement") == 1
    assert "Sign the mentoring agreement" not in first
    assert "(due " in first
    # when the mentor has signed and she opens the hub again
    agreement = fill_in(relationship, by=pair.mentee)
    agreement_sign(actor=pair.mentor, relationship_id=relationship.pk, version=agreement.version)
    mentor_view = _whats_next(client, pair.mentor, relationship)
    # then the mentor is told he waits for her, once; she is still asked to sign, once
    assert mentor_view.count("to sign the agreement") == 1
    assert "Sign the" not in mentor_view
    assert _whats_next(client, pair.mentee, relationship).count("Sign the") == 1
    # when both have signed
    agreement_sign(actor=pair.mentee, relationship_id=relationship.pk, version=agreement.version)
    # then nobody sees anything about signing
    for person in (pair.mentor, pair.mentee):
        assert "sign" not in _whats_next(client, person, relationship).lower()


def test_recent_activity_tells_the_reader_what_they_did_as_you(pair, client):
    # given the mentee ticks a step
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    step_complete(actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk)
    done = "ticked a journey step: Agree how you will track progress"
    mentee = escape(pair.mentee.get_full_name())
    # when each of the pair opens the hub
    hers = _hub(client, pair.mentee, pair.relationship).content.decode()
    his = _hub(client, pair.mentor, pair.relationship).content.decode()
    # then she reads it in the second person, he with her name
    hers, his = (
        hers[hers.index('data-testid="timeline"') :],
        his[his.index('data-testid="timeline"') :],
    )
    assert f"You {done}" in hers
    assert f"{mentee} {done}" not in hers
    assert f"{mentee} {done}" in his


def test_the_timeline_says_who_took_a_self_assessment_and_ticked_a_step_never_the_answers(
    pair, client, api_as
):
    # given the mentee takes her starting self-assessment with a private note, and ticks a step
    relationship = pair.relationship
    communication = Competency.objects.get(key="communication")
    private_note = "I freeze when my manager asks me a question"
    assessment_submit(
        actor=pair.mentee,
        relationship_id=relationship.pk,
        moment="start",
        ratings=all_scores(relationship, score=1),
        notes={communication.pk: private_note},
    )
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    step_complete(actor=pair.mentee, relationship_id=relationship.pk, step_id=step.pk)
    mentee = pair.mentee.get_full_name()
    # when her mentor opens the hub
    page = _hub(client, pair.mentor, relationship).content.decode()
    # then the timeline tells him what she did, newest first
    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.index(
        f"{mentee} ticked a journey step: Agree how you will track progress"
    ) < timeline.index(f"{mentee} completed the starting self-assessment")
    # and nothing of what she answered is on his page
    assert private_note not in page
    # and the managers' signals show that the pair was active then, and nothing more
    relationship.refresh_from_db()
    client.force_login(pair.cast.manager)
    signals_page = client.get(f"/programs/{pair.cast.program.pk}/relationships/").content.decode()
    item = next(
        item
        for item in api_as(pair.cast.manager)
        .get(f"programs/{pair.cast.program.pk}/relationships")
        .json()["items"]
        if item["id"] == relationship.pk
    )
    ticked_at = RelationshipEvent.objects.get(
        kind=RelationshipEventKind.JOURNEY_STEP_TICKED
    ).created_at
    assert relationship.last_activity_at == ticked_at
    # (the week it happened in, never the moment: a timestamp says who just acted)
    assert item["last_active_week"] == week_of(ticked_at).isoformat()
    assert "This week" in signals_page
    assert ticked_at.isoformat()[:16] not in signals_page + str(item)
    for private in (private_note, "self-assessment", "ticked a journey step"):
        assert private not in signals_page
        assert private not in str(item)


def test_the_hub_has_a_query_budget(pair, client, django_assert_max_num_queries):
    # given
    client.force_login(pair.mentor)
    # then the first visit, which makes the programme's default journey (three inserts),
    # stays within its budget
    with django_assert_max_num_queries(30):
        assert client.get(f"/relationships/{pair.relationship.pk}/").status_code == 200
    # and every later visit costs a fixed number of queries: session, user, the guard, the
    # journey 3, agreement 1, the viewer's time zone, meetings 2, goals 1 (and their milestones
    # once there are goals: 1), open actions 1, the
    # numbers of the actions, conversation, feedback, journal and assessment cards together 1,
    # the timeline and the unread notifications
    with django_assert_max_num_queries(HUB_QUERIES):
        response = client.get(f"/relationships/{pair.relationship.pk}/")
    assert response.status_code == 200


HUB_QUERIES = 16  # a pair with goals; 15 before the first goal (no milestones to fetch)
# session, user, my relationships, their next meetings, the match requests waiting on me (both
# ways, one query), my places, open programmes, unread notifications, and the viewer's time
# zone once a next meeting is shown
HOME_QUERIES = 9


def _pair_writes(pair, count):
    """`count` of everything a pair writes: meetings ahead and held, goals, messages both
    ways, open and done actions, journal entries (one side's shared) and feedback."""
    relationship = pair.relationship
    mentor, mentee = pair.mentor, pair.mentee
    for day in range(count):
        meeting = schedule(relationship, days=3 + day, hour=9)
        held = schedule(relationship, days=2, hour=10 + day % 8)
        Meeting.objects.filter(pk=held.pk).update(
            status=MeetingStatus.HELD,
            starts_at=timezone.now() - datetime.timedelta(days=day + 1),
            held_at=timezone.now() - datetime.timedelta(days=day + 1),
        )
        assert meeting.pk != held.pk
    GoalFactory.create_batch(count, relationship=relationship, created_by=mentee)
    Message.objects.bulk_create(
        Message(relationship=relationship, author=author, body=f"Message {n}")
        for n in range(count)
        for author in (mentor, mentee)
    )
    ActionItemFactory.create_batch(count, relationship=relationship)
    ActionItemFactory.create_batch(
        count, relationship=relationship, status=ActionItemStatus.DONE, closed_at=timezone.now()
    )
    JournalEntryFactory.create_batch(count, relationship=relationship, author=mentor)
    JournalEntryFactory.create_batch(
        count,
        relationship=relationship,
        author=mentee,
        shared_with_partner=True,
        shared_at=timezone.now(),
    )
    MentorFeedbackFactory.create_batch(count, relationship=relationship)
    MenteeFeedbackFactory.create_batch(count, relationship=relationship)


def test_the_hub_and_home_cost_the_same_for_1_or_30_of_everything_a_pair_writes(
    pair, client, django_assert_num_queries
):
    client.force_login(pair.mentor)
    client.get(f"/relationships/{pair.relationship.pk}/")  # makes the default journey
    counted = 0
    for count in (1, 29):
        # given the pair wrote 1, then 30, of everything
        _pair_writes(pair, count)
        counted += count
        # then the hub and the home page cost the same fixed number of queries
        with django_assert_num_queries(HUB_QUERIES):
            page = client.get(f"/relationships/{pair.relationship.pk}/").content.decode()
        with django_assert_num_queries(HOME_QUERIES):
            assert client.get("/").status_code == 200
        # and the cards' numbers, read in the one query of facts, count every row
        access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
        panels = dict(workspace_for_party(access=access).panels)
        assert panels["actions"]["done_count"] == counted
        assert panels["actions"]["open_count"] == counted
        assert panels["conversations"]["unread"] == counted
        assert panels["conversations"]["latest_from_me"] is False
        assert panels["journals"]["count"] == counted
        assert panels["journals"]["shared_with_me_count"] == counted
        assert panels["feedback"]["given"] == counted
        assert panels["feedback"]["received"] == counted
        unread = f"{counted} unread message{'s' if counted != 1 else ''} from"
        assert unread in page


def test_the_facts_of_the_hub_never_count_a_partners_unshared_journal(pair):
    # given the mentee writes three private entries and shares one
    JournalEntryFactory.create_batch(3, relationship=pair.relationship, author=pair.mentee)
    JournalEntryFactory(
        relationship=pair.relationship,
        author=pair.mentee,
        shared_with_partner=True,
        shared_at=timezone.now(),
    )
    # when each of the pair reads the hub's journal card
    panels = {
        user: dict(
            workspace_for_party(
                access=relationship_access(actor=user, relationship_id=pair.relationship.pk)
            ).panels
        )["journals"]
        for user in (pair.mentor, pair.mentee)
    }
    # then the mentor sees only the shared one, the mentee her own four
    assert (panels[pair.mentor]["count"], panels[pair.mentor]["shared_with_me_count"]) == (0, 1)
    assert (panels[pair.mentee]["count"], panels[pair.mentee]["shared_with_me_count"]) == (4, 0)


def test_a_closed_relationship_hub_says_it_is_a_record(pair, client):
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    page = _hub(client, pair.mentee, pair.relationship).content.decode()
    assert "Everything here stays readable as your record." in page


def test_home_lists_my_relationships_only(pair, client, django_assert_max_num_queries):
    client.force_login(pair.other_mentee)
    with django_assert_max_num_queries(HOME_QUERIES):
        page = client.get("/").content.decode()
    assert f"/relationships/{pair.other_relationship.pk}/" in page
    assert f"/relationships/{pair.relationship.pk}/" not in page
    assert f"Mentored by {pair.other_mentor.get_full_name()}" in page


# --- the managers' signals --------------------------------------------------------------------

SIGNALS_ALLOWED = {"manager", "admin"}


@pytest.mark.parametrize("name", [*PAIR_ACTOR_NAMES, "other_manager"])
def test_signals_page_matrix(pair, client, name):
    user = pair.by_name(name)
    if user is not None:
        client.force_login(user)
    response = client.get(f"/programs/{pair.cast.program.pk}/relationships/")
    if name in SIGNALS_ALLOWED:
        assert response.status_code == 200
        assert pair.mentee.get_full_name() in response.content.decode()
    elif name == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("name", [*PAIR_ACTOR_NAMES, "other_manager"])
def test_signals_api_matrix(pair, api_as, name):
    response = api_as(pair.by_name(name)).get(f"programs/{pair.cast.program.pk}/relationships")
    if name in SIGNALS_ALLOWED:
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert {item["id"] for item in body["items"]} == {
            pair.relationship.pk,
            pair.other_relationship.pk,
        }
    elif name == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code in (403, 404)


def test_signals_carry_numbers_never_content(pair, api_as):
    item = next(
        i
        for i in api_as(pair.cast.manager)
        .get(f"programs/{pair.cast.program.pk}/relationships")
        .json()["items"]
        if i["id"] == pair.relationship.pk
    )
    assert set(item) == {
        "id",
        "status",
        "mentor",
        "mentee",
        "started_on",
        "planned_end_on",
        "last_active_week",
        "meetings_held",
        "last_meeting_week",
        "next_meeting_at",
        "goal_progress",
        "agreement_signed",
        "actions_open",
        "actions_overdue",
        "is_at_risk",
        "health_bucket",
        "circle_id",
    }
    assert (item["status"], item["meetings_held"], item["agreement_signed"]) == ("active", 0, False)


def test_signals_filter_by_status(pair, api_as):
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    api = api_as(pair.cast.manager)
    url = f"programs/{pair.cast.program.pk}/relationships"
    assert [i["id"] for i in api.get(url).json()["items"]] == [pair.other_relationship.pk]
    assert [i["id"] for i in api.get(url, {"status": "completed"}).json()["items"]] == [
        pair.relationship.pk
    ]
    assert api.get(url, {"status": ""}).json()["count"] == 2


def test_signals_cost_the_same_for_many_pairs(pair, api_as, client, django_assert_max_num_queries):
    # given twenty more pairs
    for _ in range(20):
        mentor = ParticipantFactory(
            program=pair.cast.program, role=ParticipantRole.MENTOR, capacity=1
        )
        mentee = ParticipantFactory(program=pair.cast.program)
        start_relationship(mentor, mentee)
    url = f"programs/{pair.cast.program.pk}/relationships"
    # then (one query more than before relationship health: the pairs' stored buckets)
    with django_assert_max_num_queries(15):
        response = api_as(pair.cast.manager).get(url)
    assert response.json()["count"] == 22
    client.force_login(pair.cast.manager)
    with django_assert_max_num_queries(17):
        assert client.get(f"/{url}/").status_code == 200


# --- activity is shown by the week, and never orders the list ------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2024, 1, 1),
        max_value=datetime.datetime(2026, 12, 31),
        timezones=st.just(datetime.UTC),
    )
)
def test_signals_show_the_week_of_the_last_activity_never_the_moment(pair, api_as, client, moment):
    # given the pair's last activity was at any moment
    Relationship.objects.filter(pk=pair.relationship.pk).update(last_activity_at=moment)
    monday = moment.date() - datetime.timedelta(days=moment.weekday())
    url = f"programs/{pair.cast.program.pk}/relationships"
    # when the manager reads the API and the page
    item = next(
        i
        for i in api_as(pair.cast.manager).get(url).json()["items"]
        if i["id"] == pair.relationship.pk
    )
    client.force_login(pair.cast.manager)
    page = client.get(f"/{url}/").content.decode()
    # then the API says the week's Monday only
    assert item["last_active_week"] == monday.isoformat()
    assert "last_activity_at" not in item
    # and the page says the week in words, with no time and no machine-readable timestamp
    this_monday = week_of(timezone.now())
    expected = (
        "This week"
        if monday == this_monday
        else "Last week"
        if monday == this_monday - datetime.timedelta(weeks=1)
        else f"Week of {monday.day} {monday:%b %Y}"
    )
    row = page[page.index(pair.relationship.mentee.user.get_full_name()) :]
    row = row[: row.index("</tr>")]
    assert f"<td>{expected}</td>" in row
    assert "<time" not in page
    assert moment.strftime("%H:%M") not in row
    assert moment.isoformat()[:13] not in page + str(item)


@pytest.mark.parametrize(
    "gap",
    [
        datetime.timedelta(milliseconds=1),
        datetime.timedelta(minutes=5),
        datetime.timedelta(days=2),
        datetime.timedelta(weeks=3),
    ],
)
@pytest.mark.parametrize("first_to_act", ["older_pair", "newer_pair"])
def test_the_order_of_the_signals_never_depends_on_who_acted_last(
    pair, api_as, client, gap, first_to_act
):
    # given both pairs acted, either one first, `gap` apart
    base = timezone.now() - datetime.timedelta(weeks=5)
    first, second = (
        (pair.relationship, pair.other_relationship)
        if first_to_act == "older_pair"
        else (pair.other_relationship, pair.relationship)
    )
    Relationship.objects.filter(pk=first.pk).update(last_activity_at=base)
    Relationship.objects.filter(pk=second.pk).update(last_activity_at=base + gap)
    url = f"programs/{pair.cast.program.pk}/relationships"
    # when the manager reads the list
    ids = [i["id"] for i in api_as(pair.cast.manager).get(url).json()["items"]]
    client.force_login(pair.cast.manager)
    page = client.get(f"/{url}/").content.decode()
    # then the order is the pairs' own (newest pair first), whoever acted last
    newest_first = list(
        Relationship.objects.filter(program=pair.cast.program)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert ids == newest_first
    names = [Relationship.objects.get(pk=pk).mentee.user.get_full_name() for pk in newest_first]
    assert page.index(names[0]) < page.index(names[1])


@pytest.mark.parametrize("usefulness", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_a_check_in_never_shows_in_the_managers_signals(pair, api_as, client, usefulness, who):
    # given a held meeting with one check-in already, and the manager's read
    meeting = started(schedule(pair.relationship))
    checkin_submit(
        actor=pair.mentor if who == "mentee" else pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        usefulness=3,
        create_action=False,
    )
    url = f"programs/{pair.cast.program.pk}/relationships"
    client.force_login(pair.cast.manager)

    def read():
        items = api_as(pair.cast.manager).get(url).json()["items"]
        page = client.get(f"/{url}/").content.decode()
        return items, page[page.index('data-testid="signals-table"') :]

    before = read()
    # when the other person checks in with any rating
    checkin_submit(
        actor=pair.by_name(who),
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        usefulness=usefulness,
        create_action=False,
    )
    # then the manager's next read is the same, page and API: a pair's two people are fewer
    # than the minimum group, so no rating of theirs is an aggregate a manager sees
    assert read() == before
    assert "usefulness" not in str(before[0])
