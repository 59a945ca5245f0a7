"""The aggregate rule: no two reads differ by one person, fewer than the minimum group is never
shown. Properties over any sequence of arrivals, read after every arrival and period change."""

import datetime
from itertools import combinations

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.core.aggregates import (
    MIN_GROUP,
    MIN_GROUP_FLOOR,
    Contribution,
    Publication,
    current_period,
    min_group_size,
    period_end,
    period_of,
    publish,
    rounded_mean,
)

START = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)

# One event: a person arrives with a value in the current period, or time moves on by days.
arrival = st.tuples(st.just("arrive"), st.integers(0, 30), st.integers(1, 5))
wait = st.tuples(st.just("wait"), st.integers(1, 75), st.just(0))
events = st.lists(st.one_of(arrival, arrival, wait), max_size=80)


def _replay(
    steps: list[tuple[str, int, int]], min_group: int
) -> list[tuple[datetime.datetime, list[Contribution[int]], Publication[int]]]:
    """Every read a manager could make: after each event, what `publish` shows."""
    now = START
    arrived: list[Contribution[int]] = []
    reads = []
    for kind, number, value in steps:
        if kind == "arrive":
            arrived.append(Contribution(member=number, period=period_of(now), value=value))
        else:
            now += datetime.timedelta(days=number)
        reads.append((now, list(arrived), publish(arrived, min_group=min_group, now=now)))
    return reads


def _released(publication: Publication[int]) -> list[tuple[frozenset[object], tuple[int, ...]]]:
    return [(cohort.members, cohort.values) for cohort in publication.cohorts]


@settings(max_examples=300, deadline=None)
@given(steps=events, min_group=st.integers(MIN_GROUP_FLOOR, 7))
def test_no_two_reads_differ_by_fewer_than_min_group_people(steps, min_group):
    # given any sequence of arrivals and waits, read after every event
    reads = _replay(steps, min_group)
    # then every read shows nothing or at least min_group people, never the open period,
    for now, arrived, publication in reads:
        assert publication.people == 0 or publication.people >= min_group
        for cohort in publication.cohorts:
            assert len(cohort.members) >= min_group
            assert cohort.last_period < current_period(now)
        assert sorted(publication.values) == sorted(
            c.value
            for c in arrived
            if any(
                cohort.first_period <= c.period <= cohort.last_period
                for cohort in publication.cohorts
            )
        )
    # and any two reads differ by nothing or by whole cohorts of at least min_group new people:
    # the earlier read's cohorts are exactly the start of the later one's
    for (_, _, earlier), (_, _, later) in combinations(reads, 2):
        before, after = _released(earlier), _released(later)
        assert after[: len(before)] == before
        for members, _values in after[len(before) :]:
            assert len(members) >= min_group
        # so the count and the sum (what a mean and a total are made of) move together by at
        # least min_group people's values, never by one person's
        added = len(later.values) - len(earlier.values)
        assert added == 0 or added >= min_group


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 5)), max_size=40),
    min_group=st.integers(MIN_GROUP_FLOOR, 8),
)
def test_one_closed_period_below_min_group_shows_nothing(values, min_group):
    # given arrivals all in one closed month
    arrivals = [
        Contribution(member=member, period=datetime.date(2026, 1, 1), value=value)
        for member, value in values
    ]
    # when published in the month after
    publication = publish(arrivals, min_group=min_group, now=START.replace(month=2))
    # then everything is shown when enough distinct people arrived, nothing otherwise
    people = len({member for member, _ in values})
    if people >= min_group:
        assert publication.people == people
        assert sorted(publication.values) == sorted(value for _, value in values)
        assert publication.published_through == datetime.date(2026, 1, 31)
    else:
        assert publication.cohorts == ()
        assert publication.values == []
        assert publication.people == 0
        assert publication.published_through is None


def test_the_open_period_is_never_shown():
    # given ten people who arrived this month
    arrivals = [
        Contribution(member=n, period=datetime.date(2026, 1, 1), value=3) for n in range(10)
    ]
    # when read during the month, then nothing; when read on the first of the next, all ten
    assert publish(arrivals, min_group=5, now=START).values == []
    assert (
        publish(
            arrivals, min_group=5, now=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
        ).people
        == 10
    )


def test_a_small_period_waits_for_the_next_ones_and_is_published_with_them():
    # given 3 people in January, 1 in February, 2 in March
    arrivals = [
        Contribution(member=member, period=datetime.date(2026, month, 1), value=member)
        for member, month in [(1, 1), (2, 1), (3, 1), (4, 2), (5, 3), (6, 3)]
    ]
    # when read in April with a minimum group of 5
    publication = publish(
        arrivals, min_group=5, now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
    )
    # then one cohort, January to March, all six
    assert [(c.first_period, c.last_period, sorted(c.values)) for c in publication.cohorts] == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 1), [1, 2, 3, 4, 5, 6])
    ]
    assert publication.published_through == datetime.date(2026, 3, 31)


def test_the_same_person_twice_counts_once_towards_the_minimum_group():
    # given four people, one of whom contributed twice
    arrivals = [
        Contribution(member=member, period=datetime.date(2026, 1, 1), value=1)
        for member in [1, 1, 2, 3, 4]
    ]
    # then a minimum group of 5 is not reached
    assert publish(arrivals, min_group=5, now=START.replace(month=3)).values == []


@pytest.mark.parametrize("min_group", [-1, 0, 1, 2])
def test_publish_refuses_a_minimum_group_below_the_floor(min_group):
    with pytest.raises(ValueError, match="at least 3"):
        publish([], min_group=min_group)


@pytest.mark.parametrize(
    ("configured", "setting", "expected"),
    [
        (None, None, MIN_GROUP),
        (None, 8, 8),
        (None, 1, MIN_GROUP_FLOOR),
        (4, 8, 4),
        (2, None, MIN_GROUP_FLOOR),
        (0, None, MIN_GROUP_FLOOR),
        (12, None, 12),
    ],
)
def test_min_group_size_defaults_to_five_and_never_goes_below_three(configured, setting, expected):
    overrides = {} if setting is None else {"AGGREGATE_MIN_GROUP": setting}
    with override_settings(**overrides):
        assert min_group_size(configured) == expected
    assert MIN_GROUP == 5
    assert MIN_GROUP_FLOOR == 3


@given(
    st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1))
)
def test_a_period_is_the_calendar_month_and_ends_on_its_last_day(moment):
    aware = moment.replace(tzinfo=datetime.UTC)
    period = period_of(aware)
    assert period == moment.date().replace(day=1)
    end = period_end(period)
    assert end.month == period.month
    assert (end + datetime.timedelta(days=1)).day == 1
    assert period <= moment.date() <= end


@pytest.mark.parametrize(
    ("values", "places", "expected"),
    [
        ([], 1, None),
        ([1, 2], 1, 1.5),
        ([1, 1, 2], 1, 1.3),
        ([1, 2, 2], 1, 1.7),
        ([4, 5, 5, 5], 0, 5.0),
        ([0.25], 1, 0.3),
    ],
)
def test_rounded_mean_rounds_half_up(values, places, expected):
    assert rounded_mean(values, places=places) == expected
