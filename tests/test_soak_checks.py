"""The soak's verdicts (`bench/soak_checks.py`): pure functions, so they run in CI while the soak
itself never does. Each is tried over families of inputs against a plain restatement."""

import collections
import datetime

from hypothesis import given
from hypothesis import strategies as st

from bench.soak_checks import (
    Acknowledged,
    Answer,
    OutboxRow,
    Window,
    email_check,
    failures,
    lost_writes,
    stuck_rows,
)

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
SLACK = datetime.timedelta(seconds=30)

kinds = st.sampled_from(["message", "action", "meeting"])
writes = st.lists(
    st.builds(Acknowledged, kind=kinds, id=st.integers(1, 50), marker=st.sampled_from("abc")),
    unique_by=lambda write: (write.kind, write.id),
    max_size=30,
)


@given(acknowledged=writes, data=st.data())
def test_a_write_is_lost_when_its_row_is_gone_or_holds_other_text(acknowledged, data):
    # given: the database keeps some acknowledged rows, alters some, drops the rest
    fate = {
        (w.kind, w.id): data.draw(st.sampled_from(["kept", "altered", "gone"]))
        for w in acknowledged
    }
    stored = {}
    for write in acknowledged:
        if fate[(write.kind, write.id)] == "kept":
            stored[(write.kind, write.id)] = write.marker
        elif fate[(write.kind, write.id)] == "altered":
            stored[(write.kind, write.id)] = write.marker + " edited"
    # and rows nobody acknowledged (a write whose answer never came) are not a loss
    stored[("message", 10_000)] = "unacknowledged"
    # when
    lost = lost_writes(acknowledged, stored)
    # then: exactly the altered and the gone
    assert {(w.kind, w.id) for w in lost} == {key for key, how in fate.items() if how != "kept"}


def test_the_same_id_of_another_kind_does_not_vouch_for_a_write():
    write = Acknowledged(kind="meeting", id=7, marker="soak 1")
    assert lost_writes([write], {("message", 7): "soak 1"}) == [write]
    assert lost_writes([write], {("meeting", 7): "soak 1"}) == []


message_ids = st.sampled_from([f"<outbox.{n}@tandem>" for n in range(12)])


@given(sent=st.sets(message_ids), received=st.lists(message_ids, max_size=30))
def test_emails_every_sent_row_once_at_the_sink_and_nothing_else(sent, received):
    check = email_check(sent=sent, received=received)
    counts = collections.Counter(received)
    assert set(check.missing) == {m for m in sent if counts[m] == 0}
    assert check.duplicated == {m: n for m, n in counts.items() if n > 1}
    assert set(check.unexpected) == {m for m in counts if m not in sent}
    assert check.ok == (sorted(received) == sorted(sent))


def test_emails_a_duplicate_of_a_sent_row_fails_even_when_every_row_arrived():
    check = email_check(sent=["<a>", "<b>"], received=["<a>", "<b>", "<a>"])
    assert (check.missing, check.duplicated, check.unexpected, check.ok) == (
        [],
        {"<a>": 2},
        [],
        False,
    )


offsets = st.integers(-600, 600).map(lambda s: NOW + datetime.timedelta(seconds=s))
rows = st.builds(
    OutboxRow,
    message_id=message_ids,
    status=st.sampled_from(["pending", "sending", "sent", "failed", "skipped"]),
    next_attempt_at=offsets,
    not_before=offsets,
    claimed_until=st.none() | offsets,
)


@given(st.lists(rows, max_size=20))
def test_a_row_is_stuck_when_still_owed_past_every_reason_to_wait_plus_the_slack(outbox):
    stuck = stuck_rows(outbox, now=NOW, slack=SLACK)
    for row in outbox:
        waits = [row.next_attempt_at, row.not_before]
        if row.claimed_until is not None:
            waits.append(row.claimed_until)
        expected = row.status in {"pending", "sending"} and max(waits) + SLACK < NOW
        assert (row in stuck) == expected


def test_a_row_a_killed_worker_leased_is_not_stuck_until_its_lease_ends():
    due = NOW - datetime.timedelta(minutes=5)
    leased = OutboxRow("<a>", "sending", due, due, NOW + datetime.timedelta(minutes=2))
    expired = OutboxRow("<b>", "sending", due, due, NOW - datetime.timedelta(minutes=2))
    assert stuck_rows([leased, expired], now=NOW, slack=SLACK) == [expired]


spans = st.tuples(st.floats(0, 100), st.floats(0, 30)).map(lambda p: (p[0], p[0] + p[1]))
statuses = st.sampled_from([None, 200, 201, 404, 409, 500, 502, 503])


@given(
    windows=st.lists(spans.map(lambda p: Window(*p)), max_size=4),
    answers=st.lists(
        st.builds(lambda span, status: Answer(span[0], span[1], status), spans, statuses),
        max_size=40,
    ),
)
def test_failures_are_counted_inside_a_window_when_in_flight_during_it(windows, answers):
    counted = failures(answers, windows)
    expected = collections.Counter()
    for answer in answers:
        if answer.status is not None and answer.status < 500:
            continue
        inside = any(answer.sent <= w.end and answer.ended >= w.start for w in windows)
        kind = "unanswered" if answer.status is None else "server_errors"
        expected[(kind, inside)] += 1
    assert counted.server_errors_inside == expected[("server_errors", True)]
    assert counted.server_errors_outside == expected[("server_errors", False)]
    assert counted.unanswered_inside == expected[("unanswered", True)]
    assert counted.unanswered_outside == expected[("unanswered", False)]
    assert counted.ok == (expected[("server_errors", False)] + expected[("unanswered", False)] == 0)


def test_a_request_sent_just_before_a_kill_and_reset_by_it_counts_inside():
    window = Window(10.0, 25.0)
    reset = Answer(sent=9.8, ended=10.1, status=None)
    earlier = Answer(sent=2.0, ended=3.0, status=502)
    counted = failures([reset, earlier], [window])
    assert (counted.unanswered_inside, counted.server_errors_outside, counted.ok) == (1, 1, False)
