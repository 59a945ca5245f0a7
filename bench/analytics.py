"""Benchmark: the programme dashboard, the organisation roll-up, the health list's first page and
the outcomes analysis over an organisation with N relationships and a year of activity.

    python -m bench.analytics --relationships 100000 [--programs 20] [--others N] [--seed 1] --json

Runs on a fresh SQLite file in the temp directory, or on the (empty) PostgreSQL database that
DATABASE_URL names. The organisation is `bench.nudges`' plus a year of history
(`bench.history`: meetings every 2 to 5 weeks with check-ins, about a million of the two at
100,000 pairs; action items, messages, goals achieved, pairs completed and ended, profiles,
self-assessments, pulse and NPS answers, people waiting) and HR records for everyone with N/2
more employees who never join (`--others`). Then the scheduler's refreshes run (analytics'
summaries and every pair's health; their seconds are printed) and each read is timed as its
reader asks for it over HTTP (Django's test client: routing, middleware, guard, selectors,
schema or template), twice, counting every statement:

- `program_dashboard`: GET /api/v1/programs/<id>/analytics as the largest programme's manager;
- `program_dashboard_page`: the same dashboard's HTML page;
- `organisation_rollup`: GET /api/v1/analytics as the organisation's admin (every programme);
- `health_list`: the largest programme's Pair health page, first page;
- `outcomes`: GET /api/v1/outcomes/report as the admin (cold: computed; then served cached).

Prints one JSON object whose `timings` maps each to {"seconds": ..., "queries": ...} (the
second, warm request) with the first request's figures beside them.
"""

import argparse
import json
import os
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from bench import nudges as base  # points Django at a fresh database and sets it up
from bench.history import build_history, build_hr_records


def _request(client: Client, path: str) -> dict[str, object]:
    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - began
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return {"seconds": round(seconds, 3), "queries": queries[0]}


def _timed(client: Client, path: str) -> dict[str, object]:
    first = _request(client, path)
    second = _request(client, path)
    return {**second, "first": first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--others", type=int, default=None, help="default: relationships / 2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line (the default)")
    args = parser.parse_args()
    others = args.relationships // 2 if args.others is None else args.others
    try:
        from tandem.accounts.models import Role, User
        from tandem.analytics.services import analytics_refresh
        from tandem.health.services import health_refresh
        from tandem.programs.models import Program

        call_command("migrate", verbosity=0)
        now = timezone.now()
        began = time.perf_counter()
        base.build(args.relationships, args.programs, args.seed, now)
        rows = build_history(args.seed, now)
        rows.update(build_hr_records(args.seed, now, others))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
                cursor.execute("CHECKPOINT")
        built = round(time.perf_counter() - began, 1)
        refreshes = {}
        for name, refresh in (("analytics", analytics_refresh), ("health", health_refresh)):
            began = time.perf_counter()
            refresh(now=timezone.now())
            refreshes[name] = round(time.perf_counter() - began, 1)

        largest = Program.objects.annotate(n=Count("relationships")).order_by("-n", "pk")[0]
        manager = largest.managers.get()
        admin = User.objects.create(
            email="admin@bench.example",
            organization=manager.organization,
            role=Role.ORG_ADMIN,
            password="!",  # noqa: S106 - unusable
        )
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
        as_manager, as_admin = Client(HTTP_HOST=host), Client(HTTP_HOST=host)
        as_manager.force_login(manager)
        as_admin.force_login(admin)
        timings = {
            "program_dashboard": _timed(as_manager, f"/api/v1/programs/{largest.pk}/analytics"),
            "program_dashboard_page": _timed(as_manager, f"/programs/{largest.pk}/analytics/"),
            "organisation_rollup": _timed(as_admin, "/api/v1/analytics"),
            "health_list": _timed(as_manager, f"/programs/{largest.pk}/health/"),
            "outcomes": _timed(as_admin, "/api/v1/outcomes/report"),
        }
        result: dict[str, object] = {
            "database": connection.vendor,
            "relationships": args.relationships,
            "programs": args.programs,
            "largest_programme_relationships": largest.n,  # type: ignore[attr-defined]
            "rows": rows,
            "seconds_building_data": built,
            "seconds_refreshing": refreshes,
            "timings": timings,
        }
        print(json.dumps(result))
    finally:
        connection.close()
        if base._sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(base._sqlite_file + suffix):
                    os.remove(base._sqlite_file + suffix)


if __name__ == "__main__":
    sys.exit(main())
