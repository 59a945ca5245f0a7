"""Who reaches the erasure pages and endpoints (an authorization matrix over every actor; on
every denial nothing is asked for or cancelled), and the erasure request's own rules."""

from datetime import timedelta

import pytest
from django.test import Client

from conftest import ACTOR_NAMES
from tandem.accounts.models import Role, User
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.notifications.models import Notification, NotificationCategory
from tandem.privacy.models import ErasureRequest, ErasureStatus
from tandem.privacy.services import erasure_cancel, erasure_execute, erasure_request
from tandem.provisioning.lifecycle import person_deactivate

# Who may ask for (and cancel) the mentee's erasure: the mentee and the organisation's admin.
MAY_ERASE_MENTEE = {"mentee", "admin"}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _is_last_admin(user: User) -> bool:
    return (
        user.role == Role.ORG_ADMIN
        and not User.objects.filter(
            organization_id=user.organization_id, role=Role.ORG_ADMIN, is_active=True
        )
        .exclude(pk=user.pk)
        .exists()
    )


@pytest.fixture
def pending(cast) -> ErasureRequest:
    """The mentee's own erasure, waiting for its date."""
    return erasure_request(actor=cast.mentee, person_id=cast.mentee.pk)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_person_erase_page_matrix(cast, name):
    # given an actor
    client = _client(cast.by_name(name))
    # when they open and confirm the mentee's erasure page
    page = client.get(f"/people/{cast.mentee.pk}/data/erase/")
    posted = client.post(f"/people/{cast.mentee.pk}/data/erase/", {"reason": "left"})
    # then only the mentee and the admin reach it and ask; the rest learn nothing
    if name == "anonymous":
        assert (page.status_code, posted.status_code) == (302, 302)
        assert page["Location"].startswith("/accounts/login/")
    elif name in MAY_ERASE_MENTEE:
        assert (page.status_code, posted.status_code) == (200, 302)
        assert b"Kept for the partners, pseudonymised" in page.content
    else:
        assert (page.status_code, posted.status_code) == (404, 404)
    expected = [(cast.mentee.pk, cast.by_name(name).pk)] if name in MAY_ERASE_MENTEE else []
    assert list(ErasureRequest.objects.values_list("person_id", "requested_by_id")) == expected


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_my_erase_page_matrix(cast, name):
    # given an actor
    user = cast.by_name(name)
    client = _client(user)
    # when they ask for their own erasure from their page
    page = client.get("/me/data/erase/")
    posted = client.post("/me/data/erase/")
    # then every signed-in person can, for themselves only, unless they are the last admin
    if name == "anonymous":
        assert (page.status_code, posted.status_code) == (302, 302)
        assert not ErasureRequest.objects.exists()
        return
    assert page.status_code == 200
    assert b"can cancel it" in page.content
    if _is_last_admin(user):
        assert posted.status_code == 400
        assert b"last active admin" in posted.content
        assert not ErasureRequest.objects.exists()
        return
    assert posted.status_code == 302
    assert list(ErasureRequest.objects.values_list("person_id", flat=True)) == [user.pk]
    data_page = client.get("/me/data/")
    assert b"Cancel the erasure" in data_page.content


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_cancel_page_matrix(cast, pending, name):
    # given the mentee's pending erasure, when anyone cancels it
    posted = _client(cast.by_name(name)).post(f"/erasure-requests/{pending.pk}/cancel/")
    pending.refresh_from_db()
    # then only the mentee and the admin can; for the rest it does not exist
    if name == "anonymous":
        assert posted.status_code == 302
        assert pending.status == ErasureStatus.PENDING
    elif name in MAY_ERASE_MENTEE:
        assert posted.status_code == 302
        assert pending.status == ErasureStatus.CANCELLED
        assert pending.cancelled_by_id == cast.by_name(name).pk
    else:
        assert posted.status_code == 404
        assert pending.status == ErasureStatus.PENDING


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_api_matrix(cast, api_as, pending, name):
    # given an actor over the API and the mentee's pending erasure
    api = api_as(cast.by_name(name))
    # when they ask for the mentee's erasure, read the pending one and cancel it
    asked = api.post(f"people/{cast.mentee.pk}/erasure-requests", {"reason": ""})
    read = api.get(f"erasure-requests/{pending.pk}")
    cancelled = api.post(f"erasure-requests/{pending.pk}/cancel")
    statuses = (asked.status_code, read.status_code, cancelled.status_code)
    pending.refresh_from_db()
    # then
    if name == "anonymous":
        assert statuses == (401, 401, 401)
    elif name in MAY_ERASE_MENTEE:
        # (asking again while one is pending is a conflict)
        assert statuses == (409, 200, 200)
        assert read.json()["person_id"] == cast.mentee.pk
        assert cancelled.json()["status"] == "cancelled"
    else:
        assert statuses == (404, 404, 404)
        assert asked["Content-Type"] == "application/problem+json"
    assert ErasureRequest.objects.count() == 1
    expected = ErasureStatus.CANCELLED if name in MAY_ERASE_MENTEE else ErasureStatus.PENDING
    assert pending.status == expected


def test_my_erasure_over_the_api(cast, api_as, settings):
    # given a cooling-off of 3 days
    settings.PRIVACY_ERASURE_COOLING_OFF_DAYS = 3
    api = api_as(cast.member)
    # when the member asks for their erasure with too long a reason, then properly
    too_long = api.post("me/erasure-requests", {"reason": "x" * 1001})
    asked = api.post("me/erasure-requests", {"reason": "moving on"})
    # then the first is refused, the second waits three days
    assert too_long.status_code == 422
    assert asked.status_code == 201
    body = asked.json()
    assert body["status"] == "pending"
    assert body["person_id"] == cast.member.pk
    erasure = ErasureRequest.objects.get()
    assert erasure.due_at - erasure.requested_at == timedelta(days=3)
    assert [row["id"] for row in api.get("erasure-requests").json()] == [body["id"]]


