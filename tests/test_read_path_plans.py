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
from tandem.accounts.models import Role, User
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


def _faults(sql: str, big: set[str] = BIG_TABLES) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    faults = []
    for node in _nodes(plan):
        table = node.get("Relation Name", "")
        if node["Node Type"] == "Seq Scan" and table in big:
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
    # and the HTML list pages (seek pages too): the first page, a deep page reached by its
    # "Next" links (the sixth, or the last when there are fewer), and the page its "Previous"
    # link names, read backwards from its cursor
    admin = User.objects.create(
        email="admin@plans.bench.example",
        organization_id=organisation.organization_id,
        role=Role.ORG_ADMIN,
        password="!",
    )
    for user, path in [
        (manager, f"/programs/{program}/participants/?"),
        (manager, f"/programs/{program}/participants/?role=mentee"),
        (manager, f"/programs/{program}/relationships/?"),
        (manager, f"/programs/{program}/relationships/?status="),
        (admin, "/people/?"),
        (admin, "/accounts/members/?"),
        (subject, "/notifications/?unread=1"),
    ]:
        page, deep = _session(user).get(path).context["page"], path
        for _ in range(5):
            if page.next_cursor is None:
                break
            deep = f"{path}&after={page.next_cursor}"
            page = _session(user).get(deep).context["page"]
        assert page.previous_cursor, deep
        paths += [
            (user, "page", path),
            (user, "page", deep),
            (user, "page", f"{path}&before={page.previous_cursor}"),
        ]
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
            if any(facet in sql for facet in FACETS):
                continue
            for fault in _faults(sql):
                faults.setdefault(path, []).append(f"{fault}: {sql[:160]}")
    assert faults == {}


# Not the pages' rows but their filters' choices, which read what they choose from whatever
# the page: the departments of the organisation's people or the programme's participants,
# the kinds of object in the organisation's audit trail. Left for stored lists of choices.
FACETS = [
    'SELECT DISTINCT "people_profile"."department"',
    'SELECT DISTINCT "django_content_type"."app_label"',
]


# The lists that grow with an organisation's history, by table (decision 0020).
HISTORY_TABLES = {
    "accounts_invitation",
    "matching_matchrun",
    "matching_matchrequest",
    "webhooks_webhookdelivery",
    "provisioning_hrsyncrun",
    "resources_resource",
    "audit_auditentry",
}
ORGANISATIONS = 12
HISTORY = 800  # rows of each history list per organisation


