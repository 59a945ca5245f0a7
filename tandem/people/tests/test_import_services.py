"""The HR CSV import: real-world files, the dry run's plan and the all-or-nothing commit."""

import math
from datetime import date

import pytest
from django.db import connection

from tandem.accounts.models import Role, User
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput
from tandem.people import selectors, services
from tandem.people.models import PeopleImport, PeopleImportStatus, Profile

HEADER = "Email,First name,Last name,Job title,Department,Location,Timezone,Manager email,Hire date"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def plan_by_row(plan: services.ImportPlan) -> dict[int, services.RowPlan]:
    return {row.row: row for row in plan.rows}


def org_state(org) -> list[tuple]:
    """Everything the import could write, to compare before and after a refused import."""
    return list(
        User.objects.filter(organization=org)
        .order_by("email")
        .values_list(
            "email",
            "first_name",
            "last_name",
            "profile__job_title",
            "profile__department",
            "profile__updated_at",
        )
    )


def test_dry_run_plans_every_row_and_writes_nothing(cast):
    # given
    content = csv_bytes(
        HEADER,
        "ana@northwind.test,Ana,Silva,Engineer,Engineering,Lisbon,Europe/Lisbon,,2021-04-01",
        "member@northwind.test,Mia,Member,Analyst,Finance,London,Europe/London,,",
    )
    users_before = User.objects.count()
    profiles_before = Profile.objects.count()
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert plan.counts == {"create": 1, "update": 1, "unchanged": 0, "reject": 0}
    rows = plan_by_row(plan)
    assert rows[2].action == "create"
    assert rows[2].email == "ana@northwind.test"
    assert rows[3].action == "update"
    assert "job_title" in rows[3].changes
    assert plan.warnings == []
    assert User.objects.count() == users_before
    assert Profile.objects.count() == profiles_before


def test_commit_creates_members_without_password_with_profiles_and_later_managers(cast):
    # given: Ana's manager is a row further down the file
    content = csv_bytes(
        HEADER,
        "Ana@Northwind.test,Ana,Silva,Engineer,Engineering,Lisbon,Europe/Lisbon,"
        "boss@northwind.test,2021-04-01",
        "boss@northwind.test,Bo,Boss,Head of Engineering,Engineering,London,Europe/London,"
        "admin@northwind.test,15/01/2019",
    )
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert plan.committed is True
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 0}
    ana = User.objects.select_related("profile__manager").get(email="ana@northwind.test")
    assert ana.organization_id == cast.org.pk
    assert ana.role == Role.MEMBER
    assert ana.has_usable_password() is False
    assert (ana.first_name, ana.last_name) == ("Ana", "Silva")
    assert ana.profile.job_title == "Engineer"
    assert ana.profile.department == "Engineering"
    assert ana.profile.location == "Lisbon"
    assert ana.profile.timezone == "Europe/Lisbon"
    assert ana.profile.hire_date == date(2021, 4, 1)
    assert ana.profile.manager.email == "boss@northwind.test"
    boss = User.objects.select_related("profile").get(email="boss@northwind.test")
    assert boss.profile.hire_date == date(2019, 1, 15)
    assert boss.profile.manager_id == cast.admin.pk


def test_utf8_with_bom_header_is_read(cast):
    # given
    content = "\ufeff" + HEADER + "\r\nbom@northwind.test,Zoë,Brontë,,,,,,\r\n"
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content.encode("utf-8"))
    # then
    assert plan.columns[0] == "email"
    assert plan.counts["create"] == 1
    user = User.objects.get(email="bom@northwind.test")
    assert (user.first_name, user.last_name) == ("Zoë", "Brontë")


def test_latin1_file_is_decoded(cast):
    # given
    content = csv_bytes(
        "Email,First name,Last name",
        "jose@northwind.test,José,Müller",
        encoding="cp1252",
    )
    # when
    services.people_import_commit(actor=cast.admin, content=content)
    # then
    user = User.objects.get(email="jose@northwind.test")
    assert (user.first_name, user.last_name) == ("José", "Müller")