def test_asking_tells_the_person_and_the_admins(cast):
    # when the mentee asks for their erasure
    erasure_request(actor=cast.mentee, person_id=cast.mentee.pk)
    # then they and the organisation's admin are told, in the privacy category
    told = set(
        Notification.objects.filter(category=NotificationCategory.PRIVACY).values_list(
            "user_id", flat=True
        )
    )
    assert told == {cast.mentee.pk, cast.admin.pk}


def test_the_rules_of_a_request(cast, pending):
    # asking twice is a conflict; a long reason is refused; the last admin cannot be erased
    with pytest.raises(Conflict):
        erasure_request(actor=cast.admin, person_id=cast.mentee.pk)
    with pytest.raises(InvalidInput):
        erasure_request(actor=cast.member, person_id=cast.member.pk, reason="x" * 1001)
    with pytest.raises(Conflict):
        erasure_request(actor=cast.admin, person_id=cast.admin.pk)
    # another organisation's admin does not know the person
    with pytest.raises(NotFound):
        erasure_request(actor=cast.outsider, person_id=cast.mentee.pk)
    # once done, it cannot be cancelled; once cancelled, it is never carried out
    assert erasure_execute(erasure_id=pending.pk, now=pending.due_at) is not None
    with pytest.raises(Conflict):
        erasure_cancel(actor=cast.admin, erasure_id=pending.pk)
    other = erasure_request(actor=cast.member, person_id=cast.member.pk)
    erasure_cancel(actor=cast.member, erasure_id=other.pk)
    assert erasure_execute(erasure_id=other.pk, now=other.due_at) is None
    assert User.objects.get(pk=cast.member.pk).email == cast.member.email


def test_an_erasure_pauses_the_pair_and_tells_the_partner_without_the_name(cast, pair):
    # given the admin asked for the mentee's erasure
    erasure = erasure_request(actor=cast.admin, person_id=cast.mentee.pk)
    name = cast.mentee.display_name
    before = Notification.objects.filter(user=cast.mentor).count()
    # when it is carried out
    erasure_execute(erasure_id=erasure.pk, now=erasure.due_at)
    # then the pair is paused and the partner told, the person named as a former member
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "paused"
    told = Notification.objects.filter(user=cast.mentor)
    assert told.count() > before
    texts = " ".join(f"{title} {body}" for title, body in told.values_list("title", "body"))
    assert name not in texts
    assert cast.mentee.email not in texts


def test_erasure_page_lists_cost_the_same_whatever_their_number(
    cast, django_assert_max_num_queries
):
    # given many requests about the mentee, cancelled one after the other
    for _ in range(5):
        erasure = erasure_request(actor=cast.admin, person_id=cast.mentee.pk)
        erasure_cancel(actor=cast.admin, erasure_id=erasure.pk)
    client = _client(cast.admin)
    # when the admin opens the person's data page
    with django_assert_max_num_queries(13):
        page = client.get(f"/people/{cast.mentee.pk}/data/")
    # then every request is listed in a bounded number of queries
    assert page.content.count(b"Cancelled") == 5


@pytest.mark.parametrize("erased_name", ["mentee", "mentor"])
@pytest.mark.parametrize("asked_by", ["themselves", "admin"])
def test_an_erasure_tells_partner_and_managers_what_it_is(cast, pair, erased_name, asked_by):
    # given the mentee or the mentor asked to be erased, or the admin asked for them
    person = pair.by_name(erased_name)
    partner = pair.mentor if erased_name == "mentee" else pair.mentee
    actor = person if asked_by == "themselves" else cast.admin
    erasure = erasure_request(actor=actor, person_id=person.pk)
    seen = set(Notification.objects.values_list("pk", flat=True))
    # when it is carried out
    erasure_execute(erasure_id=erasure.pk, now=erasure.due_at)
    # then the partner and the programme's manager are told the person left and their private
    # data was deleted, what was shared staying under "Former member"
    for reader in (partner, cast.manager):
        told = Notification.objects.filter(user=reader, category__in=["relationship"]).exclude(
            pk__in=seen
        )
        text = " ".join(f"{title} {body}" for title, body in told.values_list("title", "body"))
        assert "left Tandem" in text, reader
        assert "private data" in text, text
        assert 'shown as written by "Former member"' in text, text
        # never the deactivation's promise: an erased person is never reactivated
        assert "reactivated" not in text, text
        assert "resumes" not in text, text
    # and the manager reads the pair's outcome: paused for good, end it
    manager_text = " ".join(
        Notification.objects.filter(user=cast.manager)
        .exclude(pk__in=seen)
        .values_list("body", flat=True)
    )
    assert "paused for good" in manager_text


def test_a_deactivation_alone_still_says_the_pair_resumes(cast, pair):
    # given the mentee deactivated by the admin (not erased)
    person_deactivate(actor=cast.admin, user=cast.mentee, reason="Long leave")
    # then the manager is told the pair resumes when they come back, nothing about erasure
    text = " ".join(
        f"{title} {body}"
        for title, body in Notification.objects.filter(user=cast.manager).values_list(
            "title", "body"
        )
    )
    assert "It resumes if they are reactivated" in text
    assert "erased" not in text
