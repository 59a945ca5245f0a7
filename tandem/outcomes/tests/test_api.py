"""The outcomes API: who may read and import what, the report's shape, the privacy threshold
at the API and in the exports, the query budget."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from conftest import ACTOR_NAMES
from tandem.outcomes import services
from tandem.outcomes.models import EmploymentRecord, OutcomesSettings
from tandem.outcomes.tests.factories import outcomes_organisation

REPORT = "outcomes/report"
EXPORT = "outcomes/report/export"


def _allow_managers(cast) -> None:
    services.outcomes_settings_update(actor=cast.admin, managers_see_outcomes=True)


# Who reads the report of cast.program, by the organisation's setting.
EXPECTED_REPORT = {
    False: {
        "anonymous": 401,
        "outsider": 404,
        "member": 403,
        "mentee": 403,
        "mentor": 403,
        "other_manager": 403,
        "manager": 403,
        "admin": 200,
    },
    True: {
        "anonymous": 401,
        "outsider": 404,
        "member": 403,
        "mentee": 403,
        "mentor": 403,
        "other_manager": 404,  # sees outcomes, but not of a programme they do not manage
        "manager": 200,
        "admin": 200,
    },
}


@pytest.mark.parametrize("managers_allowed", [False, True])
@pytest.mark.parametrize("name", ACTOR_NAMES)
@pytest.mark.parametrize("path", [REPORT, EXPORT])
def test_report_and_export_authorization_matrix(cast, api_as, name, path, managers_allowed):
    # given
    outcomes_organisation(cast, mentored=8, others=8)
    if managers_allowed:
        _allow_managers(cast)
    # when
    response = api_as(cast.by_name(name)).get(path, {"program": cast.program.pk})
    # then
    assert response.status_code == EXPECTED_REPORT[managers_allowed][name]
    if response.status_code != 200:
        assert response["Content-Type"] == "application/problem+json"


def test_the_outsider_sees_their_own_empty_organisation_and_nothing_of_ours(cast, api_as):
    outcomes_organisation(cast, mentored=8, others=8)
    response = api_as(cast.outsider).get(REPORT)
    assert response.status_code == 200
    body = response.json()
    assert body["programs"] == []
    assert body["people_with_records"] == 0
    assert body["retention"] == {"raw": None, "matched": None}
    assert body["notes"] == ["No HR outcome data has been imported yet."]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_admins_import_and_configure(cast, api_as, name):
    # given
    content = b"Email,Hire date\r\nmentor@northwind.test,2019-01-01"
    client = api_as(cast.by_name(name))
    # when
    imported = client.client.post(
        "/api/v1/outcomes/imports?dry_run=false",
        {"file": SimpleUploadedFile("hr.csv", content, content_type="text/csv")},
        headers=client.headers,
    )
    settings_put = client.put("outcomes/settings", {"managers_see_outcomes": True})
    settings_get = client.get("outcomes/settings")
    # then
    expected = {"anonymous": 401, "admin": 200, "outsider": 200}.get(name, 403)
    assert imported.status_code == expected
    assert settings_put.status_code == expected
    assert settings_get.status_code == expected
    written = EmploymentRecord.objects.filter(organization=cast.org).exists()
    assert written == (name == "admin")
    # the outsider's import found no one in their organisation and changed their own setting
    assert OutcomesSettings.objects.filter(
        organization=cast.org, managers_see_outcomes=True
    ).exists() == (name == "admin")
    if name == "outsider":
        assert imported.json()["rows"][0]["action"] == "not_found"


def test_an_import_with_a_bad_row_is_a_problem_naming_row_and_column(cast, api_as):
    client = api_as(cast.admin)
    content = b"Email,Hire date,Termination date\r\nmentor@northwind.test,2020-01-01,2019-01-01"
    response = client.client.post(
        "/api/v1/outcomes/imports?dry_run=false",
        {"file": SimpleUploadedFile("hr.csv", content)},
        headers=client.headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "Termination date",
            "message": "The termination date 2019-01-01 is before the hire date 2020-01-01.",
            "row": 2,
        }
    ]
    assert not EmploymentRecord.objects.exists()


def test_the_report_describes_both_comparisons_with_sizes_beside_every_figure(cast, api_as):
    # given
    outcomes_organisation(cast, mentored=40, others=60)
    # when
    body = api_as(cast.admin).get(REPORT, {"program": cast.program.pk}).json()
    # then
    assert body["programs"] == [{"id": cast.program.pk, "name": cast.program.name}]
    assert body["min_group_size"] == 5
    assert body["people_with_records"] == 100
    raw = body["retention"]["raw"]
    assert raw["mentored"]["people"] == 40
    assert raw["others"]["people"] <= 60
    assert [at["months"] for at in raw["mentored"]["retention_at"]] == [6.0, 12.0, 24.0]
    assert all(point["at_risk"] >= 5 for point in raw["mentored"]["curve"])
    verdict = raw["verdict"]
    assert ("significant" in verdict["text"]) == verdict["significant"]
    matching = body["matching"]
    assert matching["on"] == ["department", "grade", "tenure_band", "location"]
    assert matching["mentored_matched"] == matching["others_matched"]
    assert [row["covariate"] for row in matching["balance"]] == matching["on"]
    assert body["promotion"]["raw"]["within_months"] == 24


def test_a_group_under_the_minimum_is_withheld_at_the_api_and_in_both_exports(cast, api_as):
    # given four mentored people: fewer than the minimum group of five
    outcomes_organisation(cast, mentored=4, others=40)
    client = api_as(cast.admin)
    # when
    body = client.get(REPORT, {"program": cast.program.pk}).json()
    csv_response = client.get(EXPORT, {"program": cast.program.pk, "format": "csv"})
    xlsx_response = client.get(EXPORT, {"program": cast.program.pk, "format": "xlsx"})
    # then
    mentored = body["retention"]["raw"]["mentored"]
    assert mentored == {
        "label": "Mentored",
        "withheld": True,
        "people": None,
        "leavers": None,
        "curve": [],
        "retention_at": [],
    }
    assert body["retention"]["raw"]["hazard_ratio"] is None
    assert body["retention"]["raw"]["verdict"]["code"] == "withheld"
    assert body["promotion"]["raw"]["mentored"]["people"] is None
    assert body["roi"] is None
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    mentored_rows = [row for row in rows if row[2] == "Mentored"]
    assert mentored_rows
    assert all(
        row[5] in ("",) or row[3] == "Conclusion" for row in mentored_rows if row[0] != "Promotion"
    )
    assert all(row[8] == "" for row in mentored_rows)
    sheet = load_workbook(
        io.BytesIO(b"".join(xlsx_response.streaming_content)), read_only=True
    ).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][:4] == ["Section", "Comparison", "Group", "Measure"]
    assert all(row[8] is None for row in cells[1:] if row[2] == "Mentored")


def test_the_exports_carry_the_same_figures_as_the_report(cast, api_as):
    outcomes_organisation(cast, mentored=30, others=40)
    client = api_as(cast.admin)
    body = client.get(REPORT).json()
    response = client.get(EXPORT, {"format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="outcomes-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    twelve = next(
        row
        for row in rows
        if row[:4] == ["Retention", "All not-mentored people", "Mentored", "Share still employed"]
        and row[4] == "12.0"
    )
    expected = next(
        at["retention"]
        for at in body["retention"]["raw"]["mentored"]["retention_at"]
        if at["months"] == 12.0
    )
    assert float(twelve[5]) == pytest.approx(expected["value"])
    assert int(twelve[8]) == body["retention"]["raw"]["mentored"]["people"]


def test_roi_assumptions_are_applied_and_returned(cast, api_as):
    outcomes_organisation(cast, mentored=40, others=60)
    body = (
        api_as(cast.admin)
        .get(
            REPORT,
            {"replacement_cost": 50000, "programme_cost": 20000, "roi_horizon": 12, "basis": "raw"},
        )
        .json()
    )
    roi = body["roi"]
    assert roi is not None
    assert (roi["basis"], roi["replacement_cost"], roi["programme_cost"]) == ("raw", 50000, 20000)
    assert roi["savings"]["value"] == pytest.approx(roi["leavers_avoided"]["value"] * 50000)
    assert roi["net"]["value"] == pytest.approx(roi["savings"]["value"] - 20000)
    assert roi["leavers_avoided"]["lower"] <= roi["leavers_avoided"]["value"]
    assert roi["leavers_avoided"]["value"] <= roi["leavers_avoided"]["upper"]


@pytest.mark.parametrize(
    "params",
    [
        {"role": "everyone"},
        {"promotion_within": 0},
        {"roi_horizon": 61},
        {"replacement_cost": -1},
        {"programme_cost": "nan"},
        {"basis": "naive"},
        {"program": 0},
    ],
)
def test_bad_report_parameters_are_a_422_naming_the_parameter(cast, api_as, params):
    response = api_as(cast.admin).get(REPORT, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert any(next(iter(params)) in error["field"] for error in response.json()["errors"])


def test_report_query_count_does_not_grow_with_the_organisation(
    cast, api_as, django_assert_max_num_queries
):
    # given a small organisation, measured
    client = api_as(cast.admin)
    outcomes_organisation(cast, mentored=10, others=10, seed=2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(REPORT).status_code == 200
    # when it grows six-fold
    outcomes_organisation(cast, mentored=50, others=70, seed=3)
    # then the report takes no more queries
    with django_assert_max_num_queries(len(small)):
        assert client.get(REPORT).status_code == 200


def test_the_cached_report_is_computed_again_after_an_import(cast, api_as):
    # given a report read once (and so cached)
    mentored, _ = outcomes_organisation(cast, mentored=20, others=20)
    client = api_as(cast.admin)
    before = client.get(REPORT).json()["retention"]["raw"]["mentored"]["leavers"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cached:
        again = client.get(REPORT).json()["retention"]["raw"]["mentored"]["leavers"]
    assert again == before
    # when an import records that every mentored person who stayed has left
    from tandem.outcomes.models import EmploymentRecord

    stayed = EmploymentRecord.objects.filter(user__in=mentored, terminated_on__isnull=True)
    left_on = (timezone.localdate() - datetime.timedelta(days=35)).isoformat()
    lines = ["Email,Hire date,Termination date"] + [
        f"{record.user.email},{record.hired_on.isoformat()},{left_on}"
        for record in stayed.select_related("user")
    ]
    services.outcomes_import_commit(actor=cast.admin, content="\r\n".join(lines).encode())
    # then the next read computes the report again and sees them leave
    with CaptureQueriesContext(connection) as fresh:
        after = client.get(REPORT).json()["retention"]["raw"]["mentored"]["leavers"]
    assert after > before
    assert len(fresh) > len(cached)
