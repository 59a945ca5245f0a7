"""The HR outcomes import: dry run, commit, upsert, per-row errors, not-found people, XLSX."""

import io
import math
from datetime import date

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import ACTOR_NAMES
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, Forbidden, InvalidInput
from tandem.outcomes import services
from tandem.outcomes.models import (
    EmploymentRecord,
    OutcomesImport,
    OutcomesImportStatus,
    Promotion,
)

HEADER = "Employee ID,Email,Hire date,Termination date,Promotion dates,Department,Grade,Location"


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("utf-8")


def state(org) -> list[tuple]:
    """Everything the import writes, to compare before and after."""
    records = list(
        EmploymentRecord.objects.filter(organization=org)
        .order_by("user__email")
        .values_list(
            "user__email",
            "employee_id",
            "hired_on",
            "terminated_on",
            "department",
            "grade",
            "location",
            "updated_at",
        )
    )
    promotions = list(
        Promotion.objects.filter(record__organization=org)
        .order_by("record__user__email", "promoted_on")
        .values_list("record__user__email", "promoted_on")
    )
    return records + promotions


def by_row(plan: services.ImportPlan) -> dict[int, services.RowPlan]:
    return {row.row: row for row in plan.rows}


def test_dry_run_plans_every_row_and_writes_nothing(cast):
    # given
    content = csv_bytes(
        HEADER,
        "E1,mentor@northwind.test,2019-03-01,,2021-06-01;2023-01-15,Engineering,G5,Lisbon",
        "E2,mentee@northwind.test,01/02/2020,31/12/2023,,Sales,G3,London",
        "E3,nobody@northwind.test,2020-01-01,,,Sales,G3,London",
    )
    # when
    plan = services.outcomes_import_preview(actor=cast.admin, content=content)
    # then
    assert plan.counts == {
        "create": 2,
        "update": 0,
        "unchanged": 0,
        "not_found": 1,
        "reject": 0,
    }
    rows = by_row(plan)
    assert rows[4].person == "nobody@northwind.test"
    assert rows[4].changes == [services.NOT_FOUND_EMAIL]
    assert state(cast.org) == []