def test_semicolon_separated_file_with_header_variants(cast):
    # given: the spellings HR systems use
    content = csv_bytes(
        "E-mail;Given name;Surname;first_name_unused;Manager Email;Start date;Time Zone",
        "kai@northwind.test;Kai;Berg;x;admin@northwind.test;2020-02-29;europe/berlin",
    )
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert plan.columns == [
        "email",
        "first_name",
        "last_name",
        "timezone",
        "manager_email",
        "hire_date",
    ]
    assert plan.warnings == ["These columns are not used and were ignored: 'first_name_unused'."]
    kai = User.objects.select_related("profile").get(email="kai@northwind.test")
    assert (kai.first_name, kai.last_name) == ("Kai", "Berg")
    assert kai.profile.timezone == "Europe/Berlin"
    assert kai.profile.hire_date == date(2020, 2, 29)
    assert kai.profile.manager_id == cast.admin.pk


def test_tab_separated_and_first_name_underscore_headers(cast):
    # given
    content = csv_bytes("email\tfirst_name\tlast_name", "tab@northwind.test\tTia\tTab")
    # when
    services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert User.objects.filter(
        email="tab@northwind.test", first_name="Tia", last_name="Tab"
    ).exists()


def test_quoted_commas_in_job_titles_are_one_cell(cast):
    # given
    content = csv_bytes(
        "Email,Job title,Department",
        'vp@northwind.test,"VP, Sales and Marketing",Sales',
    )
    # when
    services.people_import_commit(actor=cast.admin, content=content)
    # then
    profile = Profile.objects.get(user__email="vp@northwind.test")
    assert profile.job_title == "VP, Sales and Marketing"
    assert profile.department == "Sales"


def test_unquoted_comma_that_adds_cells_is_rejected_with_its_row(cast):
    # given
    content = csv_bytes("Email,Job title", "vp@northwind.test,VP, Sales")
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert [error.as_dict() for error in plan.errors] == [
        {
            "field": "row",
            "row": 2,
            "message": "This row has 1 more filled cell(s) than the header has columns; put "
            "values that contain the delimiter in double quotes.",
        }
    ]


def test_blank_lines_are_skipped_but_counted_like_a_spreadsheet(cast):
    # given: rows 3 and 5 are blank (one of them only delimiters)
    content = csv_bytes(
        "Email,Timezone",
        "one@northwind.test,UTC",
        "",
        "two@northwind.test,Mars/Olympus",
        ",",
        "three@northwind.test,Asia/Tokyo",
    )
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert [(row.row, row.action.value) for row in plan.rows] == [
        (2, "create"),
        (4, "reject"),
        (6, "create"),
    ]
    assert plan.errors == [
        FieldError(
            "Timezone",
            "'Mars/Olympus' is not a known timezone. Use an IANA name such as Europe/London.",
            row=4,
        )
    ]


def test_duplicate_emails_in_the_file_name_both_rows(cast):
    # given
    content = csv_bytes(
        "Email,First name",
        "dup@northwind.test,First",
        "other@northwind.test,Other",
        "DUP@northwind.test,Second",
    )
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    message = (
        "dup@northwind.test appears more than once in the file (rows 2, 4); "
        + "keep one row per person."
    )
    assert plan.errors == [
        FieldError("Email", message, row=2),
        FieldError("Email", message, row=4),
    ]
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "reject": 2}


def test_missing_and_invalid_emails_are_rejected(cast):
    # given
    content = csv_bytes("Email,First name", ",Nobody", "not-an-email,Bad")
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert plan.errors == [
        FieldError("Email", "The email is missing; every person needs one.", row=2),
        FieldError("Email", "'not-an-email' is not a valid email address.", row=3),
    ]


