"""Every list page costs the same number of queries for 2 rows as for 20 (issue 15): the
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
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_list_page_costs_the_same_for_2_and_20_rows(pair, page):
    seeder = SEEDERS[PAGES[page]]
    client = Client()
    client.force_login(seeder.actor(pair))
    path = _path(pair, page)
    # given 2 rows the viewer may see (a first visit warms what a session caches)
    seeder.add(pair, 2)
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    # when there are 20
    seeder.add(pair, 18)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    # then the page answers with the same number of queries
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:160] for q in many.captured_queries
    ]