def test_commit_writes_records_and_promotions_and_reimport_upserts(cast):
    # given
    content = csv_bytes(
        HEADER,
        "E1,mentor@northwind.test,2019-03-01,,2021-06-01;2023-01-15,Engineering,G5,Lisbon",
        "E2,MENTEE@northwind.test,01/02/2020,31/12/2023,,Sales,G3,London",
    )
    # when
    plan = services.outcomes_import_commit(actor=cast.admin, content=content)
    # then
    assert plan.committed
    mentor = EmploymentRecord.objects.get(user=cast.mentor)
    assert (mentor.employee_id, mentor.hired_on, mentor.terminated_on) == (
        "E1",
        date(2019, 3, 1),
        None,
    )
    assert (mentor.department, mentor.grade, mentor.location) == ("Engineering", "G5", "Lisbon")
    assert list(mentor.promotions.values_list("promoted_on", flat=True)) == [
        date(2021, 6, 1),
        date(2023, 1, 15),
    ]
    mentee = EmploymentRecord.objects.get(user=cast.mentee)
    assert mentee.terminated_on == date(2023, 12, 31)
    # when the same file comes again, nothing changes
    before = state(cast.org)
    again = services.outcomes_import_commit(actor=cast.admin, content=content)
    assert again.counts["unchanged"] == 2
    assert state(cast.org) == before
    # when a later file changes one person, by employee ID alone, only that changes
    later = csv_bytes(
        "Employee ID,Hire date,Termination date,Promotion dates",
        "E1,2019-03-01,2024-05-31,2021-06-01",
    )
    plan = services.outcomes_import_commit(actor=cast.admin, content=later)
    assert by_row(plan)[2].changes == ["termination_date", "promotion_dates"]
    mentor.refresh_from_db()
    assert mentor.terminated_on == date(2024, 5, 31)
    assert mentor.department == "Engineering"  # no such column: kept
    assert list(mentor.promotions.values_list("promoted_on", flat=True)) == [date(2021, 6, 1)]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("E1,mentor@northwind.test,,,,,,", "Hire date", "The hire date is required."),
        ("E1,mentor@northwind.test,2019-13-01,,,,,", "Hire date", "'2019-13-01' is not a date"),
        ("E1,mentor@northwind.test,2019-03-01,yesterday,,,,", "Termination date", "not a date"),
        (
            "E1,mentor@northwind.test,2019-03-01,2018-01-01,,,,",
            "Termination date",
            "The termination date 2018-01-01 is before the hire date 2019-03-01.",
        ),
        (
            "E1,mentor@northwind.test,2019-03-01,,2018-05-05,,,",
            "Promotion dates",
            "The promotion on 2018-05-05 is before the hire date 2019-03-01.",
        ),
        (
            "E1,mentor@northwind.test,2019-03-01,2020-01-01,2021-05-05,,,",
            "Promotion dates",
            "The promotion on 2021-05-05 is after the termination date 2020-01-01.",
        ),
        ("E1,mentor@northwind.test,2999-01-01,,,,,", "Hire date", "is in the future"),
        ("E1,not-an-email,2019-03-01,,,,,", "Email", "'not-an-email' is not a valid email"),
        (",,2019-03-01,,,,,", "Email", "Give the person's email or employee ID."),
        ("E1,mentor@northwind.test,2019-03-01,,,," + "G" * 151 + ",", "Grade", "150 characters"),
    ],
)
def test_a_bad_cell_rejects_its_row_naming_the_column_and_nothing_is_written(
    cast, cells, column, message
):
    # given a good row and a bad one
    content = csv_bytes(HEADER, "E9,mentee@northwind.test,2020-01-01,,,,,", cells)
    # when
    plan = services.outcomes_import_preview(actor=cast.admin, content=content)
    # then
    (rejected,) = plan.rejected
    assert rejected.row == 3
    assert [error.field for error in rejected.errors] == [column]
    assert message in rejected.errors[0].message
    assert rejected.errors[0].row == 3
    with pytest.raises(InvalidInput) as raised:
        services.outcomes_import_commit(actor=cast.admin, content=content)
    assert raised.value.errors == rejected.errors
    assert state(cast.org) == []


def test_another_organisations_email_reads_exactly_like_an_unknown_one(cast):
    # given the outsider's email (an account of Globex) and an address nobody has
    content = csv_bytes(
        "Email,Hire date",
        f"{cast.outsider.email},2020-01-01",
        "nobody-at-all@globex.test,2020-01-01",
    )
    # when
    plan = services.outcomes_import_commit(actor=cast.admin, content=content)
    # then both are "not found" in the same words, and nothing is written anywhere
    rows = by_row(plan)
    assert rows[2].action == rows[3].action == services.RowAction.NOT_FOUND
    assert rows[2].changes == rows[3].changes
    assert not EmploymentRecord.objects.exists()


def test_duplicate_people_and_employee_ids_name_every_row(cast):
    content = csv_bytes(
        HEADER,
        "E1,mentor@northwind.test,2019-03-01,,,,,",
        "E2,Mentor@Northwind.test,2019-03-01,,,,,",
        "E3,mentee@northwind.test,2019-03-01,,,,,",
        "E3,member@northwind.test,2019-03-01,,,,,",
    )
    plan = services.outcomes_import_preview(actor=cast.admin, content=content)
    messages = {row.row: [error.message for error in row.errors] for row in plan.rejected}
    assert "rows 2, 3" in messages[2][0]
    assert "rows 2, 3" in messages[3][0]
    assert "E3 appears more than once in the file (rows 4, 5)" in messages[4][0]
    assert set(messages) == {2, 3, 4, 5}


def test_an_employee_id_held_by_someone_else_is_refused(cast):
    services.outcomes_import_commit(
        actor=cast.admin,
        content=csv_bytes("Employee ID,Email,Hire date", "E1,mentor@northwind.test,2019-01-01"),
    )
    plan = services.outcomes_import_preview(
        actor=cast.admin,
        content=csv_bytes("Employee ID,Email,Hire date", "E1,mentee@northwind.test,2019-01-01"),
    )
    (rejected,) = plan.rejected
    assert rejected.errors[0].field == "Employee ID"
    assert "already belongs to another person" in rejected.errors[0].message