def test_bad_date_says_which_formats_are_accepted(cast):
    # given: US order and an impossible date
    content = csv_bytes(
        "Email,Hire date", "a@northwind.test,12/31/2020", "b@northwind.test,2021-02-30"
    )
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    formats = "YYYY-MM-DD (e.g. 2024-03-31) or DD/MM/YYYY (e.g. 31/03/2024)"
    assert plan.errors == [
        FieldError("Hire date", f"'12/31/2020' is not a date. Use {formats}.", row=2),
        FieldError("Hire date", f"'2021-02-30' is not a date. Use {formats}.", row=3),
    ]


def test_manager_must_be_in_the_file_or_the_organisation(cast):
    # given: the other organisation's admin is not a valid manager either
    content = csv_bytes(
        "Email,Manager email",
        "a@northwind.test,ghost@northwind.test",
        "b@northwind.test,admin@globex.test",
        "c@northwind.test,c@northwind.test",
    )
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert plan.errors == [
        FieldError(
            "Manager email",
            "The manager ghost@northwind.test was not found in the file or in your organisation.",
            row=2,
        ),
        FieldError(
            "Manager email",
            "The manager admin@globex.test was not found in the file or in your organisation.",
            row=3,
        ),
        FieldError("Manager email", "A person cannot be their own manager.", row=4),
    ]


def test_another_organisations_email_is_planned_as_new_and_left_alone(cast):
    # given an address that has an account in another organisation
    content = csv_bytes("Email,First name", "ADMIN@globex.test,Hijack")
    outsider_before = org_state(cast.other_org)
    # when
    plan = services.people_import_preview(actor=cast.admin, content=content)
    committed = services.people_import_commit(actor=cast.admin, content=content)
    # then the dry run answers as for a new person (nothing about the other organisation),
    # and the commit does not claim it added the row
    assert plan.errors == []
    assert [(row.row, row.email, row.action) for row in plan.rows] == [
        (2, "admin@globex.test", services.RowAction.CREATE)
    ]
    assert [(row.row, row.action, row.changes) for row in committed.rows] == [
        (2, services.RowAction.SKIP, [services.SKIP_REASON])
    ]
    assert committed.counts == {"create": 0, "update": 0, "unchanged": 0, "reject": 0, "skip": 1}
    # and the other organisation's account is untouched, and not added here
    assert org_state(cast.other_org) == outsider_before
    cast.outsider.refresh_from_db()
    assert cast.outsider.first_name != "Hijack"
    assert cast.outsider.organization_id == cast.other_org.pk
    assert User.objects.filter(email__iexact="admin@globex.test").count() == 1


def test_one_bad_row_means_nothing_is_written(cast):
    # given: two good rows (one new, one update) and one bad timezone
    content = csv_bytes(
        "Email,First name,Job title,Timezone",
        "new@northwind.test,New,Engineer,UTC",
        "member@northwind.test,Changed,Boss,UTC",
        "bad@northwind.test,Bad,Engineer,Not/AZone",
    )
    users_before = User.objects.count()
    profiles_before = Profile.objects.count()
    state_before = org_state(cast.org)
    # when
    with pytest.raises(InvalidInput) as raised:
        services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert raised.value.detail == (
        "1 row of the file cannot be imported; nothing was imported. Fix them and upload the "
        "file again."
    )
    assert raised.value.errors == [
        FieldError(
            "Timezone",
            "'Not/AZone' is not a known timezone. Use an IANA name such as Europe/London.",
            row=4,
        )
    ]
    assert User.objects.count() == users_before
    assert Profile.objects.count() == profiles_before
    assert org_state(cast.org) == state_before


def test_reimporting_the_same_file_changes_nothing(cast):
    # given
    content = csv_bytes(
        HEADER,
        "ana@northwind.test,Ana,Silva,Engineer,Engineering,Lisbon,Europe/Lisbon,"
        "admin@northwind.test,2021-04-01",
        "bo@northwind.test,Bo,Boss,Lead,Engineering,London,,ana@northwind.test,",
    )
    services.people_import_commit(actor=cast.admin, content=content)
    state_before = org_state(cast.org)
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 2, "reject": 0}
    assert org_state(cast.org) == state_before


