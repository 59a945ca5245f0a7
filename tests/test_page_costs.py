"""Every list page costs the same number of queries for 2 rows as for 40 (issue 15): the
HTML side of test_list_endpoint_costs.py, with the same seeders. A page shows one page of
rows, so the rows on it may stop growing; its queries must not grow at all."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.test_list_endpoint_costs import SEEDERS, _path

# page path (as the API's paths are written) -> the list operation whose seeder fills it
PAGES = {
    "/people/": "tandem_people_api_person_list",
    "/audit/": "tandem_audit_api_audit_entry_list",
    "/notifications/": "tandem_notifications_api_notification_list",
    "/programs/{program_id}/participants/": "tandem_participants_api_participant_list",
    "/programs/{program_id}/relationships/": "tandem_workspace_api_program_relationship_signals",
    "/programs/{program_id}/health/": "tandem_health_api_program_health_list",
    "/provisioning/hr-sync/": "tandem_provisioning_api_hr_sync_run_list",
    "/accounts/members/": "tandem_accounts_api_member_list",
    "/programs/{program_id}/matching/": "tandem_matching_api_runs_run_list",
    "/surveys/": "tandem_surveys_api_invitation_list",
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_list_page_costs_the_same_for_2_and_40_rows(pair, page):
    seeder = SEEDERS[PAGES[page]]
    client = Client()
    client.force_login(seeder.actor(pair))
    path = _path(pair, page)
    # given 2 rows the viewer may see (a first visit warms what a session caches)
    seeder.add(pair, 2)
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    # when there are 40
    seeder.add(pair, 38)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    # then the page answers with the same number of queries
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:160] for q in many.captured_queries
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("total", [24, 25, 26, 60])
def test_hr_sync_runs_page_follows_next_links_over_every_run_once(pair, total):
    # given an organisation with `total` runs, several made in the same instant
    from tandem.provisioning.models import HrSyncRun
    from tandem.provisioning.views import HR_SYNC_RUNS_PER_PAGE

    seeder = SEEDERS["tandem_provisioning_api_hr_sync_run_list"]
    seeder.add(pair, total)
    client = Client()
    client.force_login(pair.cast.admin)
    # when the admin follows the "Next" links from the newest page
    seen, costs, query = [], [], {}
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/provisioning/hr-sync/", query)
        assert response.status_code == 200
        costs.append(len(queries.captured_queries))
        seen += [run.pk for run in response.context["runs"]]
        cursor = response.context["next_cursor"]
        if cursor is None:
            break
        assert 'data-testid="next-page"' in response.content.decode()
        query = {"after": cursor}
    # then every run once, newest first, each full page at the first page's cost
    expected = list(
        HrSyncRun.objects.filter(organization=pair.cast.org)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(costs) == total // HR_SYNC_RUNS_PER_PAGE + 1
    assert len(set(costs[: total // HR_SYNC_RUNS_PER_PAGE])) <= 1, costs


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["not-a-cursor", "W10", "WyJ4IiwieCJd"])
def test_hr_sync_runs_page_refuses_a_cursor_it_did_not_give(pair, after):
    client = Client()
    client.force_login(pair.cast.admin)
    response = client.get("/provisioning/hr-sync/", {"after": after})
    assert response.status_code == 400
    assert b"Next link" in response.content