def test_an_unknown_employee_id_without_email_is_not_found(cast):
    plan = services.outcomes_import_preview(
        actor=cast.admin, content=csv_bytes("Employee ID,Hire date", "E404,2019-01-01")
    )
    assert plan.rows[0].action == services.RowAction.NOT_FOUND
    assert plan.rows[0].changes == [services.NOT_FOUND_EMPLOYEE_ID]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_file_with_real_dates_and_numbers_is_read(cast):
    # given a workbook as Excel writes it: date cells, a numeric employee ID, a blank row
    content = xlsx_bytes(
        [
            ["Employee number", "Work email", "Start date", "Leaving date", "Level"],
            [1001, "mentor@northwind.test", date(2018, 4, 1), None, "Senior"],
            [None, None, None, None, None],
            [1002, "mentee@northwind.test", "2020-02-03", date(2022, 7, 1), "Junior"],
        ]
    )
    # when
    plan = services.outcomes_import_commit(actor=cast.admin, content=content)
    # then
    assert [(row.row, row.action) for row in plan.rows] == [(2, "create"), (4, "create")]
    assert list(
        EmploymentRecord.objects.order_by("employee_id").values_list(
            "employee_id", "hired_on", "terminated_on", "grade"
        )
    ) == [
        ("1001", date(2018, 4, 1), None, "Senior"),
        ("1002", date(2020, 2, 3), date(2022, 7, 1), "Junior"),
    ]


