"""Benchmark: evaluate every nudge rule over N active relationships and enqueue what is due.

    python -m bench.nudges --relationships 100000 [--programs 20] [--seed 1] [--sequential]

Runs on a fresh SQLite file in the temp directory, or on the (empty) PostgreSQL database that
DATABASE_URL names. The data is written with bulk_create, not through the services (building
100,000 pairs through the services would take far longer than the thing measured): users,
participants, active relationships started over the last 300 days with varied last activity,
agreements signed by 70 % of the pairs, one held meeting per pair in the last 60 days, a
scheduled meeting in the next 3 days for 30 %, one goal and one milestone per pair, and each
programme's default journey; on PostgreSQL, ANALYZE and CHECKPOINT settle the load. Then it
times `nudges_evaluate(now=..., overlap=True)` (as the scheduler runs it; `--sequential` writes
in line) once (everything due is new) and again (nothing new: the outbox keys already exist),
printing seconds, queries on every connection, the nudges found due and enqueued, and nudges
per second.
"""

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import threading
import time
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"
if not os.environ.get("DATABASE_URL"):
    _sqlite_file = os.path.join(tempfile.gettempdir(), f"tandem-bench-nudges-{os.getpid()}.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{_sqlite_file}"
else:
    _sqlite_file = ""

import django

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5000


def build(relationships: int, programs: int, seed: int, now: datetime.datetime) -> None:
    """The synthetic organisation, written with bulk_create."""
    from tandem.accounts.models import Organization, Role, User
    from tandem.agreements.models import Agreement, AgreementVersion
    from tandem.goals.models import Goal, Milestone
    from tandem.journeys.services import journeys_ensure_for_active_programs
    from tandem.meetings.models import Meeting, MeetingStatus
    from tandem.participants.models import Participant, ParticipantRole
    from tandem.programs.models import Program, ProgramStatus
    from tandem.relationships.models import Relationship, RelationshipStatus

    rng = random.Random(seed)
    org = Organization.objects.create(name="Bench", slug="bench")
    managers = User.objects.bulk_create(
        User(
            email=f"manager{index}@bench.example",
            first_name="Manager",
            last_name=str(index),
            organization=org,
            role=Role.PROGRAM_MANAGER,
            password=UNUSABLE_PASSWORD_PREFIX,
        )
        for index in range(programs)
    )
    program_rows = Program.objects.bulk_create(
        Program(
            organization=org,
            name=f"Programme {index}",
            status=ProgramStatus.PUBLISHED,
            is_ongoing=True,
            published_at=now,
        )
        for index in range(programs)
    )
    Program.managers.through.objects.bulk_create(
        Program.managers.through(program_id=program.pk, user_id=manager.pk)
        for program, manager in zip(program_rows, managers, strict=True)
    )
    users = User.objects.bulk_create(
        (
            User(
                email=f"person{index}@bench.example",
                first_name=f"First{index}",
                last_name=f"Last{index}",
                organization=org,
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for index in range(2 * relationships)
        ),
        batch_size=BATCH,
    )
    starts = [now - datetime.timedelta(days=rng.uniform(1, 300)) for _ in range(relationships)]
    participants = Participant.objects.bulk_create(
        (
            Participant(
                program=program_rows[index // 2 % programs],
                user=user,
                role=ParticipantRole.MENTOR if index % 2 == 0 else ParticipantRole.MENTEE,
                capacity=1 if index % 2 == 0 else None,
                matched_count=1,
                enrolled_at=starts[index // 2] - datetime.timedelta(days=7),
            )
            for index, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    pairs = Relationship.objects.bulk_create(
        (
            Relationship(
                program_id=participants[2 * index].program_id,
                mentor=participants[2 * index],
                mentee=participants[2 * index + 1],
                status=RelationshipStatus.ACTIVE,
                source="bulk",
                started_on=start.date(),
                planned_end_on=start.date() + datetime.timedelta(days=365),
                activated_at=start,
                last_activity_at=now - datetime.timedelta(days=rng.uniform(0, min(60, 300))),
            )
            for index, start in enumerate(starts)
        ),
        batch_size=BATCH,
    )
    # created_at is auto_now_add: move it back to the match, as it would be.
    for index in range(0, len(pairs), BATCH):
        chunk = pairs[index : index + BATCH]
        for pair in chunk:
            pair.created_at = pair.activated_at
        Relationship.objects.bulk_update(chunk, ["created_at"], batch_size=BATCH)
    signed = [pair for pair in pairs if rng.random() < 0.7]
    agreements = Agreement.objects.bulk_create(
        (
            Agreement(
                relationship=pair,
                cadence="monthly",
                duration_months=12,
                confidentiality="Ours.",
            )
            for pair in signed
        ),
        batch_size=BATCH,
    )
    AgreementVersion.objects.bulk_create(
        (
            AgreementVersion(
                agreement=agreement,
                version=1,
                content={},
                mentor_signed_at=now,
                mentee_signed_at=now,
                created_at=now,
            )
            for agreement in agreements
        ),
        batch_size=BATCH,
    )
    meetings = []
    for pair in pairs:
        held = now - datetime.timedelta(hours=rng.uniform(1, 60 * 24))
        meetings.append(
            Meeting(
                relationship=pair,
                title="Mentoring conversation",
                starts_at=held - datetime.timedelta(hours=1),
                timezone="Europe/London",
                status=MeetingStatus.HELD,
                held_at=held,
            )
        )
        if rng.random() < 0.3:
            meetings.append(
                Meeting(
                    relationship=pair,
                    title="Next conversation",
                    starts_at=now + datetime.timedelta(hours=rng.uniform(1, 72)),
                    timezone="Europe/London",
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    goals = Goal.objects.bulk_create(
        (
            Goal(
                relationship=pair,
                title="Lead a team meeting",
                measure="Chair two meetings",
                target_on=(now + datetime.timedelta(days=rng.uniform(1, 120))).date(),
            )
            for pair in pairs
        ),
        batch_size=BATCH,
    )
    Milestone.objects.bulk_create(
        (
            Milestone(
                goal=goal,
                title="Draft the agenda",
                due_on=(now + datetime.timedelta(days=rng.uniform(1, 60))).date(),
            )
            for goal in goals
        ),
        batch_size=BATCH,
    )
    journeys_ensure_for_active_programs()
    if connection.vendor == "postgresql":
        # Settle the database as a live one is: statistics for the planner (autovacuum keeps
        # them; straight after a bulk load the rules' joins would be planned blind), and the
        # load's dirty pages written out, so the evaluation does not pay for the load's
        # checkpoint.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("CHECKPOINT")


def evaluate(now: datetime.datetime, *, overlap: bool) -> dict[str, object]:
    from django.db.backends.signals import connection_created

    from tandem.nudges.services import nudges_evaluate

    # Counted by a wrapper, not the query log (Django keeps only the last 9,000 statements),
    # on every connection: with `overlap` the outbox writes run on the writer thread's own.
    queries = [0]
    lock = threading.Lock()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        with lock:
            queries[0] += 1
        return execute(sql, params, many, context)

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        # A writer's connection is reopened for each rule on the same wrapper object.
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    connection_created.connect(install)
    try:
        with connection.execute_wrapper(count):
            report = nudges_evaluate(now=now, overlap=overlap)
    finally:
        connection_created.disconnect(install)
    return {
        "seconds": round(report.seconds, 2),
        "queries": queries[0],
        "due": report.total_due,
        "enqueued": report.total_enqueued,
        "nudges_per_second": round(report.total_due / report.seconds) if report.seconds else None,
        "due_by_rule": report.due,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line (the default)")
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="write each rule's messages before evaluating the next (no writer thread)",
    )
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        began = time.perf_counter()
        build(args.relationships, args.programs, args.seed, now)
        result: dict[str, object] = {
            "database": connection.vendor,
            "relationships": args.relationships,
            "programs": args.programs,
            "seconds_building_data": round(time.perf_counter() - began, 1),
        }
        result["overlap"] = not args.sequential
        result["first_run"] = evaluate(now, overlap=not args.sequential)
        result["second_run"] = evaluate(now, overlap=not args.sequential)
        print(json.dumps(result))
    finally:
        connection.close()
        if _sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(_sqlite_file + suffix):
                    os.remove(_sqlite_file + suffix)


if __name__ == "__main__":
    sys.exit(main())