@pytest.fixture
def history(transactional_db: None) -> list[dict[str, Any]]:
    """12 organisations, each with an admin, a manager, a programme with three mentors and a
    mentee, a webhook endpoint, and 800 rows of each history list (bulk writes: the rows of a list
    share their instant, so the id orders them, as the seek must); statistics up to date."""
    from tandem.accounts.models import Invitation, InvitationStatus, Organization, Role
    from tandem.audit.models import AuditEntry
    from tandem.matching.models import MatchRequest, MatchRun, RequestStatus, RunObjective
    from tandem.participants.models import Participant, ParticipantRole
    from tandem.programs.models import Program, ProgramStatus
    from tandem.provisioning.models import HrSyncRun
    from tandem.resources.models import Resource
    from tandem.webhooks.models import WebhookDelivery, WebhookEndpoint

    now = datetime.datetime.now(tz=datetime.UTC)
    places = []
    for number in range(ORGANISATIONS):
        org = Organization.objects.create(name=f"History {number}", slug=f"history-{number}")
        domain = f"h{number}.example"

        def person(name: str, role: str = Role.MEMBER, *, org=org, domain=domain) -> User:
            return User.objects.create(
                email=f"{name}@{domain}", organization=org, role=role, password="!"
            )

        admin, manager = person("admin", Role.ORG_ADMIN), person("manager", Role.PROGRAM_MANAGER)
        mentee_user = person("mentee")
        program = Program.objects.create(
            organization=org,
            name="Cohort",
            status=ProgramStatus.PUBLISHED,
            starts_on=now.date(),
            ends_on=now.date() + datetime.timedelta(days=300),
        )
        program.managers.set([manager])
        mentors = Participant.objects.bulk_create(
            Participant(
                program=program,
                user=person(f"mentor{index}"),
                role=ParticipantRole.MENTOR,
                capacity=1,
            )
            for index in range(3)
        )
        mentee = Participant.objects.create(
            program=program, user=mentee_user, role=ParticipantRole.MENTEE
        )
        endpoint = WebhookEndpoint.objects.create(
            organization=org, url=f"https://{domain}/hook", secret="s", created_by=admin
        )
        places.append(
            {
                "org": org,
                "admin": admin,
                "manager": manager,
                "mentee": mentee_user,
                "mentee_participant": mentee,
                "mentors": mentors,
                "program": program.pk,
                "endpoint": endpoint.pk,
            }
        )
    # the lists' rows, the organisations' interleaved as a live database writes them: each
    # organisation's rows are spread over the whole table, not packed in a few pages
    every = [(index, place) for index in range(HISTORY) for place in places]
    Invitation.objects.bulk_create(
        Invitation(
            organization=place["org"],
            email=f"i{index}@{place['org'].slug}.example",
            invited_by=place["admin"],
            status=InvitationStatus.PENDING if index % 2 else InvitationStatus.ACCEPTED,
        )
        for index, place in every
    )
    MatchRun.objects.bulk_create(
        MatchRun(program_id=place["program"], objective=RunObjective.TOTAL) for _, place in every
    )
    MatchRequest.objects.bulk_create(
        MatchRequest(
            program_id=place["program"],
            mentee=place["mentee_participant"],
            mentor=place["mentors"][index % 3],
            status=RequestStatus.PENDING if index < 3 else RequestStatus.DECLINED,
            expires_at=now,
        )
        for index, place in every
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=place["endpoint"],
            event_id=f"e{index}",
            event_type="relationship.started",
            body="{}",
            next_attempt_at=now,
        )
        for index, place in every
    )
    HrSyncRun.objects.bulk_create(
        HrSyncRun(
            organization=place["org"], source="upload", status="done", started_by=place["admin"]
        )
        for _, place in every
    )
    Resource.objects.bulk_create(
        Resource(
            organization=place["org"], slug=f"r{index}", kind="article", title=f"Piece {index:04}"
        )
        for index, place in every
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization_id=place["org"].pk,
            event="programme.updated",
            actor=place["admin"],
            action=AuditEntry.Action.UPDATE,
            object_repr=f"Programme {index}",
        )
        for index, place in every
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return places


def test_history_lists_seek_by_their_index(history: list[dict[str, Any]]) -> None:
    place = history[ORGANISATIONS // 2]
    program = place["program"]
    lists = [
        (place["admin"], "/api/v1/invitations"),
        (place["manager"], f"/api/v1/programs/{program}/matching/runs"),
        (place["manager"], f"/api/v1/programs/{program}/matching/requests"),
        # not a person's own match requests: they come from two look-ups (sent and received,
        # a UNION) that no one index orders; a person's requests are few
        (place["admin"], f"/api/v1/webhooks/endpoints/{place['endpoint']}/deliveries"),
        (place["admin"], "/api/v1/hr-sync/runs"),
        (place["mentee"], "/api/v1/resources"),
    ]
    faults: dict[str, list[str]] = {}
    for user, path in lists:
        headers = _token(user)
        # when the first page and the page after it are read
        first = Client().get(f"{path}?limit={PAGE}", headers=headers)
        assert first.status_code == 200, (path, first.content[:300])
        cursor = first.json()["next"]
        assert cursor, path
        for page in (f"{path}?limit={PAGE}", f"{path}?limit={PAGE}&after={cursor}"):
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(page, headers=headers).status_code == 200, page
            # then no query reads a whole history table or sorts more than a page
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                for fault in _faults(sql, big=HISTORY_TABLES):
                    faults.setdefault(page, []).append(f"{fault}: {sql[:200]}")
    # and the HTML pages of two of them (the programme's runs, the audit trail): the first
    # page, the page its "Next" link names, and that page's "Previous" page
    for user, path in [
        (place["manager"], f"/programs/{program}/matching/?"),
        (place["admin"], "/audit/?event=programme.updated"),
    ]:
        client = _session(user)
        second = f"{path}&after={client.get(path).context['page'].next_cursor}"
        before = client.get(second).context["page"].previous_cursor
        for page in (path, second, f"{path}&before={before}"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200, page
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                if any(facet in sql for facet in FACETS):
                    continue
                for fault in _faults(sql, big=HISTORY_TABLES):
                    faults.setdefault(page, []).append(f"{fault}: {sql[:200]}")
    assert faults == {}
