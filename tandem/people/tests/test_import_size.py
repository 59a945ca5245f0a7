"""The import refuses a file over the size limit with the file's real size and the limit,
through every way in (API dry run and commit, the page), and keeps nothing of it."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tandem.accounts.models import User
from tandem.people import csvfile
from tandem.people.models import PeopleImport

UNITS = {"byte": 1, "bytes": 1, "KB": 1024, "MB": 1024 * 1024}
STATED = re.compile(r"^The file is ([\d,.]+) (\w+); the limit is ([\d,.]+) (\w+)\. Split it")


def _stated(message: str) -> tuple[float, float, float, float]:
    """(size, its rounding step, limit, its rounding step) as the message states them."""
    match = STATED.match(message)
    assert match, message
    size, size_unit, limit, limit_unit = match.groups()

    def read(number: str, unit: str) -> tuple[float, float]:
        exact = "." not in number
        return float(number.replace(",", "")) * UNITS[unit], 0 if exact else 0.05 * UNITS[unit]

    return (*read(size, size_unit), *read(limit, limit_unit))


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=2**40))
def test_the_message_states_the_real_size_and_the_limit_and_tells_them_apart(limit, extra):
    # given a size over the limit
    size = limit + extra
    # when
    message = csvfile.too_large_message(size, limit)
    # then both numbers are what they are, to the rounding shown, and never look equal
    stated_size, size_step, stated_limit, limit_step = _stated(message)
    assert abs(stated_size - size) <= size_step + 1e-6 * size
    assert abs(stated_limit - limit) <= limit_step + 1e-6 * max(limit, 1)
    shown = message.split(";")
    assert shown[0].removeprefix("The file is ") != shown[1].split(". ")[0].removeprefix(
        " the limit is "
    )


CASES = [
    # limit, size, the message
    (100, 101, "The file is 101 bytes; the limit is 100 bytes."),
    (100, 5_000, "The file is 4.9 KB; the limit is 100 bytes."),
    (1024 * 1024, 1024 * 1024 + 1, "The file is 1,048,577 bytes; the limit is 1,048,576 bytes."),
    (1024 * 1024, 3 * 1024 * 1024 + 512 * 1024, "The file is 3.5 MB; the limit is 1.0 MB."),
]


def _csv_of(size: int) -> bytes:
    head = b"Email\r\n"
    row = b"p@northwind.test\r\n"
    body = head + row * ((size - len(head)) // len(row) + 1)
    return body[:size]


def _state():
    return (
        sorted(User.objects.values_list("email", flat=True)),
        PeopleImport.objects.count(),
    )


@pytest.mark.parametrize(("limit", "size", "message"), CASES)
@pytest.mark.parametrize("way", ["api-dry-run", "api-commit", "page"])
def test_an_oversized_upload_reports_its_real_size_and_keeps_nothing(
    cast, api_as, client, settings, way, limit, size, message
):
    # given
    settings.PEOPLE_IMPORT_MAX_BYTES = limit
    content = _csv_of(size)
    assert len(content) == size
    expected = message + " Split it into smaller files."
    before = _state()
    upload = SimpleUploadedFile("hr.csv", content, content_type="text/csv")
    # when
    if way == "page":
        client.force_login(cast.admin)
        response = client.post(reverse("people:import"), {"file": upload})
        # then the form says it on the file field
        assert response.status_code == 400
        page = html.unescape(response.content.decode())
        assert f'<div class="invalid-feedback d-block" id="id_file_error">{expected}</div>' in page
    else:
        api = api_as(cast.admin)
        dry_run = "true" if way == "api-dry-run" else "false"
        response = api.client.post(
            f"/api/v1/people/imports?dry_run={dry_run}", data={"file": upload}, headers=api.headers
        )
        # then
        assert response.status_code == 400
        body = response.json()
        assert body["detail"] == expected
        assert body["errors"] == [{"field": "file", "message": expected}]
    assert _state() == before


def test_a_file_at_the_limit_is_read(cast, api_as, settings):
    # given a file of exactly the limit
    content = b"Email\r\nat-limit@northwind.test\r\n"
    settings.PEOPLE_IMPORT_MAX_BYTES = len(content)
    api = api_as(cast.admin)
    # when
    response = api.client.post(
        "/api/v1/people/imports?dry_run=true",
        data={"file": SimpleUploadedFile("hr.csv", content, content_type="text/csv")},
        headers=api.headers,
    )
    # then
    assert response.status_code == 200
    assert response.json()["counts"]["create"] == 1
