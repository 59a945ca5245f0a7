"""The soak's verdicts (`bench/soak.py`), as pure functions over what the run recorded: the writes
the clients saw acknowledged against the rows the database holds, the outbox against what the
SMTP sink received, the outbox rows left owed, and the failed requests against the kill windows.
No Django, no I/O: a unit test runs them in CI while the soak itself never runs there."""

import collections
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Where an outbox row has ended: nothing will send it again.
TERMINAL_STATUSES = frozenset({"sent", "failed", "skipped"})


@dataclass(frozen=True)
class Acknowledged:
    """A write the server answered with an id: `marker` is the unique text the client wrote (a
    message's body, an action item's or a meeting's title), so a row under the id with other
    text counts as lost too."""

    kind: str
    id: int
    marker: str


def lost_writes(
    acknowledged: Iterable[Acknowledged], stored: Mapping[tuple[str, int], str]
) -> list[Acknowledged]:
    """The acknowledged writes the database does not hold as acknowledged: `stored` maps
    (kind, id) to the marker the row holds now."""
    return [write for write in acknowledged if stored.get((write.kind, write.id)) != write.marker]


@dataclass(frozen=True)
class EmailCheck:
    missing: list[str]  # a row marked sent, no message at the sink
    duplicated: dict[str, int]  # a Message-ID the sink received more than once, and how often
    unexpected: list[str]  # a message at the sink that no sent row owns

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unexpected)


def email_check(*, sent: Iterable[str], received: Iterable[str]) -> EmailCheck:
    """Compare the Message-IDs of the outbox rows marked sent with those the sink received:
    every sent row exactly once at the sink, and nothing else there."""
    sent_ids = set(sent)
    counts = collections.Counter(received)
    return EmailCheck(
        missing=sorted(sent_ids - counts.keys()),
        duplicated={message_id: n for message_id, n in sorted(counts.items()) if n > 1},
        unexpected=sorted(counts.keys() - sent_ids),
    )


@dataclass(frozen=True)
class OutboxRow:
    message_id: str
    status: str
    next_attempt_at: datetime.datetime
    not_before: datetime.datetime
    claimed_until: datetime.datetime | None


def owed_from(row: OutboxRow) -> datetime.datetime:
    """When the row may be sent at the earliest: its retry time, the end of its recipient's quiet
    hours, and the end of a lease a worker (perhaps a killed one) holds on it."""
    moments = [row.next_attempt_at, row.not_before]
    if row.claimed_until is not None:
        moments.append(row.claimed_until)
    return max(moments)


def stuck_rows(
    rows: Iterable[OutboxRow], *, now: datetime.datetime, slack: datetime.timedelta
) -> list[OutboxRow]:
    """Rows still owed (pending or sending) more than `slack` after they could have been sent."""
    return [
        row for row in rows if row.status not in TERMINAL_STATUSES and owed_from(row) + slack < now
    ]


@dataclass(frozen=True)
class Window:
    """Seconds since the load started during which a fault (and its recovery) may fail requests."""

    start: float
    end: float

    def overlaps(self, answer: "Answer") -> bool:
        """Whether the request was in flight at some moment of the window (a request sent just
        before a kill fails because of it)."""
        return answer.sent <= self.end and answer.ended >= self.start


@dataclass(frozen=True)
class Answer:
    """One request: when it was sent and when it ended (seconds since the load started), and
    the status it got, None when no answer came (connection refused or reset, timeout)."""

    sent: float
    ended: float
    status: int | None


@dataclass(frozen=True)
class FailureCount:
    server_errors_outside: int
    server_errors_inside: int
    unanswered_outside: int
    unanswered_inside: int

    @property
    def ok(self) -> bool:
        return self.server_errors_outside == 0 and self.unanswered_outside == 0


def failures(answers: Iterable[Answer], windows: Iterable[Window]) -> FailureCount:
    """Count 5xx answers and requests left unanswered, inside a kill window and outside all."""
    spans = list(windows)
    counts = collections.Counter[str]()
    for answer in answers:
        if answer.status is not None and answer.status < 500:
            continue
        kind = "unanswered" if answer.status is None else "server_errors"
        inside = any(window.overlaps(answer) for window in spans)
        counts[f"{kind}_{'inside' if inside else 'outside'}"] += 1
    return FailureCount(
        server_errors_outside=counts["server_errors_outside"],
        server_errors_inside=counts["server_errors_inside"],
        unanswered_outside=counts["unanswered_outside"],
        unanswered_inside=counts["unanswered_inside"],
    )
