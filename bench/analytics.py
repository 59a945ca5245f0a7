"""Benchmark: the analytics dashboards over N relationships and about M meetings and check-ins.

    python -m bench.analytics --relationships 100000 --meetings-per-pair 10 [--programs 20]

Runs on a fresh SQLite file in the temp directory, or on the (empty) PostgreSQL database that
DATABASE_URL names. The organisation is the nudges benchmark's (`bench.nudges.build`: active
pairs started over the last 300 days, 70 % signed, a held meeting each, goals), plus
`--meetings-per-pair - 1` more held meetings per pair over the last 300 days, a check-in for
half of them and a message per meeting. Then it times the funnel's refresh (`analytics.services.
funnel_refresh`, the job) and `analytics.selectors.dashboard` for one programme and for the
organisation's roll-up (every programme), three times each, printing seconds and queries per
request.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench import nudges  # sets up Django (settings, DATABASE_URL) as that benchmark does

BATCH = 5000


def add_activity(meetings_per_pair: int, seed: int, now: datetime.datetime) -> int:
    from tandem.conversations.models import Message
    from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
    from tandem.relationships.models import Relationship

    rng = random.Random(seed)
    pairs = list(Relationship.objects.values_list("pk", "mentee__user_id"))
    written = 0
    for start in range(0, len(pairs), BATCH // max(meetings_per_pair, 1) or 1):
        chunk = pairs[start : start + (BATCH // max(meetings_per_pair, 1) or 1)]
        meetings = []
        messages = []
        for pair_id, _ in chunk:
            for _ in range(meetings_per_pair - 1):
                held = now - datetime.timedelta(hours=rng.uniform(1, 300 * 24))
                meetings.append(
                    Meeting(
                        relationship_id=pair_id,
                        title="Mentoring conversation",
                        starts_at=held - datetime.timedelta(hours=1),
                        timezone="Europe/London",
                        status=MeetingStatus.HELD,
                        held_at=held,
                    )
                )
                messages.append(
                    Message(relationship_id=pair_id, author_id=None, body="Hello", created_at=held)
                )
        rows = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        users = dict(chunk)
        CheckIn.objects.bulk_create(
            (
                CheckIn(meeting=row, user_id=users[row.relationship_id], usefulness=4)
                for row in rows
                if rng.random() < 0.5
            ),
            batch_size=BATCH,
        )
        Message.objects.bulk_create(messages, batch_size=BATCH)
        written += len(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("CHECKPOINT")
    return written


def measure(program_ids: tuple[int, ...], repeats: int) -> dict[str, Any]:
    from tandem.analytics.filters import Scope
    from tandem.analytics.selectors import dashboard

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    times = []
    for _ in range(repeats):
        queries[0] = 0
        began = time.perf_counter()
        with connection.execute_wrapper(count):
            dashboard(Scope(program_ids=program_ids))
        times.append(round(time.perf_counter() - began, 3))
    return {"seconds": times, "queries": queries[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--meetings-per-pair", type=int, default=10)
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        from tandem.programs.models import Program

        call_command("migrate", verbosity=0)
        now = timezone.now()
        began = time.perf_counter()
        nudges.build(args.relationships, args.programs, args.seed, now)
        meetings = args.relationships + add_activity(args.meetings_per_pair, args.seed, now)
        ids = tuple(Program.objects.order_by("pk").values_list("pk", flat=True))
        from tandem.analytics.services import funnel_refresh

        refresh_began = time.perf_counter()
        people = funnel_refresh()
        refresh_seconds = round(time.perf_counter() - refresh_began, 2)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result: dict[str, object] = {
            "database": connection.vendor,
            "relationships": args.relationships,
            "meetings_held": meetings,
            "programs": args.programs,
            "seconds_building_data": round(time.perf_counter() - began, 1),
            "funnel_refresh": {"people": people, "seconds": refresh_seconds},
            "one_programme": measure(ids[:1], args.repeats),
            "organisation": measure(ids, args.repeats),
        }
        print(json.dumps(result))
    finally:
        connection.close()
        if nudges._sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(nudges._sqlite_file + suffix):
                    os.remove(nudges._sqlite_file + suffix)


if __name__ == "__main__":
    sys.exit(main())
