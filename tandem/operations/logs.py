"""Structured logs: every record names the request (`X-Request-ID`) or the task it belongs to.

The request id lives in a context variable, set by `RequestIdMiddleware` for the length of one
request; the task id likewise, set when django-tasks starts a task and cleared when it ends.
`ContextFilter` copies both onto every record the handler sees; `JsonFormatter` writes one JSON
object per line when `LOG_FORMAT=json`. Standard library only.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a caller's id may be: short, and nothing a log line or a header could be bent by.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)


def request_id_from(value: str | None) -> str:
    """The caller's id if it is well-formed, else a new one (a UUID4, hex)."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes `X-Request-ID` from the request (validated) or makes one, holds it for every log
    record written while the request is served, and returns it in the response. First in
    MIDDLEWARE, so even the health checks and a refused host carry it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs a 4xx or 5xx ("django.request") after the
        # middleware has answered. `request_finished` clears it (`_request_finished`).
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ContextFilter(logging.Filter):
    """Puts `request_id` and `task_id` on every record ("-" outside a request or a task), so a
    format string may name them and the JSON formatter writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        record.task_id = task_id_var.get() or "-"
        return True


# The attributes every LogRecord has; anything else on a record was passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    task_id, the `extra=` fields that serialise, and the traceback as `exc_info`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "task_id": getattr(record, "task_id", None) or task_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _task_started(*, task_result: Any, **kwargs: Any) -> None:
    task_id_var.set(str(task_result.id))


def _task_finished(*, task_result: Any, **kwargs: Any) -> None:
    task_id_var.set(None)


def _request_finished(**kwargs: Any) -> None:
    request_id_var.set(None)


def follow_requests_and_tasks() -> None:
    """Forget a request's id once its response is closed (the thread serves another next), and
    hold the running task's id for the worker's log records (every tasks backend sends these)."""
    from django.core.signals import request_finished
    from django_tasks.signals import task_finished, task_started

    request_finished.connect(_request_finished, dispatch_uid="tandem.operations.request_finished")
    task_started.connect(_task_started, dispatch_uid="tandem.operations.task_started")
    task_finished.connect(_task_finished, dispatch_uid="tandem.operations.task_finished")
