"""Benchmark: score N open relationships, then read the health list's first page.

    python -m bench.health --relationships 100000 [--programs 20] [--seed 1]

Runs on a fresh SQLite file in the temp directory, or on the (empty) PostgreSQL database that
DATABASE_URL names. The data is `bench.nudges.build`'s (active pairs with meetings, goals,
agreements and journeys). Then it times `health_refresh` (every open pair scored and stored)
and GET /programs/<id>/health/ and GET /api/v1/programs/<id>/health as the largest programme's
manager (first page, and the at-risk filter), printing seconds and queries of each. The target:
100,000 pairs, the list's first page within 300 ms on PostgreSQL, with a query count that does
not depend on the number of pairs.
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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# Importing bench.nudges points Django at a fresh database and sets it up.
from bench.nudges import _sqlite_file, build


def _timed(call: Any) -> dict[str, object]:
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 3), "queries": len(queries), "result": result}


def main() -> None:
    from tandem.health.services import health_refresh
    from tandem.programs.models import Program
    from tandem.relationships.models import Relationship

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        began = time.perf_counter()
        build(args.relationships, args.programs, args.seed, now)
        result: dict[str, object] = {
            "database": connection.vendor,
            "relationships": args.relationships,
            "seconds_building_data": round(time.perf_counter() - began, 1),
            "refresh": _timed(lambda: health_refresh(now=now)),
        }
        biggest = (
            Relationship.objects.values("program_id")
            .order_by()
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if biggest is None:
            raise SystemExit("no relationships were built")
        program = Program.objects.get(pk=biggest["program_id"])
        manager = program.managers.first()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(manager)
        page = f"/programs/{program.pk}/health/"
        api = f"/api/v1/programs/{program.pk}/health"
        client.get(page)  # warm: the session and the first connection
        result["program_pairs"] = biggest["n"]
        for name, url in (
            ("page_first", page),
            ("page_at_risk", page + "?bucket=at_risk"),
            ("api_first", api),
            ("api_at_risk", api + "?bucket=at_risk"),
        ):
            result[name] = _timed(lambda url=url: client.get(url).status_code)
        print(json.dumps(result))
    finally:
        connection.close()
        if _sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(_sqlite_file + suffix):
                    os.remove(_sqlite_file + suffix)


if __name__ == "__main__":
    sys.exit(main())
