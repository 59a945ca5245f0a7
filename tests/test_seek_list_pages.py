"""The HTML list pages page by seek (issue 15, decision 0020): "Next" and "Previous" links carry
a cursor (`after=`, `before=`) and every other parameter of the page, so a deep page costs what
the first one costs and a filter survives paging. Walking the links forward, then back, visits
every row of the list once, in the list's own order, whatever the rows and the page size. The
plans (an index walked from the cursor) are checked on PostgreSQL in test_read_path_plans.py;
the query counts at 2 and 40 rows in test_page_costs.py."""

import html
import re
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_list_endpoint_costs import SEEDERS, _path


@dataclass(frozen=True)
class ListPage:
    """A page, the API list whose seeder fills it, the view module's page-size constant, and
    filters that keep every seeded row (so a lost filter would show in the links)."""

    seeder: str
    size: tuple[str, str]
    filters: dict[str, str] = field(default_factory=dict)


PAGES = {
    "/people/": ListPage(
        "tandem_people_api_person_list", ("tandem.people.views", "PEOPLE_PER_PAGE"), {"q": "@"}
    ),
    "/accounts/members/": ListPage(
        "tandem_accounts_api_member_list",
        ("tandem.people.access_pages", "MEMBERS_PER_PAGE"),
        {"q": "@"},
    ),
    "/audit/": ListPage(
        "tandem_audit_api_audit_entry_list",
        ("tandem.audit.views", "PAGE_SIZE"),
        {"event": "programme.updated"},
    ),
    "/notifications/": ListPage(
        "tandem_notifications_api_notification_list",
        ("tandem.notifications.views", "PAGE_SIZE"),
        {"unread": "1"},
    ),
    "/programs/{program_id}/participants/": ListPage(
        "tandem_participants_api_participant_list",
        ("tandem.participants.views", "PAGE_SIZE"),
        {"q": "@"},
    ),
    "/programs/{program_id}/relationships/": ListPage(
        "tandem_workspace_api_program_relationship_signals",
        ("tandem.workspace.views", "SIGNALS_PER_PAGE"),
        {"status": "", "kind": "pairs"},
    ),
    "/programs/{program_id}/health/": ListPage(
        "tandem_health_api_program_health_list",
        ("tandem.health.views", "HEALTH_PER_PAGE"),
        {"bucket": "on_track"},
    ),
    "/programs/{program_id}/matching/": ListPage(
        "tandem_matching_api_runs_run_list", ("tandem.matching.runs.views", "RUNS_PER_PAGE")
    ),
    "/surveys/": ListPage(
        "tandem_surveys_api_invitation_list", ("tandem.surveys.views", "INVITATIONS_PER_PAGE")
    ),
}

LINK = re.compile(r'<a class="page-link" href="(?P<href>[^"]*)" rel="(?P<rel>prev|next)"')


def _links(response) -> dict[str, str]:
    """The pager's links of a page: rel -> the query string it points to."""
    return {
        found["rel"]: html.unescape(found["href"])
        for found in LINK.finditer(response.content.decode())
    }


def _query(href: str) -> dict[str, str]:
    from django.http import QueryDict

    return QueryDict(href.removeprefix("?")).dict()


def _walk(client: Client, path: str, first: dict[str, str], rel: str, filters: dict[str, str]):
    """Every row id, page by page, following `rel` links from `first`; each page's cost."""
    pages, costs, query = [], [], first
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, query)
        assert response.status_code == 200, (path, query, response.content[:300])
        costs.append(len(queries.captured_queries))
        pages.append([row.pk for row in response.context["page"].object_list])
        links = _links(response)
        if rel not in links:
            return pages, costs, response
        query = _query(links[rel])
        # then the link keeps the page's filters and names one cursor
        assert {key: query[key] for key in filters} == filters, (links[rel], filters)
        assert len({"after", "before"} & set(query)) == 1, links[rel]


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(more=st.integers(0, 9), size=st.integers(1, 6))
def test_walking_the_links_visits_every_row_once_in_order(pair, monkeypatch, page, more, size):
    # given the list with some more rows (the database is kept between examples, so the rows
    # accumulate) and a page size
    spec = PAGES[page]
    seeder = SEEDERS[spec.seeder]
    seeder.add(pair, more)
    client = Client()
    client.force_login(seeder.actor(pair))
    path = _path(pair, page)
    module, name = spec.size
    monkeypatch.setattr(f"{module}.{name}", 100_000)
    everything = [row.pk for row in client.get(path, spec.filters).context["page"].object_list]
    monkeypatch.setattr(f"{module}.{name}", size)
    # when the viewer follows "Next" from the first page to the last
    forward, costs, last = _walk(client, path, spec.filters, "next", spec.filters)
    # then every row once, in the list's order, in pages of `size`, the last one not empty
    assert [pk for rows in forward for pk in rows] == everything
    assert all(len(rows) == size for rows in forward[:-1])
    assert forward[-1] or not everything
    # and every page of rows costs what the first one costs
    assert len(set(costs)) == 1, costs
    # when they follow "Previous" back from the last page
    if len(forward) > 1:
        back_from = _query(_links(last)["prev"])
        backward, back_costs, first = _walk(client, path, back_from, "prev", spec.filters)
        # then the same pages, in reverse, the first page with no "Previous"
        assert backward == forward[-2::-1]
        assert len(set(back_costs)) == 1, back_costs
        assert "next" in _links(first)


@pytest.mark.django_db
def test_rows_that_tie_are_paged_by_id(pair, monkeypatch):
    # given notifications all made in the same instant
    from tandem.notifications.models import Notification

    SEEDERS["tandem_notifications_api_notification_list"].add(pair, 7)
    Notification.objects.filter(user=pair.mentor).update(created_at=timezone.now())
    monkeypatch.setattr("tandem.notifications.views.PAGE_SIZE", 2)
    client = Client()
    client.force_login(pair.mentor)
    # when read two at a time
    forward, _, _ = _walk(client, "/notifications/", {}, "next", {})
    # then newest first and, at the tie, the highest id first: none lost, none twice
    expected = list(
        Notification.objects.filter(user=pair.mentor)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert [pk for rows in forward for pk in rows] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize(
    "query",
    [
        {"after": "not-a-cursor"},
        {"before": "W10"},  # [] : no values
        {"after": "WyJ4IiwieCJd", "before": "WyJ4IiwieCJd"},
    ],
)
def test_a_cursor_the_page_did_not_give_is_a_bad_request(pair, page, query):
    seeder = SEEDERS[PAGES[page].seeder]
    client = Client()
    client.force_login(seeder.actor(pair))
    assert client.get(_path(pair, page), query).status_code == 400


@pytest.mark.django_db
def test_a_total_past_the_cap_is_shown_as_capped(pair, monkeypatch):
    # given more participants than the count's cap
    from tandem.core import pagination

    monkeypatch.setattr(pagination, "CAPPED_COUNT", 3)
    SEEDERS["tandem_participants_api_participant_list"].add(pair, 4)
    client = Client()
    client.force_login(pair.cast.manager)
    # when the manager opens the programme's participants
    response = client.get(_path(pair, "/programs/{program_id}/participants/"))
    # then the total says "3+", not a count of every row
    assert "3+ participants." in response.content.decode()