def test_update_lists_and_writes_only_what_changed(cast):
    # given
    content = csv_bytes("Email,Last name,Department", "member@northwind.test,Newname,Finance")
    profile_before = Profile.objects.get(user=cast.member)
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert [(row.action.value, row.changes) for row in plan.rows] == [
        ("update", ["last_name", "department"])
    ]
    cast.member.refresh_from_db()
    profile = Profile.objects.get(user=cast.member)
    assert cast.member.last_name == "Newname"
    assert profile.department == "Finance"
    assert profile.job_title == profile_before.job_title
    assert profile.updated_at > profile_before.updated_at


def test_existing_person_without_profile_gets_one(cast):
    # given
    person = UserFactory(organization=cast.org, email="noprofile@northwind.test")
    content = csv_bytes("Email,Job title", "noprofile@northwind.test,Designer")
    # when
    plan = services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert plan.rows[0].changes == ["profile"]
    assert Profile.objects.get(user=person).job_title == "Designer"


def test_file_without_email_column_or_rows_is_refused(cast):
    # given
    no_email = csv_bytes("Name,Department", "Ana,Engineering")
    only_header = csv_bytes("Email,Department")
    # when / then
    with pytest.raises(InvalidInput) as missing_column:
        services.people_import_preview(actor=cast.admin, content=no_email)
    assert missing_column.value.errors[0].field == "file"
    assert missing_column.value.detail.startswith("The file has no email column.")
    with pytest.raises(InvalidInput) as no_rows:
        services.people_import_preview(actor=cast.admin, content=only_header)
    assert no_rows.value.detail == "The file has a header but no rows of people."


def test_file_over_the_size_limit_is_refused(cast, settings):
    # given
    settings.PEOPLE_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes("Email", *[f"p{n}@northwind.test" for n in range(60_000)])
    # when
    with pytest.raises(InvalidInput) as raised:
        services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert raised.value.errors[0].field == "file"
    assert raised.value.detail.endswith("the limit is 1.0 MB. Split it into smaller files.")


@pytest.mark.parametrize("name", ["manager", "member", "mentor", "mentee"])
def test_only_org_admins_import(cast, name):
    # given
    content = csv_bytes("Email", "x@northwind.test")
    # when / then
    with pytest.raises(Forbidden):
        services.people_import_commit(actor=cast.by_name(name), content=content)
    assert not User.objects.filter(email="x@northwind.test").exists()


def test_export_reimports_as_unchanged(cast):
    # given: people with managers, dates, accents and a value that looks like a formula
    services.people_import_commit(
        actor=cast.admin,
        content=csv_bytes(
            HEADER,
            'zoe@northwind.test,Zoë,"O\'Brien, Jr",=Chief,R&D,"Paris, FR",Europe/Paris,'
            "admin@northwind.test,2020-01-31",
        ),
    )
    exported = b"".join(selectors.people_export_csv(actor=cast.admin))
    assert exported.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    # when
    plan = services.people_import_preview(actor=cast.admin, content=exported)
    # then
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 7, "reject": 0}
    assert User.objects.filter(organization=cast.org).count() == 7


def test_staged_import_commits_once_and_checks_its_checksum(cast):
    # given
    content = csv_bytes("Email", "staged@northwind.test")
    staged, plan = services.people_import_stage(
        actor=cast.admin, filename="hr.csv", content=content
    )
    assert plan.counts["create"] == 1
    assert not User.objects.filter(email="staged@northwind.test").exists()
    # when
    services.people_import_commit_staged(actor=cast.admin, staged=staged)
    # then
    staged.refresh_from_db()
    assert staged.status == PeopleImportStatus.COMMITTED
    assert bytes(staged.content) == b""
    assert staged.summary == {"create": 1, "update": 0, "unchanged": 0, "reject": 0}
    assert User.objects.filter(email="staged@northwind.test").exists()
    with pytest.raises(Conflict):
        services.people_import_commit_staged(actor=cast.admin, staged=staged)


