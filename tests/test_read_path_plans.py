"""Every key read path costs the rows it returns: PostgreSQL's plans, on an organisation big
enough that the planner would rather scan than use a bad index (issue 15).

Each path is requested through HTTP as the person who uses it; every SELECT it sends is run
again under EXPLAIN ANALYZE. On the tables that grow with the organisation no query may read the
whole table (Seq Scan) and no query may sort more rows than a page holds: a list is read in the
order of an index and stops at its last row. PostgreSQL only (SQLite's planner is another
program; CI runs this file with DATABASE_URL set).
"""

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.web_data import BenchOrganisation, build
from tandem.accounts.models import User
from tandem.accounts.services import api_token_create

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)

# The tables that grow with the organisation's people.
BIG_TABLES = {
    "accounts_user",
    "people_profile",
    "participants_participant",
    "relationships_relationship",
    "meetings_meeting",
    "conversations_message",
    "notifications_notification",
}
PAGE = 50
PEOPLE = 6000


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _faults(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    faults = []
    for node in _nodes(plan):
        table = node.get("Relation Name", "")
        if node["Node Type"] == "Seq Scan" and table in BIG_TABLES:
            faults.append(f"reads all of {table}")
        if node["Node Type"] == "Sort":
            sorted_rows = max(child["Actual Rows"] for child in node["Plans"])
            if sorted_rows > PAGE:
                faults.append(f"sorts {sorted_rows} rows for a page")
    return faults


@pytest.fixture
def organisation(transactional_db: None) -> BenchOrganisation:
    # given an organisation of 6,000 people (3 programmes of 1,200, 1,800 pairs), its
    # statistics up to date as autovacuum keeps them on a live database
    now = datetime.datetime.now(tz=datetime.UTC)
    build(slug="small", people=300, seed=2, now=now)
    made = build(slug="plans", people=PEOPLE, seed=1, now=now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return made


def _session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(user: User) -> dict[str, str]:
    _, raw = api_token_create(user=user, name="plans")
    return {"Authorization": f"Bearer {raw}"}


def test_key_read_paths_read_by_index_and_stop_at_the_page(
    organisation: BenchOrganisation,
) -> None:
    subject = User.objects.get(pk=organisation.subject_id)
    manager = User.objects.get(pk=organisation.manager_id)
    program, relationship = organisation.program_id, organisation.relationship_id
    paths = [
        (subject, "api", "/api/v1/me/relationships"),
        (subject, "api", "/api/v1/me/profile"),
        (manager, "api", f"/api/v1/programs/{program}/participants?limit={PAGE}"),
        (manager, "api", f"/api/v1/programs/{program}/participants?limit={PAGE}&role=mentee"),
        (manager, "api", f"/api/v1/programs/{program}/relationships?limit={PAGE}"),
        (manager, "api", f"/api/v1/programs/{program}/relationships?limit={PAGE}&status=open"),
        (subject, "page", "/"),
        (subject, "page", f"/relationships/{relationship}/"),
        (subject, "page", "/notifications/"),
    ]
    # and the seek pages (`after=`): the second page, from the first page's cursor
    for user, path in [
        (subject, f"/api/v1/me/notifications?limit={PAGE // 5}"),
        (manager, f"/api/v1/programs/{program}/relationships?limit={PAGE}"),
        (manager, f"/api/v1/programs/{program}/relationships?limit={PAGE}&status=open"),
    ]:
        cursor = Client().get(path, headers=_token(user)).json()["next"]
        assert cursor, path
        paths.append((user, "api", f"{path}&after={cursor}"))
    faults: dict[str, list[str]] = {}
    for user, kind, path in paths:
        # when the path is requested (once to warm the caches, once measured)
        if kind == "api":
            client, headers = Client(), _token(user)
        else:
            client, headers = _session(user), {}
        assert client.get(path, headers=headers).status_code == 200, path
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        # then no query it sent reads a whole big table or sorts more than a page
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            for fault in _faults(sql):
                faults.setdefault(path, []).append(f"{fault}: {sql[:160]}")
    assert faults == {}
