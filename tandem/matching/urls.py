from django.urls import path

from tandem.matching.requests import views as requests_views
from tandem.matching.runs import views as runs_views

app_name = "matching"

urlpatterns = [
    # bulk matching: a programme's runs, settings and drafts (its managers)
    path("programs/<int:program_id>/matching/", runs_views.matching_home, name="home"),
    path("programs/<int:program_id>/matching/runs/", runs_views.run_start, name="run_start"),
    path(
        "programs/<int:program_id>/matching/settings/",
        runs_views.matching_settings,
        name="settings",
    ),
    path("matching/runs/<int:run_id>/", runs_views.run_detail, name="run_detail"),
    path("matching/runs/<int:run_id>/progress/", runs_views.run_progress, name="run_progress"),
    path("matching/runs/<int:run_id>/proposals/", runs_views.proposal_add, name="proposal_add"),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/pin/",
        runs_views.proposal_pin,
        name="proposal_pin",
    ),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/unpin/",
        runs_views.proposal_unpin,
        name="proposal_unpin",
    ),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/remove/",
        runs_views.proposal_remove,
        name="proposal_remove",
    ),
    path("matching/runs/<int:run_id>/swap/", runs_views.proposals_swap, name="proposals_swap"),
    path("matching/runs/<int:run_id>/rerun/", runs_views.run_rerun, name="run_rerun"),
    path("matching/runs/<int:run_id>/publish/", runs_views.run_publish, name="run_publish"),
    path("matching/runs/<int:run_id>/discard/", runs_views.run_discard, name="run_discard"),
    # self-matching: a mentee's suggestions and requests, a mentor's answers, approvals
    path(
        "programs/<int:program_id>/matching/suggestions/",
        requests_views.suggestions,
        name="suggestions",
    ),
    path(
        "programs/<int:program_id>/matching/requests/",
        requests_views.request_create,
        name="request_create",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/",
        requests_views.mentor_dashboard,
        name="mentor_dashboard",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/availability/",
        requests_views.mentor_availability,
        name="mentor_availability",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/capacity/",
        requests_views.mentor_capacity,
        name="mentor_capacity",
    ),
    path(
        "programs/<int:program_id>/matching/approvals/",
        requests_views.approvals,
        name="approvals",
    ),
    path(
        "matching/requests/<int:request_id>/withdraw/",
        requests_views.request_withdraw,
        name="request_withdraw",
    ),
    path(
        "matching/requests/<int:request_id>/accept/",
        requests_views.request_accept,
        name="request_accept",
    ),
    path(
        "matching/requests/<int:request_id>/decline/",
        requests_views.request_decline,
        name="request_decline",
    ),
    path(
        "matching/requests/<int:request_id>/approve/",
        requests_views.request_approve,
        name="request_approve",
    ),
    path(
        "matching/requests/<int:request_id>/reject/",
        requests_views.request_reject,
        name="request_reject",
    ),
]
