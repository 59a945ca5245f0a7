"""Old import path of self-matching's task, kept for the task queue only.

A queued task is stored by its import path (django-tasks' database backend keeps
`task_path`, RQ keeps the job's function name) and looked up by it when a worker runs it.
Tasks queued before the move to `tandem.matching.requests.tasks` name this module; without it
a worker would fail them. New code imports `tandem.matching.requests.tasks`.
"""

from tandem.matching.requests.tasks import match_requests_expire_task

__all__ = ["match_requests_expire_task"]
