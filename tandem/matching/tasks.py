"""Old import paths of bulk matching's tasks, kept for the task queue only.

A queued task is stored by its import path (django-tasks' database backend keeps
`task_path`, RQ keeps the job's function name) and looked up by it when a worker runs it.
Tasks queued before the move to `tandem.matching.runs.tasks` name this module; without it a
worker would fail them. New code imports `tandem.matching.runs.tasks`.
"""

from tandem.matching.runs.tasks import match_run_execute_task, match_run_notify_task

__all__ = ["match_run_execute_task", "match_run_notify_task"]
