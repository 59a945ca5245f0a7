"""A filtered private figure is withheld when the people it leaves out are fewer than the
minimum group: subtracting it from the unfiltered figure would reveal them (docs/decisions/0004,
"Differencing across selections"). At the selector (which the page, the API and the exports
read), the API, the export and the page."""

import csv
import datetime
import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.tests import history as h
from tandem.core.aggregates import Contribution, publish
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory

MIN_GROUP = 5
NOW = datetime.datetime(2026, 6, 17, 12, tzinfo=datetime.UTC)
DEPARTMENTS = ("Sales", "Legal", "Finance")


LOCATIONS = ("Leeds", "London")
FILTERS = [
    Filters(department=department, location=location)
    for department in ("", *DEPARTMENTS, "Nowhere")
    for location in ("", *LOCATIONS)
]


def _shown(people, filters):
    """The figure a manager sees under `filters`, cut from random people's answers."""
    placed = [
        selectors.Placed(
            Contribution(member=index, period=datetime.date(2026, month, 1), value=score),
            (department.lower(), location.lower()),
        )
        for index, (department, location, month, score) in enumerate(people)
    ]
    scope = Scope(program_ids=(1,), filters=filters, now=NOW)
    return selectors._published_in_family(scope, placed, MIN_GROUP)


def _cohorts(publication):
    return [
        (cohort.first_period, cohort.last_period, cohort.members, sorted(cohort.values))
        for cohort in publication.cohorts
    ]


@settings(max_examples=300, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(DEPARTMENTS),
            st.sampled_from(LOCATIONS),
            st.integers(1, 5),
            st.integers(0, 10),
        ),
        max_size=40,
    ),
    pairs=st.lists(st.tuples(st.sampled_from(FILTERS), st.sampled_from(FILTERS)), max_size=12),
)
def test_no_two_shown_figures_under_any_two_filters_differ_by_a_small_group(people, pairs):
    # given people of any department and location answering in any month of 2026
    # when a manager reads the figure under any two filters: none, one, both nested (Sales
    # against Sales in Leeds), or overlapping (Sales against Leeds)
    for first_filters, second_filters in [*pairs, *itertools.combinations(FILTERS, 2)]:
        first, _ = _shown(people, first_filters)
        second, _ = _shown(people, second_filters)
        if not first.cohorts or not second.cohorts:
            continue
        # then two figures shown come from the same people or differ by a whole group
        mine = {m for cohort in first.cohorts for m in cohort.members}
        theirs = {m for cohort in second.cohorts for m in cohort.members}
        assert len(mine - theirs) == 0 or len(mine - theirs) >= MIN_GROUP
        assert len(theirs - mine) == 0 or len(theirs - mine) >= MIN_GROUP


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(DEPARTMENTS),
            st.sampled_from(LOCATIONS),
            st.integers(1, 5),
            st.integers(0, 10),
        ),
        max_size=40,
    ),
    filters=st.sampled_from(FILTERS),
)
def test_a_figure_is_its_filters_people_and_the_unfiltered_one_is_always_shown(people, filters):
    # given any people, when the figure under some filters is read
    shown, reason = _shown(people, filters)
    _, whole_reason = _shown(people, Filters())
    # then it is the rule's publication of exactly the people the filters name, or withheld
    # with the differencing reason; the unfiltered figure is never withheld for differencing
    expected = publish(
        [
            Contribution(member=index, period=datetime.date(2026, month, 1), value=score)
            for index, (department, location, month, score) in enumerate(people)
            if filters.department in ("", department) and filters.location in ("", location)
        ],
        min_group=MIN_GROUP,
        now=NOW,
    )
    assert whole_reason is None
    if reason is None:
        # the same cohorts, people and values (in any order: the rows come grouped by place)
        assert _cohorts(shown) == _cohorts(expected)
    else:
        assert (shown.cohorts, reason) == ((), selectors.COMPLEMENT_WITHHELD.format(min_group=5))


