"""Matching's anatomy, and the names it published before it had one.

The two halves (`runs/`, `requests/`) moved out of fifteen suffix-named modules. What the outside
world knew by the old module paths must still answer to them: the API's operation ids (clients
are generated from them) and the tasks' import paths (a queued task is stored by its path).
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from tandem.matching.models import MatchRequest, MatchRun, RequestStatus, RunStatus
from tandem.matching.requests import api as requests_api
from tandem.matching.requests import tasks as requests_tasks
from tandem.matching.runs import api as runs_api
from tandem.matching.runs import services as runs
from tandem.matching.runs import tasks as runs_tasks
from tandem.matching.tests.requests_world import ask
from tandem.matching.tests.test_runs import _team

MATCHING = Path(__file__).resolve().parent.parent
HALF = {"__init__.py", "api.py", "forms.py", "permissions.py", "schemas.py", "selectors.py"}
HALF |= {"services.py", "tasks.py", "views.py"}

# Every task as it was importable before the move, and where it lives now.
OLD_TASK_PATHS = {
    "tandem.matching.tasks.match_run_execute_task": runs_tasks.match_run_execute_task,
    "tandem.matching.tasks.match_run_notify_task": runs_tasks.match_run_notify_task,
    "tandem.matching.tasks_requests.match_requests_expire_task": (
        requests_tasks.match_requests_expire_task
    ),
}


def _modules(folder: Path) -> set[str]:
    return {path.name for path in folder.glob("*.py")}


def test_the_top_level_holds_only_what_both_halves_share():
    # given the app's folder, when its modules are listed
    modules = _modules(MATCHING)
    # then no suffix-named module is left: the halves are packages, the rest is shared
    assert modules == {
        "__init__.py",
        "adapters.py",
        "admin.py",
        "api.py",
        "apps.py",
        "fit.py",
        "models.py",
        "tasks.py",
        "tasks_requests.py",
        "urls.py",
    }
    assert {path.name for path in MATCHING.iterdir() if (path / "__init__.py").exists()} == {
        "engine",
        "management",
        "migrations",
        "requests",
        "runs",
        "templatetags",
        "tests",
    }


@pytest.mark.parametrize(("half", "extra"), [("runs", set()), ("requests", {"lifecycle.py"})])
def test_each_half_has_the_standard_anatomy(half, extra):
    # given a half, when its modules are listed
    modules = _modules(MATCHING / half)
    # then they are the house anatomy, and nothing else
    assert modules == HALF | extra


def _operations(router):
    for path_view in router.path_operations.values():
        yield from path_view.operations


@pytest.mark.parametrize(
    ("router", "old_module"),
    [(runs_api.router, "api_runs"), (requests_api.router, "api_requests")],
    ids=["runs", "requests"],
)
def test_every_operation_keeps_the_id_it_was_published_with(router, old_module):
    # given every operation of a half's router
    operations = list(_operations(router))
    # when its id is read, then it is the one ninja derived from the old module path
    assert operations
    assert [operation.operation_id for operation in operations] == [
        f"tandem_matching_{old_module}_{operation.view_func.__name__}" for operation in operations
    ]


@pytest.mark.parametrize("old_path", list(OLD_TASK_PATHS))
def test_an_old_task_path_is_the_task_that_lives_in_its_half_now(old_path):
    # when the queue resolves a stored path
    resolved = import_string(old_path)
    # then it is the same task object, with its new path for anything enqueued from now on
    assert resolved is OLD_TASK_PATHS[old_path]
    assert resolved.module_path.startswith(("tandem.matching.runs.", "tandem.matching.requests."))


@pytest.fixture
def database_queue(settings):
    """The production queue (django-tasks' database backend) instead of the tests' inline one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued(old_path: str, *args: object) -> DBTaskResult:
    """A row as the database backend wrote it before the move."""
    return DBTaskResult.objects.create(
        task_path=old_path,
        args_kwargs={"args": list(args), "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),  # what the backend stores for "as soon as possible"
        exception_class_path="",
        traceback="",
    )


def _work(row: DBTaskResult) -> DBTaskResult:
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run_task(row)
    row.refresh_from_db()
    return row


def test_a_run_queued_under_the_old_path_is_solved(
    cast, database_queue, django_capture_on_commit_callbacks
):
    # given a run queued before the move (its task not run yet)
    team = _team(cast)
    with django_capture_on_commit_callbacks():
        run = runs.match_run_start(
            actor=cast.manager, program_id=team.program.pk, objective="total", seed=0
        )
    row = _queued("tandem.matching.tasks.match_run_execute_task", run.pk)
    # when a worker picks the row up
    row = _work(row)
    # then the task ran: the run has its draft
    run.refresh_from_db()
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, RunStatus.DRAFT)
    assert run.status == RunStatus.DRAFT
    assert run.proposals.count() == 2


def test_a_notification_queued_under_the_old_path_runs(cast, database_queue):
    # given a notification queued for a run that is no longer there
    row = _queued("tandem.matching.tasks.match_run_notify_task", 999_999)
    # when a worker picks the row up
    row = _work(row)
    # then the task ran and found nothing to announce
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 0)
    assert MatchRun.objects.count() == 0


def test_an_expiry_queued_under_the_old_path_expires(cast, database_queue):
    # given a lapsed request and an expiry queued before the move
    match_request = ask(cast.mentee_participant, cast.mentor_participant)
    MatchRequest.objects.filter(pk=match_request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    row = _queued("tandem.matching.tasks_requests.match_requests_expire_task")
    # when a worker picks the row up
    row = _work(row)
    # then the task ran and expired it
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
    assert list(MatchRequest.objects.values_list("status", flat=True)) == [RequestStatus.EXPIRED]
