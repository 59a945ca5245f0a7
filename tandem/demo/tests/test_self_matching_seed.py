"""The demo's self-matching: a request waits for the named mentor, once however often the
seed runs, and the seeker login stays without a mentor."""

from django.urls import reverse

from tandem.demo.people import northwind_people
from tandem.demo.seed import LOGINS
from tandem.demo.self_matching import NAMED_MENTOR_EMAIL, SEEKER_EMAIL, seed_self_matching
from tandem.matching.models import MatchRequest, RequestStatus
from tandem.matching.tests.factories import enrol_person
from tandem.participants.models import ParticipantRole


def test_the_named_mentor_gets_one_waiting_request_and_the_seeker_stays_free(cast, client):
    # given the named mentor, full, and two mentees without a mentor (one of them the seeker)
    mentor = enrol_person(
        cast.program,
        role=ParticipantRole.MENTOR,
        first_name="Morgan",
        email=NAMED_MENTOR_EMAIL,
        capacity=1,
        seniority=5,
    )
    seeker = enrol_person(cast.program, first_name="Isla", email=SEEKER_EMAIL, seniority=2)
    # when the seed runs twice
    made = [seed_self_matching(program=cast.program, manager=cast.manager) for _ in range(2)]
    # then one request waits for the mentor, who has a place left for the seeker
    assert made == [1, 0]
    waiting = MatchRequest.objects.get()
    assert (waiting.mentor_id, waiting.status) == (mentor.pk, RequestStatus.PENDING)
    assert waiting.mentee.user.email != SEEKER_EMAIL
    mentor.refresh_from_db()
    assert mentor.capacity - mentor.matched_count == 2
    # and the mentor's home page shows it
    client.force_login(mentor.user)
    assert "asked you to mentor them" in client.get("/").content.decode()
    # and the seeker can look for a mentor
    client.force_login(seeker.user)
    page = client.get(reverse("matching:suggestions", args=[cast.program.pk])).content.decode()
    assert f"Send request to {mentor.user.display_name}" in page


def test_the_seeker_is_a_demo_login_and_leaves_the_generated_people_as_they_were():
    # when
    _mentors, mentees = northwind_people()
    # then
    assert SEEKER_EMAIL in dict(LOGINS)
    assert mentees[-1].email == SEEKER_EMAIL
    assert (mentees[-1].first_name, mentees[-1].last_name) == ("Isla", "Novak")
    assert [person.email for person in mentees[:150]] == [
        "mentee@northwind.example",
        *[f"mentee{index:03d}@northwind.example" for index in range(1, 150)],
    ]