def test_a_cohort_date_range_withholds_the_private_figures():
    # given twelve people who answered (enough for any figure)
    people = [("Sales", "Leeds", 3, 9)] * 12
    # when a figure is asked for a cohort date range
    shown, reason = _shown(people, Filters(joined_from=datetime.date(2026, 1, 1)))
    # then it is withheld with its reason (two ranges a day apart would differ by a few)
    assert (shown.cohorts, reason) == ((), selectors.COHORT_WITHHELD)


def _answers(program, departments, locations=None):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = len(departments)
    mentor.save(update_fields=["capacity"])
    locations = locations or ["Leeds"] * len(departments)
    for department, location, days in zip(
        departments, locations, itertools.cycle((20, 25, 30, 35)), strict=False
    ):
        pair = h.pair(mentor, h.person(program, department=department, location=location))
        h.answer(pair, kind="nps", days=days, number=9)


@pytest.mark.django_db
def test_a_department_leaving_out_fewer_than_the_minimum_is_withheld_everywhere(
    cast, api_as, client
):
    # given seven people of Sales and one of Legal answered in May
    _answers(cast.program, ["Sales"] * 7 + ["Legal"])
    unfiltered = Scope(program_ids=(cast.program.pk,), filters=Filters(), now=h.NOW)
    sales = Scope(program_ids=(cast.program.pk,), filters=Filters(department="Sales"), now=h.NOW)
    # when
    whole = selectors.satisfaction(unfiltered)
    filtered = selectors.satisfaction(sales)
    api = api_as(cast.manager)
    body = api.get(f"programs/{cast.program.pk}/analytics", {"department": "Sales"}).json()
    # then all eight are shown unfiltered, and Sales (all but one person) is withheld
    assert whole["nps"]["people"] == 8
    assert filtered["nps"]["nps"] is None
    assert "differ by fewer than 5" in filtered["nps"]["withheld"]
    assert body["satisfaction"]["nps"]["nps"] is None
    assert body["satisfaction"]["nps"]["people"] == 0
    assert "differ by fewer than 5" in body["satisfaction"]["nps"]["withheld"]
    client.force_login(cast.manager)
    export = client.get(f"/programs/{cast.program.pk}/analytics/nps.csv", {"department": "Sales"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Cohort (months)", "People", "Answers"]
    assert not any(row[1:2] in (["7"], ["8"]) for row in rows)
    page = client.get(f"/programs/{cast.program.pk}/analytics/", {"department": "Sales"})
    assert "differ by fewer than 5" in page.content.decode()


@pytest.mark.django_db
def test_a_department_leaving_out_a_whole_group_is_shown():
    # given seven people of Sales and five of Legal answered in May
    program = ProgramFactory()
    _answers(program, ["Sales"] * 7 + ["Legal"] * 5)
    sales = Scope(program_ids=(program.pk,), filters=Filters(department="Sales"), now=h.NOW)
    # when
    filtered = selectors.satisfaction(sales)
    # then
    assert filtered["nps"]["people"] == 7
    assert filtered["nps"]["withheld"] is None


@pytest.mark.django_db
def test_nested_filters_that_differ_by_a_few_people_are_both_withheld(cast, api_as):
    # given seven people of Sales (five in Leeds, two in London) and six of Legal in London:
    # each filter on its own differs from the unfiltered figure by at least five people
    _answers(
        cast.program,
        ["Sales"] * 7 + ["Legal"] * 6,
        ["Leeds"] * 5 + ["London"] * 8,
    )
    api = api_as(cast.manager)

    def nps(**params):
        body = api.get(f"programs/{cast.program.pk}/analytics", params).json()
        return body["satisfaction"]["nps"]["people"], body["satisfaction"]["nps"]["withheld"]

    # when the manager reads Sales, and Sales in Leeds (which leaves out the two in London)
    sales, sales_in_leeds = nps(department="Sales"), nps(department="Sales", location="Leeds")
    # then neither is shown: subtracting one from the other would reveal those two
    complement = selectors.COMPLEMENT_WITHHELD.format(min_group=MIN_GROUP)
    assert sales == (0, complement)
    assert sales_in_leeds == (0, complement)
    # and the unfiltered figure and Legal (six, none of them in another figure's reach) are
    assert nps() == (13, None)
    assert nps(department="Legal") == (0, complement)  # London minus Legal is two people
