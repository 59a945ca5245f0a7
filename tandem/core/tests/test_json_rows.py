"""core.json_rows: one statement writes any number of rows, on SQLite and PostgreSQL alike.

Django's own Session model stands in for a domain table (the kernel knows no domain): a text
primary key to conflict on, a text column and a datetime.
"""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.json_rows import in_values, insert_rows

EXPIRES = datetime.datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_rows_travel_as_one_parameter_and_read_back_as_written():
    # given 2,000 rows (more than SQLite's old limit of 999 parameters a statement)
    rows = [(f"key-{index}", f"data {index} — “quoted”, with ' and \\") for index in range(2000)]
    # when
    with CaptureQueriesContext(connection) as queries:
        inserted = insert_rows(
            Session,
            ("session_key", "session_data"),
            rows,
            same={"expire_date": EXPIRES},
            returning=("session_key",),
        )
    # then one statement wrote them all, text and datetime exactly as given
    assert len(queries) == 1
    assert sorted(key for (key,) in inserted) == sorted(key for key, _ in rows)
    stored = Session.objects.get(session_key="key-1999")
    assert stored.session_data == "data 1999 — “quoted”, with ' and \\"
    assert stored.expire_date == EXPIRES
    assert Session.objects.count() == 2000


@pytest.mark.django_db
def test_conflicting_rows_are_left_out_and_only_new_ones_returned():
    # given
    Session.objects.create(session_key="taken", session_data="first", expire_date=EXPIRES)
    # when: a row that conflicts, a new one, and the new one twice in the same statement
    inserted = insert_rows(
        Session,
        ("session_key", "session_data", "expire_date"),
        [("taken", "second", EXPIRES), ("new", "x", EXPIRES), ("new", "y", EXPIRES)],
        ignore_conflicts=True,
        returning=("session_key",),
    )
    # then the existing row is untouched and the new key written once
    assert inserted == [("new",)]
    assert Session.objects.get(session_key="taken").session_data == "first"
    assert Session.objects.get(session_key="new").session_data == "x"


@pytest.mark.django_db
def test_in_values_is_one_parameter_for_any_number_of_values():
    # given
    insert_rows(
        Session,
        ("session_key", "session_data"),
        [(f"k{index}", "") for index in range(50)],
        same={"expire_date": EXPIRES},
    )
    wanted = [f"k{index}" for index in range(0, 50, 5)] + [f"missing-{i}" for i in range(5000)]
    # when
    with CaptureQueriesContext(connection) as queries:
        found = set(
            Session.objects.filter(session_key__in=in_values(wanted)).values_list(
                "session_key", flat=True
            )
        )
    # then
    assert found == {f"k{index}" for index in range(0, 50, 5)}
    assert len(queries) == 1
    assert list(Session.objects.filter(session_key__in=in_values([]))) == []
