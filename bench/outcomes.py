"""Benchmark: the outcomes report of an organisation with N relationships.

    python -m bench.outcomes --relationships 100000 [--others 100000] [--programs 20] [--seed 1]

Runs on a fresh SQLite file in the temp directory, or on the PostgreSQL database that
DATABASE_URL names (a new organisation each run). The data is written with bulk_create: N
active relationships started 1 to 30 months ago (2N people), N people never mentored, an
employment record for everyone (hired 1 to 10 years before, a quarter terminated since, one
of 6 departments, 5 grades and 4 locations) and a promotion for a third of them. Then it times
`outcomes_report` for the organisation's admin over every programme, twice, from the raw
tables; then refreshes the outcome summaries (timed, and once more with nothing changed) and
times the report twice again, now from the summaries. It prints wall and CPU seconds (this
process's; PostgreSQL's own work is in the wall time only), queries and the groups' sizes.
The target is 2 s on PostgreSQL for 100,000.
"""

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"
if not os.environ.get("DATABASE_URL"):
    _sqlite_file = os.path.join(
        tempfile.gettempdir(), f"tandem-bench-outcomes-{os.getpid()}.sqlite3"
    )
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
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "People", "Legal")
GRADES = ("G1", "G2", "G3", "G4", "G5")
LOCATIONS = ("London", "Lisbon", "Berlin", "Toronto")


def build(relationships: int, others: int, programs: int, seed: int) -> Any:
    """The synthetic organisation, written with bulk_create; returns its admin."""
    from tandem.accounts.models import Organization, Role, User
    from tandem.outcomes.models import EmploymentRecord, Promotion
    from tandem.participants.models import Participant, ParticipantRole
    from tandem.programs.models import Program, ProgramStatus
    from tandem.relationships.models import Relationship, RelationshipStatus

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    tag = f"{os.getpid()}-{int(time.time())}"
    org = Organization.objects.create(name="Bench", slug=f"bench-outcomes-{tag}")
    admin = User.objects.create(
        email=f"admin-{tag}@bench-outcomes.example",
        organization=org,
        role=Role.ORG_ADMIN,
        password=UNUSABLE_PASSWORD_PREFIX,
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
    users = User.objects.bulk_create(
        (
            User(
                email=f"person{index}-{tag}@bench-outcomes.example",
                organization=org,
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for index in range(2 * relationships + others)
        ),
        batch_size=BATCH,
    )
    starts = [today - datetime.timedelta(days=rng.uniform(30, 900)) for _ in range(relationships)]
    participants = Participant.objects.bulk_create(
        (
            Participant(
                program=program_rows[index // 2 % programs],
                user=user,
                role=ParticipantRole.MENTOR if index % 2 == 0 else ParticipantRole.MENTEE,
                capacity=1 if index % 2 == 0 else None,
                matched_count=1,
                enrolled_at=now,
            )
            for index, user in enumerate(users[: 2 * relationships])
        ),
        batch_size=BATCH,
    )
    Relationship.objects.bulk_create(
        (
            Relationship(
                program_id=participants[2 * index].program_id,
                mentor=participants[2 * index],
                mentee=participants[2 * index + 1],
                status=RelationshipStatus.ACTIVE,
                source="bulk",
                started_on=start,
                activated_at=now,
            )
            for index, start in enumerate(starts)
        ),
        batch_size=BATCH,
    )
    records = []
    for index, user in enumerate(users):
        start = starts[index // 2] if index < 2 * relationships else today
        hired = start - datetime.timedelta(days=rng.uniform(200, 3650))
        terminated = None
        if rng.random() < 0.25:
            terminated = min(
                start + datetime.timedelta(days=rng.uniform(1, 900)),
                today - datetime.timedelta(days=1),
            )
        records.append(
            EmploymentRecord(
                organization=org,
                user=user,
                employee_id=f"E{index}",
                hired_on=hired,
                terminated_on=terminated,
                department=rng.choice(DEPARTMENTS),
                grade=rng.choice(GRADES),
                location=rng.choice(LOCATIONS),
            )
        )
    EmploymentRecord.objects.bulk_create(records, batch_size=BATCH)
    Promotion.objects.bulk_create(
        (
            Promotion(
                record=record,
                promoted_on=record.hired_on
                + ((record.terminated_on or today) - record.hired_on) * rng.random(),
            )
            for record in records
            if rng.random() < 0.33
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return admin


def measure(admin: Any) -> dict[str, object]:
    from tandem.outcomes.selectors import OutcomesQuery, outcomes_report

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    began, began_cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        report = outcomes_report(actor=admin, query=OutcomesQuery(programme_cost=100_000))
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    raw = report.raw
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "from": "summaries" if report.refreshed_at else "raw tables",
        "queries": queries[0],
        "mentored": raw.mentored.people if raw else None,
        "others": raw.others.people if raw else None,
        "matched_pairs": report.matching.mentored_matched if report.matching else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=None, help="default: as many as pairs")
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--raw-only", action="store_true", help="skip the summaries (the report before them)"
    )
    args = parser.parse_args()
    others = args.relationships if args.others is None else args.others
    try:
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        admin = build(args.relationships, others, args.programs, args.seed)
        result: dict[str, object] = {
            "database": connection.vendor,
            "relationships": args.relationships,
            "people": 2 * args.relationships + others,
            "seconds_building_data": round(time.perf_counter() - began, 1),
        }
        result["first_run"] = measure(admin)
        result["second_run"] = measure(admin)
        if not args.raw_only:
            from tandem.outcomes.services import outcomes_summary_refresh

            began, began_cpu = time.perf_counter(), time.process_time()
            outcomes_summary_refresh(organization_id=admin.organization_id)
            result["summary_refresh"] = {
                "seconds": round(time.perf_counter() - began, 2),
                "cpu_seconds": round(time.process_time() - began_cpu, 2),
            }
            began = time.perf_counter()
            outcomes_summary_refresh(organization_id=admin.organization_id)
            result["summary_refresh_unchanged_seconds"] = round(time.perf_counter() - began, 2)
            # The summaries' stamp is a new cache key: this read is cold again.
            result["first_run_from_summaries"] = measure(admin)
            result["second_run_from_summaries"] = measure(admin)
        print(json.dumps(result))
    finally:
        connection.close()
        if _sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(_sqlite_file + suffix):
                    os.remove(_sqlite_file + suffix)


if __name__ == "__main__":
    sys.exit(main())
