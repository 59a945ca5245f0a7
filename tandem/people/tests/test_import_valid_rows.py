"""The people import's second way: import the valid rows, report the rest; and its template."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.accounts.models import User
from tandem.core.errors import InvalidInput
from tandem.people import csvfile, services
from tandem.people.models import PeopleImport, PeopleImportStatus
from tandem.people.tests.test_import_services import HEADER, csv_bytes, org_state


def emails(org):
    return set(User.objects.filter(organization=org).values_list("email", flat=True))


def test_valid_rows_are_imported_and_the_rest_reported_with_row_column_and_reason(cast):
    # given a file with two good rows, a bad date and a missing email
    content = csv_bytes(
        HEADER,
        "ana@northwind.test,Ana,Silva,Engineer,Engineering,Lisbon,Europe/Lisbon,,2021-04-01",
        "bad@northwind.test,Bad,Date,,,,,,31/31/2020",
        ",No,Email,,,,,,",
        "member@northwind.test,Mia,Member,Analyst,Finance,London,Europe/London,,",
    )
    before = emails(cast.org)
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content, valid_only=True)
    # then the good rows are in, the bad ones reported (row as the spreadsheet numbers it)
    assert emails(cast.org) == before | {"ana@northwind.test"}
    assert User.objects.get(email="member@northwind.test").profile.department == "Finance"
    assert [(row.row, row.action) for row in plan.rows] == [
        (2, "create"),
        (3, "reject"),
        (4, "reject"),
        (5, "update"),
    ]
    assert [(e.row, e.field) for e in plan.errors] == [(3, "Hire date"), (4, "Email")]
    assert plan.committed is True


def test_all_or_nothing_still_refuses_the_same_file_and_writes_nothing(cast):
    content = csv_bytes(
        HEADER,
        "ana@northwind.test,Ana,Silva,Engineer,Engineering,Lisbon,Europe/Lisbon,,2021-04-01",
        "bad@northwind.test,Bad,Date,,,,,,31/31/2020",
    )
    before = org_state(cast.org)
    with pytest.raises(InvalidInput, match="nothing was imported"):
        services.people_import_commit(actor=cast.admin, content=content)
    assert org_state(cast.org) == before


def test_a_row_whose_manager_is_on_a_rejected_row_is_left_out_too(cast):
    # given boss (bad date) manages lead, who manages dev; member's manager exists already
    content = csv_bytes(
        HEADER,
        "boss@northwind.test,Bo,Ss,,,,,,not a date",
        "lead@northwind.test,Le,Ad,,,,,boss@northwind.test,",
        "dev@northwind.test,De,V,,,,,lead@northwind.test,",
        "member@northwind.test,Mia,Member,,,,,admin@northwind.test,",
    )
    before = emails(cast.org)
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content, valid_only=True)
    # then the chain is reported, each row naming its manager's row
    assert emails(cast.org) == before
    assert User.objects.get(email="member@northwind.test").profile.manager == cast.admin
    assert [(e.row, e.field, e.message) for e in plan.errors[1:]] == [
        (3, "Manager email", "The manager boss@northwind.test is on row 2, which is not imported."),
        (4, "Manager email", "The manager lead@northwind.test is on row 3, which is not imported."),
    ]


GOOD = "ok{n}@northwind.test,Ok,Person{n},,Sales,,,,2020-01-0{d}"
BAD = [
    "bad{n}@northwind.test,Bad,Person{n},,,,,,2020-13-45",
    "not-an-email-{n},Bad,Person{n},,,,,,",
    "bad{n}@northwind.test,Bad,Person{n},,,,Mars/Olympus,,",
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.one_of(st.just(-1), st.integers(0, len(BAD) - 1)), min_size=1, max_size=8))
def test_exactly_the_valid_rows_go_in_and_exactly_the_others_are_reported(cast, rows):
    # given any mix of good rows (-1) and bad rows of three kinds
    lines = [
        GOOD.format(n=n, d=n % 9 + 1) if kind == -1 else BAD[kind].format(n=n)
        for n, kind in enumerate(rows)
    ]
    User.objects.filter(email__startswith="ok").delete()
    before = emails(cast.org)
    # when
    plan = services.people_import_commit(
        actor=cast.admin, content=csv_bytes(HEADER, *lines), valid_only=True
    )
    # then
    good = {f"ok{n}@northwind.test" for n, kind in enumerate(rows) if kind == -1}
    assert emails(cast.org) == before | good
    assert {row.row for row in plan.rejected} == {
        n + 2 for n, kind in enumerate(rows) if kind != -1
    }
    assert all(row.errors for row in plan.rejected)


# --- the pages ----------------------------------------------------------------------------


def test_the_page_imports_the_valid_rows_and_shows_the_report(cast, client):
    # given a checked file with one bad row
    client.force_login(cast.admin)
    csv = b"Email,Hire date\r\ngood@northwind.test,2020-01-01\r\n,2020-01-01\r\n"
    client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", csv, content_type="text/csv")},
    )
    staged = PeopleImport.objects.get(created_by=cast.admin)
    # when the admin imports the valid rows
    response = client.post(reverse("people:import_commit", args=[staged.pk]), {"mode": "valid"})
    # then the page reports both
    page = response.content.decode()
    assert response.status_code == 200
    assert "Import done: 1 added, 0 updated, 0 unchanged." in page
    assert "1 row was not imported." in page
    assert "The email is missing; every person needs one." in page
    assert '<td class="text-break">good@northwind.test</td><td>Added</td>' in page
    assert User.objects.filter(email="good@northwind.test").exists()
    staged.refresh_from_db()
    assert staged.status == PeopleImportStatus.COMMITTED


def test_without_the_choice_the_commit_is_still_all_or_nothing(cast, client):
    client.force_login(cast.admin)
    csv = b"Email,Hire date\r\ngood@northwind.test,2020-01-01\r\n,2020-01-01\r\n"
    client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", csv, content_type="text/csv")},
    )
    staged = PeopleImport.objects.get(created_by=cast.admin)
    response = client.post(reverse("people:import_commit", args=[staged.pk]))
    assert response.status_code == 400
    assert "Nothing was imported." in response.content.decode()
    assert not User.objects.filter(email="good@northwind.test").exists()


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_the_template_is_the_accepted_headers_for_org_admins(cast, client, name):
    actor = cast.by_name(name)
    if actor:
        client.force_login(actor)
    response = client.get(reverse("people:import_template"))
    expected = {"anonymous": 302, "admin": 200, "outsider": 200}.get(name, 404)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = response.content.decode("utf-8-sig")
        assert text.strip() == ",".join(label for _, label in csvfile.COLUMNS)
        # and the import reads it back as a file with every column and no rows
        with pytest.raises(InvalidInput, match="no rows of people"):
            services.people_import_preview(actor=actor, content=response.content)