def test_staged_import_with_damaged_content_is_refused(cast):
    # given
    staged, _ = services.people_import_stage(
        actor=cast.admin, filename="hr.csv", content=csv_bytes("Email", "a@northwind.test")
    )
    PeopleImport.objects.filter(pk=staged.pk).update(content=csv_bytes("Email", "b@northwind.test"))
    # when
    with pytest.raises(InvalidInput) as raised:
        services.people_import_commit_staged(actor=cast.admin, staged=staged)
    # then
    assert raised.value.detail == "The stored file is damaged; upload it again."
    assert not User.objects.filter(email__in=["a@northwind.test", "b@northwind.test"]).exists()
    assert PeopleImport.objects.get(pk=staged.pk).status == PeopleImportStatus.PREVIEWED


def test_staging_again_drops_the_admins_older_upload(cast):
    # given
    first, _ = services.people_import_stage(
        actor=cast.admin, filename="one.csv", content=csv_bytes("Email", "a@northwind.test")
    )
    # when
    second, _ = services.people_import_stage(
        actor=cast.admin, filename="two.csv", content=csv_bytes("Email", "b@northwind.test")
    )
    # then
    assert list(PeopleImport.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk


ROWS = 20_000


def _large_file() -> bytes:
    lines = [HEADER]
    for n in range(ROWS):
        manager = f"person{n - 1}@northwind.test" if n % 10 else "admin@northwind.test"
        lines.append(
            f'person{n}@northwind.test,First{n},Last{n},"Engineer, level {n % 5}",'
            f"Department {n % 40},City {n % 100},Europe/London,{manager},2020-01-{n % 28 + 1:02d}"
        )
    return csv_bytes(*lines)


def _bulk_budget(rows: int) -> int:
    """Queries allowed beyond a fixed handful: only the batches the database forces.

    SQLite caps one statement at 999 parameters, so Django splits IN lists and bulk inserts
    into batches; elsewhere the service batches 10,000 lookups and 5,000 rows per statement.
    Nothing here grows by one query per row.
    """
    limit = connection.features.max_query_params
    emails = math.ceil(rows * 1.1)  # people and their managers
    if not limit:
        lookups = math.ceil(emails / services.LOOKUP_BATCH_SIZE)
        return lookups + 2 * math.ceil(rows / services.WRITE_BATCH_SIZE)
    lookups = math.ceil(emails / (limit - 10))
    user_inserts = math.ceil(rows / (limit // 13))  # 13 User columns per row (language too)
    profile_inserts = math.ceil(rows / (limit // 15))  # 15 Profile columns per row
    return lookups + user_inserts + profile_inserts


def test_twenty_thousand_rows_dry_run_and_commit_in_bulk(cast, django_assert_max_num_queries):
    # given
    content = _large_file()
    assert len(content) > 2_000_000
    # when: the dry run reads the whole file with a few lookups
    with django_assert_max_num_queries(5 + math.ceil(ROWS / 900)):
        plan = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert plan.counts == {"create": ROWS, "update": 0, "unchanged": 0, "reject": 0}
    # when: the commit writes in bulk
    with django_assert_max_num_queries(10 + _bulk_budget(ROWS)):
        services.people_import_commit(actor=cast.admin, content=content)
    # then
    assert User.objects.filter(organization=cast.org, email__startswith="person").count() == ROWS
    last = Profile.objects.select_related("manager").get(user__email="person19999@northwind.test")
    assert last.manager.email == "person19998@northwind.test"
    assert last.job_title == "Engineer, level 4"
    # when: the same file again
    with django_assert_max_num_queries(5 + math.ceil(ROWS * 1.1 / 900)):
        again = services.people_import_preview(actor=cast.admin, content=content)
    # then
    assert again.counts == {"create": 0, "update": 0, "unchanged": ROWS, "reject": 0}
