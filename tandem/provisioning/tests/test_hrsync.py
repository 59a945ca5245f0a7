"""HR data sync: a family of files (hypothesis), failed rows change nothing, re-runs change
nothing more, leavers are deactivated exactly once through the lifecycle, outcome fields land,
the folder job, and the API's authorization matrix."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import ACTOR_NAMES, Cast, Pair
from tandem.accounts.models import User
from tandem.outcomes.models import EmploymentRecord, Promotion
from tandem.provisioning.hrsync import hr_sync_folder, hr_sync_run
from tandem.provisioning.models import HrSyncRun, HrSyncSource, HrSyncStatus, PersonDeactivation
from tandem.relationships.models import RelationshipStatus

HEADER = [
    "Employee ID",
    "Email",
    "First name",
    "Last name",
    "Department",
    "Grade",
    "Location",
    "Hire date",
    "Termination date",
    "Promotion dates",
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(number: int, **overrides: str) -> list[str]:
    values = {
        "Employee ID": f"E{number:05d}",
        "Email": f"person{number}@northwind.test",
        "First name": f"Pat{number}",
        "Last name": "Example",
        "Department": "Finance",
        "Grade": "G5",
        "Location": "Leeds",
        "Hire date": "2020-03-01",
        "Termination date": "",
        "Promotion dates": "2022-01-01",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


# A bad cell, and the column the error must name.
BAD_CELLS = [
    ("Email", "not-an-email"),
    ("Hire date", "31/31/2020"),
    ("Termination date", "yesterday"),
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=st.lists(st.sampled_from([None, 0, 1, 2]), min_size=1, max_size=6))
def test_a_family_of_files_rows_fail_alone_or_land_exactly_once(cast: Cast, kinds) -> None:
    with transaction.atomic():
        # given a file of valid rows and rows with one bad cell each
        rows = []
        bad_rows = set()
        for index, kind in enumerate(kinds):
            if kind is None:
                rows.append(_row(index))
            else:
                column, value = BAD_CELLS[kind]
                rows.append(_row(index, **{column: value}))
                bad_rows.add(index + 2)  # the header is row 1
        content = _csv(rows)
        people_before = User.objects.count()

        # when the admin runs it
        run = hr_sync_run(actor=cast.admin, content=content)

        # then a file with a bad row changes nothing and names exactly those rows
        if bad_rows:
            assert run.status == HrSyncStatus.FAILED
            assert {error["row"] for error in run.errors} == bad_rows
            assert User.objects.count() == people_before
            assert not EmploymentRecord.objects.exists()
        else:
            # and a good file creates everyone with their HR record, and a re-run nothing more
            assert (run.status, run.created, run.rows) == (HrSyncStatus.DONE, len(rows), len(rows))
            assert User.objects.count() == people_before + len(rows)
            assert EmploymentRecord.objects.count() == len(rows)
            again = hr_sync_run(actor=cast.admin, content=content)
            assert (again.status, again.created, again.updated, again.deactivated) == (
                HrSyncStatus.DONE,
                0,
                0,
                0,
            )
            assert again.report == []
            assert User.objects.count() == people_before + len(rows)
        transaction.set_rollback(True)


def test_valid_only_runs_the_good_rows_and_reports_the_rest(cast: Cast) -> None:
    # given one good row and one bad one
    content = _csv([_row(1), _row(2, **{"Hire date": "soon"})])

    # when run with "valid rows only"
    run = hr_sync_run(actor=cast.admin, content=content, valid_only=True)

    # then the good row landed and the bad one is reported by row and column
    assert (run.status, run.created, run.rows, run.error_count) == (HrSyncStatus.DONE, 1, 2, 1)
    assert run.errors[0]["row"] == 3
    assert run.errors[0]["field"] == "Hire date"
    assert User.objects.filter(email="person1@northwind.test").exists()
    assert not User.objects.filter(email="person2@northwind.test").exists()


def test_outcome_fields_land_in_outcomes_records(cast: Cast) -> None:
    # given a person synced once with two promotions
    promotions = {"Promotion dates": "2021-05-01;2023-06-01"}
    hr_sync_run(actor=cast.admin, content=_csv([_row(7, **promotions)]))

    # when the next export moves them to Legal
    run = hr_sync_run(actor=cast.admin, content=_csv([_row(7, Department="Legal", **promotions)]))

    # then the HR record holds the file's values and the run says what changed for whom
    record = EmploymentRecord.objects.get(user__email="person7@northwind.test")
    assert (record.employee_id, record.hired_on, record.department) == (
        "E00007",
        date(2020, 3, 1),
        "Legal",
    )
    assert (record.grade, record.location) == ("G5", "Leeds")
    days = Promotion.objects.filter(record=record).values_list("promoted_on", flat=True)
    assert sorted(days) == [date(2021, 5, 1), date(2023, 6, 1)]
    assert run.updated == 1
    assert run.report == [
        {
            "person": "person7@northwind.test",
            "row": 2,
            "action": "update",
            "changes": ["department"],
        }
    ]


def test_leavers_are_deactivated_once_through_the_lifecycle(pair: Pair) -> None:
    # given the mentee's row says they left yesterday
    cast = pair.cast
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    content = _csv([_row(1, Email=cast.mentee.email, **{"Termination date": yesterday}), _row(2)])

    # when the file runs twice
    first = hr_sync_run(actor=cast.admin, content=content)
    second = hr_sync_run(actor=cast.admin, content=content)

    # then the mentee was deactivated by the first run only, their pair paused
    assert (first.deactivated, second.deactivated) == (1, 0)
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is False
    assert PersonDeactivation.objects.filter(user=cast.mentee).count() == 1
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED
    assert EmploymentRecord.objects.get(user=cast.mentee).terminated_on == date.fromisoformat(
        yesterday
    )


def test_a_full_export_deactivates_who_it_does_not_list(cast: Cast) -> None:
    # given a full export listing only the mentor
    content = _csv([_row(1, Email=cast.mentor.email)])

    # when it runs as a dry run, then for real
    dry = hr_sync_run(actor=cast.admin, content=content, full=True, dry_run=True)
    active_after_dry = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    run = hr_sync_run(actor=cast.admin, content=content, full=True)

    # then the dry run kept nothing but said the same
    assert dry.status == HrSyncStatus.DRY_RUN
    assert dry.deactivated == run.deactivated
    assert cast.mentee.pk in active_after_dry
    # and everyone else of the organisation but the admin running it is deactivated
    still_active = set(
        User.objects.filter(organization=cast.org, is_active=True).values_list("pk", flat=True)
    )
    assert still_active == {cast.admin.pk, cast.mentor.pk}
    assert User.objects.get(pk=cast.outsider.pk).is_active is True


def test_an_xlsx_export_runs_like_its_csv(cast: Cast) -> None:
    # given the same rows as a workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(_row(3))
    out = io.BytesIO()
    workbook.save(out)

    # when it runs
    run = hr_sync_run(actor=cast.admin, content=out.getvalue())

    # then the person and their record exist
    assert (run.status, run.created) == (HrSyncStatus.DONE, 1)
    assert EmploymentRecord.objects.get(user__email="person3@northwind.test").grade == "G5"


def test_the_folder_job_runs_each_export_once(cast: Cast, tmp_path) -> None:
    # given an export dropped in the organisation's folder, and one for an unknown slug
    folder = tmp_path / cast.org.slug
    folder.mkdir()
    (folder / "hr-export.csv").write_bytes(_csv([_row(4)]))
    (tmp_path / "nobody").mkdir()
    (tmp_path / "nobody" / "x.csv").write_bytes(_csv([_row(5)]))

    # when the job runs twice
    first = hr_sync_folder(root=tmp_path)
    second = hr_sync_folder(root=tmp_path)

    # then the export ran once, as a folder run, and was moved aside
    assert [(r.source, r.file_name, r.created) for r in first] == [
        (HrSyncSource.FOLDER, "hr-export.csv", 1)
    ]
    assert second == []
    assert not (folder / "hr-export.csv").exists()
    assert len(list((folder / "done").iterdir())) == 1
    assert (tmp_path / "nobody" / "x.csv").exists()


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_hr_sync_api_authorization_matrix(cast: Cast, api_as, name: str) -> None:
    # given each kind of caller
    client = api_as(cast.by_name(name))

    # when they push an export and read the history
    pushed = client.client.post(
        "/api/v1/hr-sync/runs",
        {"file": SimpleUploadedFile("hr.csv", _csv([_row(9)]), content_type="text/csv")},
        headers=client.headers,
    )
    listed = client.get("hr-sync/runs")

    # then only org admins may; the outsider only ever sees their own organisation
    expected = {"anonymous": 401, "admin": 201, "outsider": 201}.get(name, 404)
    assert pushed.status_code == expected
    assert listed.status_code == (200 if expected == 201 else expected)
    runs = HrSyncRun.objects.filter(organization=cast.org)
    assert runs.count() == (1 if name == "admin" else 0)
    if name == "outsider":
        assert [run["id"] for run in listed.json()["items"]] == [
            HrSyncRun.objects.get(organization=cast.other_org).pk
        ]
        assert (
            client.get(
                f"hr-sync/runs/{HrSyncRun.objects.get(organization=cast.other_org).pk}"
            ).status_code
            == 200
        )


def test_a_bad_file_over_the_api_is_a_problem_naming_the_row(cast: Cast, api_as) -> None:
    # given a file with a bad hire date
    client = api_as(cast.admin)

    # when pushed
    response = client.client.post(
        "/api/v1/hr-sync/runs",
        {"file": SimpleUploadedFile("hr.csv", _csv([_row(1, **{"Hire date": "x"})]))},
        headers=client.headers,
    )

    # then it is a problem naming the row and column, the run is in the history, nothing else
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "Hire date")]
    assert HrSyncRun.objects.get().status == HrSyncStatus.FAILED
    assert not User.objects.filter(email="person1@northwind.test").exists()


def test_the_run_list_takes_a_fixed_number_of_queries(
    cast: Cast, api_as, django_assert_max_num_queries
) -> None:
    # given several runs
    for number in range(3):
        hr_sync_run(actor=cast.admin, content=_csv([_row(number)]), dry_run=True)
    client = api_as(cast.admin)

    # when listed, then within a fixed budget
    with django_assert_max_num_queries(6):
        response = client.get("hr-sync/runs")
    assert response.json()["count"] == 3


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_the_history_page_is_the_admins_within_a_query_budget(
    cast: Cast, client, name: str, django_assert_max_num_queries
) -> None:
    # given two runs, one failed
    hr_sync_run(actor=cast.admin, content=_csv([_row(1)]), dry_run=True)
    hr_sync_run(actor=cast.admin, content=_csv([_row(2, Email="bad")]))
    actor = cast.by_name(name)
    if actor is not None:
        client.force_login(actor)

    # when they open the history
    with django_assert_max_num_queries(12):
        response = client.get("/provisioning/hr-sync/")

    # then only the organisation's admin sees it, with the failed row named
    if name == "anonymous":
        assert response.status_code == 302
    elif name == "admin":
        assert response.status_code == 200
        assert "Row 2, Email" in response.content.decode()
    elif name == "outsider":
        # their own organisation's history, which has no run
        assert response.status_code == 200
        assert "No HR sync has run yet." in response.content.decode()
    else:
        assert response.status_code == 404


# --- the employee ID is the key ------------------------------------------------------------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moves=st.lists(st.booleans(), min_size=1, max_size=5),
    new_domain=st.sampled_from(["northwind.test", "Northwind.example", "nw.test"]),
)
def test_a_new_email_under_a_known_employee_id_is_the_same_person(
    cast: Cast, moves: list[bool], new_domain: str
) -> None:
    with transaction.atomic():
        # given people synced once
        hr_sync_run(actor=cast.admin, content=_csv([_row(n) for n in range(len(moves))]))
        ids = {n: User.objects.get(email=f"person{n}@northwind.test").pk for n in range(len(moves))}
        accounts = User.objects.count()
        # when the next export gives some of them a new address under the same employee ID
        rows = [
            _row(n, Email=f"renamed{n}@{new_domain}") if moved else _row(n)
            for n, moved in enumerate(moves)
        ]
        run = hr_sync_run(actor=cast.admin, content=_csv(rows))
        # then nobody new, each moved account has the new address and keeps its HR record
        assert run.status == HrSyncStatus.DONE
        assert User.objects.count() == accounts
        for n, moved in enumerate(moves):
            user = User.objects.get(pk=ids[n])
            expected = f"renamed{n}@{new_domain}" if moved else f"person{n}@northwind.test"
            assert user.email.lower() == expected.lower()
            assert user.is_active
            assert EmploymentRecord.objects.get(user=user).employee_id == f"E{n:05d}"
        # and the run says whose address changed, from what
        changed = {entry["person"].lower(): entry["changes"] for entry in run.report}
        assert len(changed) == sum(moves)
        for n, moved in enumerate(moves):
            if moved:
                assert (
                    f"email (was person{n}@northwind.test)"
                    in changed[f"renamed{n}@{new_domain}".lower()]
                )
        transaction.set_rollback(True)


def test_a_new_email_that_is_another_persons_account_is_a_row_error(cast: Cast) -> None:
    # given two synced people
    hr_sync_run(actor=cast.admin, content=_csv([_row(1), _row(2)]))
    before = sorted(User.objects.values_list("pk", "email"))
    # when the export gives person 1's employee ID person 2's address
    run = hr_sync_run(
        actor=cast.admin,
        content=_csv([_row(1, Email="person2@northwind.test"), _row(3)]),
    )
    # then nothing changed, and the error names the row, the column and both people
    assert run.status == HrSyncStatus.FAILED
    assert sorted(User.objects.values_list("pk", "email")) == before
    ours = [e for e in run.errors if e["field"] == "Email"]
    assert [e["row"] for e in ours] == [2]
    assert "person1@northwind.test" in ours[0]["message"]
    assert "another person's account" in ours[0]["message"]


def test_a_dry_run_moves_no_address(cast: Cast) -> None:
    hr_sync_run(actor=cast.admin, content=_csv([_row(4)]))
    run = hr_sync_run(
        actor=cast.admin, content=_csv([_row(4, Email="pat4@northwind.test")]), dry_run=True
    )
    assert run.status == HrSyncStatus.DRY_RUN
    assert run.report[0]["changes"][0] == "email (was person4@northwind.test)"
    assert User.objects.filter(email="person4@northwind.test").exists()
    assert not User.objects.filter(email="pat4@northwind.test").exists()
