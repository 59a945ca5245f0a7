from django.urls import path

from tandem.matching import views_requests, views_runs

app_name = "matching"

urlpatterns = [
    # bulk matching: a programme's runs, settings and drafts (its managers)
    path("programs/<int:program_id>/matching/", views_runs.matching_home, name="home"),
    path("programs/<int:program_id>/matching/runs/", views_runs.run_start, name="run_start"),
    path(
        "programs/<int:program_id>/matching/settings/",
        views_runs.matching_settings,
        name="settings",
    ),
    path("matching/runs/<int:run_id>/", views_runs.run_detail, name="run_detail"),
    path("matching/runs/<int:run_id>/progress/", views_runs.run_progress, name="run_progress"),
    path("matching/runs/<int:run_id>/proposals/", views_runs.proposal_add, name="proposal_add"),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/pin/",
        views_runs.proposal_pin,
        name="proposal_pin",
    ),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/unpin/",
        views_runs.proposal_unpin,
        name="proposal_unpin",
    ),
    path(
        "matching/runs/<int:run_id>/proposals/<int:proposal_id>/remove/",
        views_runs.proposal_remove,
        name="proposal_remove",
    ),
    path("matching/runs/<int:run_id>/swap/", views_runs.proposals_swap, name="proposals_swap"),
    path("matching/runs/<int:run_id>/rerun/", views_runs.run_rerun, name="run_rerun"),
    path("matching/runs/<int:run_id>/publish/", views_runs.run_publish, name="run_publish"),
    path("matching/runs/<int:run_id>/discard/", views_runs.run_discard, name="run_discard"),
    # self-matching: a mentee's suggestions and requests, a mentor's answers, approvals
    path(
        "programs/<int:program_id>/matching/suggestions/",
        views_requests.suggestions,
        name="suggestions",
    ),
    path(
        "programs/<int:program_id>/matching/requests/",
        views_requests.request_create,
        name="request_create",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/",
        views_requests.mentor_dashboard,
        name="mentor_dashboard",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/availability/",
        views_requests.mentor_availability,
        name="mentor_availability",
    ),
    path(
        "programs/<int:program_id>/matching/mentor/capacity/",
        views_requests.mentor_capacity,
        name="mentor_capacity",
    ),
    path(
        "programs/<int:program_id>/matching/approvals/",
        views_requests.approvals,
        name="approvals",
    ),
    path(
        "matching/requests/<int:request_id>/withdraw/",
        views_requests.request_withdraw,
        name="request_withdraw",
    ),
    path(
        "matching/requests/<int:request_id>/accept/",
        views_requests.request_accept,
        name="request_accept",
    ),
    path(
        "matching/requests/<int:request_id>/decline/",
        views_requests.request_decline,
        name="request_decline",
    ),
    path(
        "matching/requests/<int:request_id>/approve/",
        views_requests.request_approve,
        name="request_approve",
    ),
    path(
        "matching/requests/<int:request_id>/reject/",
        views_requests.request_reject,
        name="request_reject",
    ),
]
