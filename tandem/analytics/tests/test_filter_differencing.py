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


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(DEPARTMENTS), st.integers(1, 5), st.integers(0, 10)),
        max_size=30,
    )
)
def test_no_shown_filtered_figure_differs_from_another_shown_by_a_small_group(people):
    # given people of any department answering in any month of 2026 (one answer each)
    contributions = {
        department: [
            Contribution(member=index, period=datetime.date(2026, month, 1), value=score)
            for index, (where, month, score) in enumerate(people)
            if department in (where, None)
        ]
        for department in (*DEPARTMENTS, None)
    }
    whole = publish(contributions[None], min_group=MIN_GROUP, now=NOW)
    # when every department's figure is published under the rule
    shown = {None: whole}
    for department in DEPARTMENTS:
        part = publish(contributions[department], min_group=MIN_GROUP, now=NOW)
        guarded, _ = selectors._guarded(part, whole)
        shown[department] = guarded
    # then the unfiltered figure and any department's, both shown, differ by no one or by at
    # least the minimum group (departments do not overlap, so two of them differ by each)
    for first, second in itertools.combinations(shown.values(), 2):
        if not first.cohorts or not second.cohorts:
            continue
        mine = {m for cohort in first.cohorts for m in cohort.members}
        theirs = {m for cohort in second.cohorts for m in cohort.members}
        assert len(mine - theirs) == 0 or len(mine - theirs) >= MIN_GROUP
        assert len(theirs - mine) == 0 or len(theirs - mine) >= MIN_GROUP


def _answers(program, departments):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = len(departments)
    mentor.save(update_fields=["capacity"])
    for department, days in zip(departments, itertools.cycle((20, 25, 30, 35)), strict=False):
        pair = h.pair(mentor, h.person(program, department=department))
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
    assert "left out are fewer than 5" in filtered["nps"]["withheld"]
    assert body["satisfaction"]["nps"]["nps"] is None
    assert body["satisfaction"]["nps"]["people"] == 0
    assert "left out are fewer than 5" in body["satisfaction"]["nps"]["withheld"]
    client.force_login(cast.manager)
    export = client.get(f"/programs/{cast.program.pk}/analytics/nps.csv", {"department": "Sales"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Cohort (months)", "People", "Answers"]
    assert not any(row[1:2] in (["7"], ["8"]) for row in rows)
    page = client.get(f"/programs/{cast.program.pk}/analytics/", {"department": "Sales"})
    assert "left out are fewer than 5" in page.content.decode()


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
