"""Reports over different programmes or roles cannot be subtracted to reveal a small group
(docs/decisions/0004, "Differencing across selections"): any two reports shown have groups
that are the same or differ by at least the minimum group, on each side."""

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.outcomes import selectors
from tandem.outcomes.tests.factories import outcomes_organisation
from tandem.programs.tests.factories import ProgramFactory

AS_OF_DAY = 20_000
MIN_GROUP = 5


def _organisation(draw_sizes, overlap, mentor_records, seed):
    """Records and matches for programmes of the given mentee counts (the first `overlap`
    mentees of the second programme are also mentees of the first); one mentor per
    programme, with an HR record when `mentor_records`."""
    rng = np.random.default_rng(seed)
    mentee, mentor, program, day = [], [], [], []
    next_user = 1
    first_programme_mentees: list[int] = []
    people: list[int] = []
    for number, size in enumerate(draw_sizes, start=1):
        mentor_id = next_user
        next_user += 1
        if mentor_records:
            people.append(mentor_id)
        shared = first_programme_mentees[:overlap] if number == 2 else []
        fresh = list(range(next_user, next_user + size - len(shared)))
        next_user += len(fresh)
        people.extend(fresh)
        if number == 1:
            first_programme_mentees = fresh
        for user in shared + fresh:
            mentee.append(user)
            mentor.append(mentor_id)
            program.append(number)
            day.append(AS_OF_DAY - int(rng.integers(30, 700)))
    others = list(range(next_user, next_user + int(rng.integers(0, 12))))
    people.extend(others)
    users = np.array(people, dtype=np.int64)
    hired = AS_OF_DAY - rng.integers(800, 3000, len(users))
    terminated = np.where(
        rng.random(len(users)) < 0.2, AS_OF_DAY - rng.integers(0, 900, len(users)), np.nan
    )
    records = selectors._Records(
        record_id=np.arange(1, len(users) + 1),
        user_id=users,
        hired=hired,
        terminated=terminated.astype(float),
        covariates={"department": pd.Categorical(["Sales"] * len(users))},
    )
    matches = selectors._Matches(
        users={"mentee": np.array(mentee, dtype=np.int64), "mentor": np.array(mentor)},
        program=np.array(program, dtype=np.int64),
        day=np.array(day, dtype=np.int64),
    )
    return records, matches


def _shown_groups(records, matches, selection, role):
    """The people (user ids) of each group a report shows; None for a withheld report."""
    if selectors._differs_by_a_small_group(records, matches, selection, role, AS_OF_DAY, MIN_GROUP):
        return None
    first = selectors._first_match_days(matches, records, selection, role)
    ever = selectors._ever_matched(matches, records)
    groups = selectors._groups(records, first, ever, AS_OF_DAY)
    return tuple(
        frozenset(records.user_id[mask].tolist()) if mask.sum() >= MIN_GROUP else None
        for mask in (groups.mentored, groups.others)
    )


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 14), min_size=1, max_size=3),
    overlap=st.integers(0, 6),
    mentor_records=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_no_two_shown_reports_differ_by_fewer_than_the_minimum_group(
    sizes, overlap, mentor_records, seed
):
    # given programmes of any sizes, sharing people or not, mentors with records or not
    records, matches = _organisation(sizes, overlap, mentor_records, seed)
    every = list(range(1, len(sizes) + 1))
    selections = [every] + [[number] for number in every]
    # when every report anyone can ask for is read
    shown = {
        (tuple(selection), role): _shown_groups(records, matches, selection, role)
        for selection in selections
        for role in selectors.ROLES
    }
    # then any two groups shown hold the same people or differ by a whole minimum group
    for first, second in itertools.combinations(shown.values(), 2):
        if first is None or second is None:
            continue
        for mine, theirs in zip(first, second, strict=True):
            if mine is None or theirs is None:
                continue
            assert len(mine - theirs) in (0, *range(MIN_GROUP, len(mine) + 1))
            assert len(theirs - mine) in (0, *range(MIN_GROUP, len(theirs) + 1))


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(MIN_GROUP, 14), min_size=3, max_size=4))
def test_a_combination_of_some_programmes_is_withheld(sizes):
    # given three or more programmes, each big enough on its own
    records, matches = _organisation(sizes, 0, False, 1)
    # when two of them are chosen together
    withheld = selectors._differs_by_a_small_group(
        records, matches, [1, 2], "any", AS_OF_DAY, MIN_GROUP
    )
    # then the report is withheld (two combinations could differ by one person)
    assert withheld


def test_a_small_second_programme_withholds_the_reports_it_could_be_subtracted_from(
    cast, api_as, client
):
    # given 20 mentored people in one programme and 2 in another
    outcomes_organisation(cast, mentored=20, others=30)
    small = ProgramFactory(organization=cast.org)
    outcomes_organisation(cast, mentored=2, others=0, program=small, seed=2)
    api = api_as(cast.admin)
    note = selectors.DIFFERENCING_NOTE.format(min_group=MIN_GROUP)
    # when the report over both and over the big one are read through the API and export
    for params in ({}, {"program": cast.program.pk}):
        body = api.get("outcomes/report", params).json()
        export = api.get("outcomes/report/export", {**params, "format": "csv"})
        text = b"".join(export.streaming_content).decode("utf-8-sig")
        # then neither shows a figure: they differ by the small programme's two people
        assert body["notes"] == [note]
        assert body["retention"]["raw"] is None
        assert body["promotion"]["raw"] is None
        assert "Mentored" not in text
    # and the page says why
    client.force_login(cast.admin)
    page = client.get("/outcomes/", {"program": cast.program.pk}).content.decode()
    assert "would reveal a group of fewer than 5 people" in page


def test_a_report_without_a_small_neighbour_is_unchanged(cast, api_as):
    # given one programme of 20 mentored people (every programme and it are the same group)
    outcomes_organisation(cast, mentored=20, others=30)
    api = api_as(cast.admin)
    # when both are read
    every = api.get("outcomes/report").json()
    one = api.get("outcomes/report", {"program": cast.program.pk}).json()
    # then both are shown, and equal
    assert every["notes"] == one["notes"] == []
    assert every["retention"]["raw"]["mentored"]["people"] == 20
    assert one["retention"] == every["retention"]
