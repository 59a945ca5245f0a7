"""Matching's API: one router mounted at /api/v1/, made of the bulk runs' and requests' routers."""

from ninja import Router

from tandem.matching import api_requests, api_runs

router = Router(tags=["matching"])
router.add_router("", api_runs.router)
router.add_router("", api_requests.router)
