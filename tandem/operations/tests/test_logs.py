"""Request ids on every log record of a request, task ids on a worker's, JSON when asked."""

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django_tasks import task
from hypothesis import given
from hypothesis import strategies as st

from tandem.operations.logs import (
    REQUEST_ID_PATTERN,
    ContextFilter,
    JsonFormatter,
    request_id_from,
    request_id_var,
    task_id_var,
)

GENERATED = re.compile(r"[0-9a-f]{32}")
logger = logging.getLogger("tandem.operations.tests")


class Records(logging.Handler):
    """The records the console handler would see, with its filter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@given(st.text(max_size=200))
def test_a_request_id_is_the_callers_only_when_well_formed(value: str) -> None:
    chosen = request_id_from(value)
    if REQUEST_ID_PATTERN.fullmatch(value):
        assert chosen == value
    else:
        assert GENERATED.fullmatch(chosen)
    # whatever the caller sent, what is logged and returned is one short, plain token
    assert REQUEST_ID_PATTERN.fullmatch(chosen)


@given(st.from_regex(REQUEST_ID_PATTERN, fullmatch=True))
def test_well_formed_ids_are_kept(value: str) -> None:
    assert request_id_from(value) == value


@pytest.mark.parametrize(
    "sent",
    [
        "abc\r\nX-Injected: 1",
        "a" * 129,
        "",
        " leading-space",
        "-starts-with-dash",
        'quote"s',
        "caf\u00e9",
        "a b",
    ],
)
@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(sent: str) -> None:
    response = Client().get("/health/live", HTTP_X_REQUEST_ID=sent)
    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_a_request_gets_an_id_when_it_brings_none_and_each_request_its_own() -> None:
    client = Client()
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("path", ["/health/live", "/accounts/login/", "/no-such-page/"])
@pytest.mark.django_db
def test_the_callers_id_comes_back_on_every_kind_of_response(path: str) -> None:
    response = Client().get(path, HTTP_X_REQUEST_ID="lb-7f3a.2")
    assert response["X-Request-ID"] == "lb-7f3a.2"


@pytest.mark.django_db
def test_every_record_of_a_request_carries_its_id_even_djangos_own_after_the_response(
    records: Records,
) -> None:
    # when a page is not found (Django logs "Not Found" once the middleware has answered)
    Client().get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")
    # then that record carries the request's id
    not_found = [r for r in records.records if r.name == "django.request"]
    assert [r.getMessage() for r in not_found] == ["Not Found: /no-such-page/"]
    assert {r.request_id for r in not_found} == {"req-404"}  # type: ignore[attr-defined]
    # and once the response is closed, the id is forgotten
    assert request_id_var.get() is None
    logger.info("after the request")
    assert records.records[-1].request_id == "-"  # type: ignore[attr-defined]


@task()
def log_something_task(word: str) -> str:
    logger.info("working on %s", word)
    return word


@pytest.mark.django_db
def test_a_tasks_records_carry_the_task_id(records: Records) -> None:
    # when a task runs (inline under test; the worker sends the same start and end)
    result = log_something_task.enqueue(word="nudges")
    # then what it logged, and the backend's "finished" line, carry its id
    mine = [r for r in records.records if r.name == "tandem.operations.tests"]
    assert [r.getMessage() for r in mine] == ["working on nudges"]
    assert mine[0].task_id == str(result.id)  # type: ignore[attr-defined]
    finished = [
        r
        for r in records.records
        if r.name == "django_tasks" and r.getMessage().endswith("state=SUCCESSFUL")
    ]
    assert [r.task_id for r in finished] == [str(result.id)]  # type: ignore[attr-defined]
    # and nothing after it does
    assert task_id_var.get() is None


def test_the_json_formatter_writes_one_object_per_record() -> None:
    # given a record in a request, with extra fields and an exception
    token = request_id_var.set("req-json")
    try:
        try:
            raise ValueError("bad row 3")
        except ValueError:
            record = logging.LogRecord(
                "tandem.people", logging.ERROR, __file__, 1, "import failed: %s", ("rows",), None
            )
            record.exc_info = sys.exc_info()
        record.rows = 3
        ContextFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    # then it is one line of JSON with the request id, the extra field and the traceback
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "tandem.people"
    assert entry["message"] == "import failed: rows"
    assert entry["request_id"] == "req-json"
    assert entry["task_id"] == "-"
    assert entry["rows"] == 3
    assert "ValueError: bad row 3" in entry["exc_info"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


def test_log_format_json_makes_every_line_json() -> None:
    # given a process started with LOG_FORMAT=json, as an operator would
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('tandem.example').warning('hello %s', 'operator')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LOG_FORMAT": "json",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # then its log line is JSON
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert [json.loads(line)["message"] for line in lines] == ["hello operator"]
    assert json.loads(lines[0])["request_id"] == "-"
