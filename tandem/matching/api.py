"""Matching's API: one router mounted at /api/v1/, made of the bulk runs' and requests' routers."""

from ninja import Router

from tandem.matching.requests import api as requests_api
from tandem.matching.runs import api as runs_api

# Ninja names an operation after its view's module. These ids were published while the views
# lived in matching/api_runs.py and matching/api_requests.py; clients generated from the
# schema call them by name, so they keep those names wherever the views live now.
PUBLISHED_OPERATION_PREFIXES = (
    (runs_api.router, "tandem_matching_api_runs"),
    (requests_api.router, "tandem_matching_api_requests"),
)
for sub_router, prefix in PUBLISHED_OPERATION_PREFIXES:
    for path_view in sub_router.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id is None:
                operation.operation_id = f"{prefix}_{operation.view_func.__name__}"

router = Router(tags=["matching"])
router.add_router("", runs_api.router)
router.add_router("", requests_api.router)
