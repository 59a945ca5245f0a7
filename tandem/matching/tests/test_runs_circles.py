"""A group programme's run is counted in circles: the statistics, the publish message, the
confirm button and the runs list say "N circles (M mentees)", never the pairs a circle is
stored as (issue 13)."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tandem.matching.runs import services as runs
from tandem.matching.runs.selectors import proposed_text
from tandem.matching.tests.factories import enrol_person
from tandem.participants.models import ParticipantRole
from tandem.programs.models import ProgramFormat
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Circle, Relationship


def _group_draft(cast, capture, *, mentors: int, mentees_each: int):
    program = ProgramFactory(
        organization=cast.org,
        name="Circles",
        format=ProgramFormat.GROUP,
        max_circle_size=mentees_each,
        managers=[cast.manager],
    )
    for _ in range(mentors * mentees_each):
        enrol_person(program)
    for _ in range(mentors):
        enrol_person(program, role=ParticipantRole.MENTOR, capacity=mentees_each)
    with capture(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    run.refresh_from_db()
    return program, run


@pytest.mark.parametrize(("mentors", "mentees_each"), [(1, 2), (2, 3), (3, 2)])
def test_a_group_run_is_counted_and_published_in_circles(
    cast, client, django_capture_on_commit_callbacks, mentors, mentees_each
):
    # given a group programme's draft
    program, run = _group_draft(
        cast, django_capture_on_commit_callbacks, mentors=mentors, mentees_each=mentees_each
    )
    mentees = mentors * mentees_each
    expected = (
        f"{mentors} circle{'s' if mentors != 1 else ''} "
        f"({mentees} mentee{'s' if mentees != 1 else ''})"
    )
    # then the statistics count its circles
    assert run.statistics["circles"] == mentors
    assert run.statistics["matched"] == mentees
    client.force_login(cast.manager)
    draft = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert f"Publishing proposes {expected} and emails everyone matched." in draft
    assert f"Publish {expected}</button>" in draft
    assert f"in {mentors} circle{'s' if mentors != 1 else ''}</p>" in draft
    # and the runs list (page and API)
    home = client.get(reverse("matching:home", args=[program.pk])).content.decode()
    assert "Circles (mentees)" in home
    assert f"<td>{mentors} ({mentees})</td>" in home
    listed = client.get(f"/api/v1/programs/{program.pk}/matching/runs").json()
    assert [(r["pair_count"], r["circle_count"]) for r in listed["items"]] == [(mentees, mentors)]
    # when published from the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:run_publish", args=[run.pk]))
    # then the message counts circles, and so many circles exist
    page = client.get(response["Location"]).content.decode()
    assert f"Published: {expected} proposed. Everyone matched is being emailed." in page
    assert Circle.objects.filter(program=program).count() == mentors
    assert Relationship.objects.filter(program=program, circle__isnull=False).count() == mentees


def test_a_one_to_one_run_still_counts_pairs(cast, client, django_capture_on_commit_callbacks):
    # given a one-to-one programme's draft of two pairs
    from tandem.matching.tests.test_runs import _start, _team

    team = _team(cast)
    run = _start(cast, django_capture_on_commit_callbacks, team)
    team.program.managers.add(cast.manager)
    client.force_login(cast.manager)
    # then
    assert run.statistics["circles"] is None
    listed = client.get(f"/api/v1/programs/{team.program.pk}/matching/runs").json()
    assert [(r["pair_count"], r["circle_count"]) for r in listed["items"]] == [(2, None)]
    assert (
        "Publish 2 pairs</button>"
        in client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    )


@given(matched=st.integers(0, 500), circles=st.none() | st.integers(0, 100))
def test_proposed_text_names_the_unit_people_see(matched, circles):
    text = proposed_text({"matched": matched, "circles": circles})
    if circles is None:
        assert text == f"{matched} pair{'' if matched == 1 else 's'}"
    else:
        assert text == (
            f"{circles} circle{'' if circles == 1 else 's'} "
            f"({matched} mentee{'' if matched == 1 else 's'})"
        )
    assert proposed_text(None) == "0 pairs"
