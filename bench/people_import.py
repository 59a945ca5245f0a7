"""Benchmark: check and commit an HR export of N people, then re-import it unchanged.

    python -m bench.people_import --rows 20000 [--json]

Runs against a fresh test database on whatever DATABASE_URL selects (SQLite by default) and
prints seconds for each step, the file's size and the queries each step made.
"""

import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

DEPARTMENTS = ["Engineering", "Product", "Sales", "Marketing", "People", "Finance", "Data"]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Singapore"]


def make_csv(rows: int, seed: int) -> bytes:
    """A realistic, wide HR export: managers earlier in the file, quoted commas, long titles."""
    rng = random.Random(seed)
    lines = [
        "Email,First name,Last name,Job title,Department,Location,Timezone,Manager email,"
        "Hire date,Employee ID,Cost centre,Notes"
    ]
    for index in range(rows):
        manager = f"person{rng.randrange(index)}@bench.example" if index > 10 else ""
        lines.append(
            ",".join(
                [
                    f"person{index}@bench.example",
                    f"First{index}",
                    f"Last{index}",
                    f'"Senior Specialist, {rng.choice(DEPARTMENTS)} Operations and Planning"',
                    rng.choice(DEPARTMENTS),
                    f"Office {rng.randrange(40)}",
                    rng.choice(ZONES),
                    manager,
                    f"20{rng.randrange(10, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
                    f"E{index:07d}",
                    f"CC-{rng.randrange(1000):04d}",
                    f'"{"x" * rng.randrange(80, 140)}"',
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from tandem.accounts.models import Role
        from tandem.accounts.services import organization_create, user_create
        from tandem.people.services import people_import_commit, people_import_preview

        org = organization_create(name="Bench", slug="bench")
        admin = user_create(organization=org, email="admin@bench.example", role=Role.ORG_ADMIN)
        content = make_csv(args.rows, args.seed)
        result: dict[str, object] = {
            "rows": args.rows,
            "megabytes": round(len(content) / 1_000_000, 2),
            "database": connection.vendor,
        }
        for step, call in (
            ("dry_run", people_import_preview),
            ("commit", people_import_commit),
            ("reimport_dry_run", people_import_preview),
        ):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                plan = call(actor=admin, content=content)
                result[f"{step}_seconds"] = round(time.perf_counter() - started, 2)
            result[f"{step}_queries"] = len(queries)
            result[f"{step}_counts"] = plan.counts
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")


if __name__ == "__main__":
    sys.exit(main())
