"""The outcomes pages: who sees each, what the report page says, the privacy threshold on the
page, the import's dry run and commit in the browser's forms, flat query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.outcomes import services
from tandem.outcomes.models import EmploymentRecord, OutcomesImport, OutcomesSettings
from tandem.outcomes.tests.factories import outcomes_organisation


def _login(client, user) -> None:
    if user is not None:
        client.force_login(user)


REPORT_STATUS = {
    # the organisation's setting off (the default), then on
    False: {"outsider": 404, "admin": 200},
    True: {"outsider": 404, "admin": 200, "manager": 200, "other_manager": 404},
}


@pytest.mark.parametrize("managers_allowed", [False, True])
@pytest.mark.parametrize("name", ACTOR_NAMES)
@pytest.mark.parametrize("page", ["report", "csv", "xlsx"])
def test_report_pages_authorization_matrix(cast, client, name, page, managers_allowed):
    # given
    outcomes_organisation(cast, mentored=8, others=8)
    if managers_allowed:
        services.outcomes_settings_update(actor=cast.admin, managers_see_outcomes=True)
    _login(client, cast.by_name(name))
    url = {
        "report": reverse("outcomes:report"),
        "csv": reverse("outcomes:export", args=["csv"]),
        "xlsx": reverse("outcomes:export", args=["xlsx"]),
    }[page]
    # when
    response = client.get(url, {"program": cast.program.pk})
    # then
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == REPORT_STATUS[managers_allowed].get(name, 403)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_import_and_setting_pages_exist_for_org_admins_only(cast, client, name):
    _login(client, cast.by_name(name))
    get = client.get(reverse("outcomes:import"))
    upload = client.post(
        reverse("outcomes:import"),
        {
            "file": SimpleUploadedFile(
                "hr.csv", b"Email,Hire date\r\nmentor@northwind.test,2019-01-01"
            )
        },
    )
    setting = client.post(reverse("outcomes:settings"), {"managers_see_outcomes": "on"})
    if name == "anonymous":
        assert {get.status_code, upload.status_code, setting.status_code} == {302}
    elif name in ("admin", "outsider"):
        assert (get.status_code, upload.status_code, setting.status_code) == (200, 200, 302)
    else:
        assert {get.status_code, upload.status_code, setting.status_code} == {404}
    assert OutcomesImport.objects.filter(organization=cast.org).exists() == (name == "admin")
    assert OutcomesSettings.objects.filter(
        organization=cast.org, managers_see_outcomes=True
    ).exists() == (name == "admin")
    assert not EmploymentRecord.objects.exists()


def test_the_report_page_shows_both_comparisons_balance_roi_and_the_rule(cast, client):
    # given
    outcomes_organisation(cast, mentored=40, others=60)
    client.force_login(cast.admin)
    # when
    response = client.get(
        reverse("outcomes:report"), {"replacement_cost": "40000", "programme_cost": "10000"}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="retention-raw"' in html
    assert 'data-testid="retention-matched"' in html
    assert 'data-testid="balance"' in html
    assert "<svg" in html
    assert 'role="img"' in html
    assert "Tandem concludes only when each group has at least 30 people" in html
    assert "40,000" in html
    assert "10,000" in html
    assert "The curves as a table" in html
    # a claim of significance only ever comes with its verdict
    assert html.count("significantly") == html.count("alert alert-success") + html.count(
        'alert alert-warning" role="status">Mentored people'
    )


def test_a_withheld_group_shows_no_number_on_the_page(cast, client):
    # given four mentored people (the minimum group is five)
    mentored, _ = outcomes_organisation(cast, mentored=4, others=40)
    client.force_login(cast.admin)
    # when
    html = client.get(reverse("outcomes:report")).content.decode()
    # then
    assert "Fewer than 5 people: not shown." in html
    assert "<svg" not in html
    assert "Not shown: each group needs at least 5 people" in html
    for user in mentored:
        assert user.email not in html
        # the full name: a surname alone can be a word of the page ("Cox's hazard ratio")
        assert user.get_full_name() not in html


def test_bad_choices_are_shown_on_the_form(cast, client):
    client.force_login(cast.admin)
    response = client.get(reverse("outcomes:report"), {"promotion_within": "0"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()


def test_a_programme_the_caller_may_not_choose_is_a_form_error_not_data(cast, client):
    client.force_login(cast.outsider)
    response = client.get(reverse("outcomes:report"), {"program": cast.program.pk})
    assert response.status_code == 404


def test_report_page_query_count_does_not_grow_with_the_organisation(
    cast, client, django_assert_max_num_queries
):
    client.force_login(cast.admin)
    outcomes_organisation(cast, mentored=10, others=10, seed=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("outcomes:report")).status_code == 200
    outcomes_organisation(cast, mentored=50, others=70, seed=3)
    with django_assert_max_num_queries(len(small)):
        assert client.get(reverse("outcomes:report")).status_code == 200


def test_upload_previews_then_commit_writes(cast, client):
    # given
    client.force_login(cast.admin)
    content = (
        b"Email,Hire date,Termination date\r\n"
        b"mentor@northwind.test,2019-01-01,\r\n"
        b"ghost@northwind.test,2019-01-01,\r\n"
    )
    # when
    preview = client.post(
        reverse("outcomes:import"), {"file": SimpleUploadedFile("hr.csv", content)}
    )
    # then
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-testid="not-found"' in html
    assert "ghost@northwind.test" in html
    assert not EmploymentRecord.objects.exists()
    staged = OutcomesImport.objects.get()
    committed = client.post(reverse("outcomes:import_commit", args=[staged.pk]))
    assert committed.status_code == 302
    assert list(EmploymentRecord.objects.values_list("user__email", flat=True)) == [
        "mentor@northwind.test"
    ]


def test_upload_with_a_bad_row_shows_it_and_offers_no_commit(cast, client):
    client.force_login(cast.admin)
    content = b"Email,Hire date\r\nmentor@northwind.test,31/31/2020\r\n"
    response = client.post(
        reverse("outcomes:import"), {"file": SimpleUploadedFile("hr.csv", content)}
    )
    html = response.content.decode()
    assert "&#x27;31/31/2020&#x27; is not a date" in html
    assert "Commit import" not in html
