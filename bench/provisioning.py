"""Benchmark: provision N people through SCIM, one request each, then N through the HR sync.

    python -m bench.provisioning --users 10000 [--scim-users N] [--json]

SCIM: `POST /scim/v2/<slug>/Users` per person through Django's test client (the WSGI handler
in-process: middleware, token check, scim2-models validation, the write), so the figure is
Tandem's own cost per request without a network. HR sync: one export of N other people run by
`hrsync.hr_sync_run` (both imports' checks, the upserts, the run record), then the same file
again (nothing to change). Runs against a fresh test database on whatever DATABASE_URL selects
(SQLite by default) and prints users per second and the load average.
"""

import argparse
import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def hr_export(users: int) -> bytes:
    lines = ["Employee ID,Email,First name,Last name,Department,Grade,Location,Hire date"]
    for index in range(users):
        lines.append(
            f"H{index:07d},hr{index}@bench.example,First{index},Last{index},"
            f"Dept {index % 12},G{index % 7},Office {index % 40},2019-0{index % 9 + 1}-15"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    # SCIM one request at a time is the slow half; this measures it on fewer people.
    parser.add_argument("--scim-users", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    scim_users = args.users if args.scim_users is None else args.scim_users

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from tandem.accounts.models import Role
        from tandem.accounts.services import organization_create, user_create
        from tandem.provisioning.hrsync import hr_sync_run
        from tandem.provisioning.services import scim_token_create

        org = organization_create(name="Bench", slug="bench")
        admin = user_create(organization=org, email="admin@bench.example", role=Role.ORG_ADMIN)
        _, token = scim_token_create(actor=None, organization=org, name="bench")
        client = Client()
        started = time.perf_counter()
        for index in range(scim_users):
            body = {
                "schemas": [USER, ENTERPRISE],
                "userName": f"scim{index}",
                "name": {"givenName": f"First{index}", "familyName": f"Last{index}"},
                "emails": [
                    {"value": f"scim{index}@bench.example", "type": "work", "primary": True}
                ],
                "active": True,
                ENTERPRISE: {"employeeNumber": f"S{index:07d}", "department": "Engineering"},
            }
            response = client.generic(
                "POST",
                "/scim/v2/bench/Users",
                json.dumps(body),
                content_type=SCIM,
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            if response.status_code != 201:
                raise SystemExit(f"SCIM POST {index} answered {response.status_code}")
        scim_seconds = time.perf_counter() - started

        content = hr_export(args.users)
        started = time.perf_counter()
        run = hr_sync_run(actor=admin, content=content, file_name="bench.csv")
        sync_seconds = time.perf_counter() - started
        if run.created != args.users:
            raise SystemExit(f"HR sync created {run.created} of {args.users}: {run.errors[:3]}")
        started = time.perf_counter()
        hr_sync_run(actor=admin, content=content, file_name="bench.csv")
        resync_seconds = time.perf_counter() - started

        result = {
            "scim_users": scim_users,
            "hr_sync_users": args.users,
            "database": connection.vendor,
            "scim_seconds": round(scim_seconds, 2),
            "scim_users_per_second": round(scim_users / scim_seconds, 1),
            "hr_sync_seconds": round(sync_seconds, 2),
            "hr_sync_users_per_second": round(args.users / sync_seconds, 1),
            "hr_resync_unchanged_seconds": round(resync_seconds, 2),
            "load_average": [round(value, 2) for value in os.getloadavg()],
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>30}: {value}")


if __name__ == "__main__":
    main()