def test_an_xlsx_row_error_names_the_sheet_row(cast):
    content = xlsx_bytes(
        [
            ["Email", "Hire date", "Termination date"],
            ["mentor@northwind.test", date(2020, 1, 1), date(2019, 1, 1)],
        ]
    )
    plan = services.outcomes_import_preview(actor=cast.admin, content=content)
    (rejected,) = plan.rejected
    assert (rejected.row, rejected.errors[0].field) == (2, "Termination date")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"Department,Grade\r\nSales,G1", "neither an email nor an employee ID column"),
        (b"Email,Department\r\nmentor@northwind.test,Sales", "no hire date column"),
        (b"Email,Hire date\r\n", "no rows of people"),
        (b"Email,E-mail,Hire date\r\n", "both mean Email"),
        (b"PK\x03\x04not really a workbook", "cannot be opened"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_file_field(cast, content, message):
    with pytest.raises(InvalidInput) as raised:
        services.outcomes_import_preview(actor=cast.admin, content=content)
    assert raised.value.errors[0].field == "file"
    assert message in raised.value.errors[0].message


def test_a_file_over_the_limit_is_refused_with_its_size(cast, settings):
    settings.OUTCOMES_IMPORT_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as raised:
        services.outcomes_import_preview(actor=cast.admin, content=b"x" * 101)
    assert "the limit is 100 bytes" in raised.value.detail


@pytest.mark.parametrize(
    "name", [name for name in ACTOR_NAMES if name not in ("anonymous", "admin", "outsider")]
)
def test_only_the_organisations_admin_imports(cast, name):
    content = csv_bytes("Email,Hire date", "mentor@northwind.test,2019-01-01")
    actor = cast.by_name(name)
    with pytest.raises(Forbidden):
        services.outcomes_import_preview(actor=actor, content=content)
    with pytest.raises(Forbidden):
        services.outcomes_import_commit(actor=actor, content=content)
    assert not EmploymentRecord.objects.exists()


def test_the_outsider_admin_cannot_write_into_our_organisation(cast):
    # the other organisation's admin imports our people's emails: not found, nothing written
    content = csv_bytes("Email,Hire date", "mentor@northwind.test,2019-01-01")
    plan = services.outcomes_import_commit(actor=cast.outsider, content=content)
    assert plan.rows[0].action == services.RowAction.NOT_FOUND
    assert not EmploymentRecord.objects.exists()


def test_staged_import_commits_once(cast):
    content = csv_bytes("Email,Hire date", "mentor@northwind.test,2019-01-01")
    staged, plan = services.outcomes_import_stage(
        actor=cast.admin, filename="hr.csv", content=content
    )
    assert plan.counts["create"] == 1
    assert not EmploymentRecord.objects.exists()
    services.outcomes_import_commit_staged(actor=cast.admin, staged=staged)
    staged.refresh_from_db()
    assert staged.status == OutcomesImportStatus.COMMITTED
    assert bytes(staged.content) == b""
    assert EmploymentRecord.objects.get().source_import == staged
    with pytest.raises(Conflict):
        services.outcomes_import_commit_staged(actor=cast.admin, staged=staged)


def test_staged_import_with_damaged_content_is_refused(cast):
    content = csv_bytes("Email,Hire date", "mentor@northwind.test,2019-01-01")
    staged, _ = services.outcomes_import_stage(actor=cast.admin, filename="hr.csv", content=content)
    OutcomesImport.objects.filter(pk=staged.pk).update(content=b"Email,Hire date\r\nx")
    with pytest.raises(InvalidInput):
        services.outcomes_import_commit_staged(actor=cast.admin, staged=staged)
    assert not EmploymentRecord.objects.exists()


def test_import_of_many_rows_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    # given 300 people (the count of statements must not grow with them)
    users = UserFactory.create_batch(300, organization=cast.org)
    lines = [HEADER] + [
        f"X{index},{user.email},2019-01-01,,2020-01-01;2021-01-01,Sales,G{index % 4},Paris"
        for index, user in enumerate(users)
    ]
    # then: three lookups, the writes in bulk batches (SQLite caps a statement's parameters),
    # and the one INSERT that records the import in the audit trail
    limit = connection.features.max_query_params
    batches = 2 if not limit else math.ceil(300 / (limit // 11)) + math.ceil(600 / (limit // 2))
    with django_assert_max_num_queries(10 + batches):
        plan = services.outcomes_import_commit(actor=cast.admin, content=csv_bytes(*lines))
    assert plan.counts["create"] == 300
    assert Promotion.objects.count() == 600


@st.composite
def employment_rows(draw):
    """A valid row for a person: hire date, maybe a termination after it, promotions between."""
    hired = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2024, 1, 1)))
    terminated = draw(st.none() | st.dates(min_value=hired, max_value=date(2025, 1, 1)))
    last = terminated or date(2025, 1, 1)
    promotions = draw(st.lists(st.dates(min_value=hired, max_value=last), max_size=3))
    grade = draw(st.sampled_from(["", "G1", "G2", "Senior; Lead"]))
    return hired, terminated, sorted(set(promotions)), grade


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(employment_rows(), min_size=1, max_size=4), day_first=st.booleans())
def test_any_valid_file_commits_what_it_says_and_reimports_unchanged(cast, rows, day_first):
    # given a file for up to four of the organisation's people, in either date format
    EmploymentRecord.objects.all().delete()
    people = [cast.mentor, cast.mentee, cast.member, cast.manager][: len(rows)]

    def cell(day):
        return day.strftime("%d/%m/%Y" if day_first else "%Y-%m-%d") if day else ""

    lines = ["Email,Hire date,Termination date,Promotion dates,Grade"] + [
        f"{person.email},{cell(hired)},{cell(terminated)},"
        f'"{";".join(cell(day) for day in promotions)}","{grade}"'
        for person, (hired, terminated, promotions, grade) in zip(people, rows, strict=False)
    ]
    content = csv_bytes(*lines)
    # when
    plan = services.outcomes_import_commit(actor=cast.admin, content=content)
    # then every row was added, exactly as written
    assert plan.counts["create"] == len(rows)
    for person, (hired, terminated, promotions, grade) in zip(people, rows, strict=False):
        record = EmploymentRecord.objects.get(user=person)
        assert (record.hired_on, record.terminated_on, record.grade) == (hired, terminated, grade)
        assert list(record.promotions.values_list("promoted_on", flat=True)) == promotions
    # and the same file again changes nothing
    before = state(cast.org)
    again = services.outcomes_import_commit(actor=cast.admin, content=content)
    assert again.counts["unchanged"] == len(rows)
    assert state(cast.org) == before
