"""The bulk matching pages: who may see them, the draft with htmx edits, query budgets."""

import pytest
from django.core import mail
from django.urls import reverse

from tandem.accounts.models import User
from tandem.matching.fit import fit_of
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    MatchUnmatched,
    PairRule,
    RunStatus,
)
from tandem.matching.tests.factories import MatchRunFactory
from tandem.matching.tests.test_runs import ALL_ROWS, Team, _rows, _start, _team
from tandem.participants.models import Participant, ParticipantRole
from tandem.programs.models import Program
from tandem.relationships.models import Relationship

HTMX = {"HX-Request": "true"}
DENIED = [
    ("outsider", 404),
    ("member", 403),
    ("mentee", 403),
    ("mentor", 403),
    ("other_manager", 403),
]
ALLOWED = [("manager", 200), ("admin", 200)]


def _draft(cast, capture) -> tuple[Team, MatchRun]:
    team = _team(cast)
    return team, _start(cast, capture, team)


# --- who may see the pages ---------------------------------------------------------------


@pytest.mark.parametrize(("actor_name", "status"), DENIED + ALLOWED)
@pytest.mark.parametrize("page", ["home", "settings", "run_detail", "run_progress"])
def test_pages_matrix(cast, client, django_capture_on_commit_callbacks, page, actor_name, status):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    team.program.managers.add(cast.manager)
    args = [run.pk] if page.startswith("run_") else [team.program.pk]
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(reverse(f"matching:{page}", args=args))
    # then
    assert response.status_code == status


@pytest.mark.parametrize("page", ["home", "settings"])
def test_pages_need_sign_in(cast, client, page):
    url = reverse(f"matching:{page}", args=[cast.program.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def _post_targets(run: MatchRun, team: Team) -> dict[str, tuple[str, dict]]:
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    return {
        "run_start": (
            reverse("matching:run_start", args=[team.program.pk]),
            {"objective": "total", "seed": 0},
        ),
        "settings": (
            reverse("matching:settings", args=[team.program.pk]),
            {"seniority_gap_min": 0, "seniority_gap_max": 1, "department": "same"},
        ),
        "proposal_pin": (reverse("matching:proposal_pin", args=[run.pk, first.pk]), {}),
        "proposal_unpin": (reverse("matching:proposal_unpin", args=[run.pk, first.pk]), {}),
        "proposal_remove": (reverse("matching:proposal_remove", args=[run.pk, first.pk]), {}),
        "proposals_swap": (
            reverse("matching:proposals_swap", args=[run.pk]),
            {"pair": [first.pk, second.pk]},
        ),
        "proposal_add": (
            reverse("matching:proposal_add", args=[run.pk]),
            {"mentee": team.cy.pk, "mentor": team.grace.pk},
        ),
        "run_rerun": (reverse("matching:run_rerun", args=[run.pk]), {}),
        "run_publish": (reverse("matching:run_publish", args=[run.pk]), {}),
        "run_discard": (reverse("matching:run_discard", args=[run.pk]), {}),
    }


ACTIONS = [
    "run_start",
    "settings",
    "proposal_pin",
    "proposal_unpin",
    "proposal_remove",
    "proposals_swap",
    "proposal_add",
    "run_rerun",
    "run_publish",
    "run_discard",
]


@pytest.mark.parametrize(("actor_name", "status"), DENIED)
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_refused_to_others_and_change_nothing(
    cast, client, django_capture_on_commit_callbacks, action, actor_name, status
):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    url, data = _post_targets(run, team)[action]
    client.force_login(cast.by_name(actor_name))
    before = _rows(*ALL_ROWS, MatchingSettings, Participant)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, data, headers=HTMX)
    # then
    assert response.status_code == status
    assert _rows(*ALL_ROWS, MatchingSettings, Participant) == before
    assert callbacks == []
    assert mail.outbox == []


# --- the programme's matching home -------------------------------------------------------


def test_home_shows_supply_and_demand_and_past_runs(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.manager)
    # when
    response = client.get(reverse("matching:home", args=[team.program.pk]))
    # then
    html = response.content.decode()
    supply = response.context["supply"]
    assert (supply.mentees_waiting, supply.places_free, supply.mentors_with_places) == (3, 2, 2)
    assert supply.shortfall == 1
    assert "1 mentee is short of a place" in html
    assert f'href="/matching/runs/{run.pk}/">Run {run.pk}</a>' in html
    assert "Draft ready" in html
    assert "Start the run" in html


def test_starting_a_run_from_the_page_goes_to_its_draft(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    team = _team(cast)
    client.force_login(cast.manager)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:run_start", args=[team.program.pk]),
            {"objective": "fair", "seed": 3},
        )
    # then
    run = MatchRun.objects.get(program=team.program)
    assert response.status_code == 302
    assert response["Location"] == f"/matching/runs/{run.pk}/"
    assert (run.objective, run.seed, run.status) == ("fair", 3, RunStatus.DRAFT)


@pytest.mark.parametrize("posted", [{}, {"seed": ""}])
def test_the_seed_is_optional_and_tucked_away(cast, client, posted):
    # given a manager who never opens "Advanced"
    team = _team(cast)
    client.force_login(cast.manager)
    page = client.get(reverse("matching:home", args=[team.program.pk])).content.decode()
    assert '<summary class="small">Advanced</summary>' in page
    # when the form goes without a seed
    response = client.post(
        reverse("matching:run_start", args=[team.program.pk]), {"objective": "total", **posted}
    )
    # then the run starts with the default seed
    run = MatchRun.objects.get(program=team.program)
    assert response.status_code == 302
    assert run.seed == 0


def test_a_refused_start_is_shown_on_the_form(cast, client):
    # given a run already queued
    team = _team(cast)
    queued = MatchRunFactory(program=team.program, status=RunStatus.QUEUED)
    client.force_login(cast.manager)
    # when
    response = client.post(
        reverse("matching:run_start", args=[team.program.pk]), {"objective": "total", "seed": 0}
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Run {queued.pk} is queued." in html
    assert MatchRun.objects.count() == 1


def test_home_query_budget(
    cast, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    team, _ = _draft(cast, django_capture_on_commit_callbacks)
    for _ in range(15):
        MatchRunFactory(program=team.program, status=RunStatus.DISCARDED, created_by=cast.manager)
    client.force_login(cast.manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("matching:home", args=[team.program.pk]))
    assert len(response.context["runs"]) == 16


# --- the settings page -------------------------------------------------------------------


def test_settings_page_saves_the_weights_and_rules(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("matching:settings", args=[cast.program.pk])
    data = {
        "weight_skills": 5,
        "weight_goals": 3,
        "weight_seniority": 0,
        "weight_department": 1,
        "weight_timezone": 2,
        "weight_language": 1,
        "weight_questions": 2,
        "seniority_gap_min": 1,
        "seniority_gap_max": 4,
        "department": "either",
        "require_shared_language": "on",
        "allow_self_matching": "on",
        "request_expiry_days": 10,
    }
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    saved = MatchingSettings.objects.get(program=cast.program)
    assert saved.weights == {
        "skills": 5,
        "goals": 3,
        "seniority": 0,
        "department": 1,
        "timezone": 2,
        "language": 1,
        "questions": 2,
    }
    assert (saved.rules["seniority_gap_max"], saved.rules["department"]) == (4, "either")
    assert saved.rules["require_shared_language"] is True
    assert (saved.allow_self_matching, saved.requests_need_approval, saved.request_expiry_days) == (
        True,
        False,
        10,
    )
    page = client.get(url).content.decode()
    assert "Matching settings saved. The next run uses them." in page


def test_settings_page_shows_the_services_errors_on_their_fields(cast, client):
    client.force_login(cast.manager)
    response = client.post(
        reverse("matching:settings", args=[cast.program.pk]),
        {
            **{f"weight_{name}": 1 for name in ("skills", "goals", "seniority", "department")},
            **{f"weight_{name}": 1 for name in ("timezone", "language", "questions")},
            "seniority_gap_min": 4,
            "seniority_gap_max": 2,
            "department": "different",
            "request_expiry_days": 14,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "seniority_gap_max": ["The largest seniority gap must not be smaller than the smallest."]
    }
    assert MatchingSettings.objects.count() == 0


# --- the draft page ----------------------------------------------------------------------


def test_draft_page_shows_statistics_unmatched_and_pairs_with_reasons(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.manager)
    # when
    response = client.get(reverse("matching:run_detail", args=[run.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "66.7%" in html
    assert "matched: 2 of 3 mentees" in html
    assert "Proved optimal for its objective." in html
    assert "Show the scores as a table" in html
    assert "<td>5.6 to 7</td><td>2</td>" in html
    assert "Not matched (1)" in html
    assert "All allowed mentors are full." in html
    assert html.count('<tr id="pair-') == 2
    ada_grace = MatchProposal.objects.get(run=run, mentee=team.ada)
    assert ada_grace.reasons[0] in html
    # each pair's score is read on the programme's scale, beside the number
    assert html.count('data-testid="fit"') == 2
    label = fit_of(ada_grace.score, max_score=run.statistics["max_score"]).label
    assert f">{label}<span" in html
    assert 'aria-label="Pin Ada Lovelace and Grace Hopper"' in html
    assert "Publish 2 pairs" in html


def test_draft_page_while_running_polls_its_progress(cast, client):
    # given a run in progress
    run = MatchRunFactory(
        program=cast.program,
        status=RunStatus.RUNNING,
        progress=40,
        inputs={"mentees": [1, 2, 3], "mentors": [4]},
    )
    client.force_login(cast.manager)
    # when
    page = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    poll = client.get(reverse("matching:run_progress", args=[run.pk]), headers=HTMX)
    # then
    assert f'hx-get="/matching/runs/{run.pk}/progress/" hx-trigger="every 1s"' in page
    assert 'aria-valuenow="40"' in page
    assert "Matching 3 mentees with 1 mentor…" in page
    assert "HX-Refresh" not in poll
    # when it finishes, the next poll reloads the page
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.DRAFT, progress=100)
    done = client.get(reverse("matching:run_progress", args=[run.pk]), headers=HTMX)
    assert done["HX-Refresh"] == "true"


def test_failed_run_page_says_why_and_offers_to_try_again(cast, client):
    run = MatchRunFactory(program=cast.program, status=RunStatus.FAILED, error="Boom: no memory")
    client.force_login(cast.manager)
    html = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert "The run failed." in html
    assert "Boom: no memory" in html
    assert "Try again" in html


def test_pinning_with_htmx_answers_with_the_workspace(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    client.force_login(cast.manager)
    # when
    response = client.post(
        reverse("matching:proposal_pin", args=[run.pk, proposal.pk]),
        {"q": "", "sort": "score", "page": 1},
        headers=HTMX,
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="workspace">')
    assert "Pinned Grace Hopper and Ada Lovelace: later runs keep this pair." in html
    assert 'aria-label="Unpin Ada Lovelace and Grace Hopper"' in html
    assert MatchProposal.objects.get(pk=proposal.pk).is_pinned is True
    assert PairRule.objects.count() == 1


def test_a_refused_swap_is_explained_in_the_workspace(
    cast, client, django_capture_on_commit_callbacks
):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    proposal = MatchProposal.objects.get(run=run, mentee=team.ada)
    client.force_login(cast.manager)
    before = _rows(*ALL_ROWS)
    # when one pair only is ticked
    response = client.post(
        reverse("matching:proposals_swap", args=[run.pk]), {"pair": [proposal.pk]}, headers=HTMX
    )
    # then
    assert response.status_code == 200
    assert (
        "Tick exactly two pairs to swap their mentees (you ticked 1)." in response.content.decode()
    )
    assert _rows(*ALL_ROWS) == before


def test_swap_remove_and_add_from_the_page(cast, client, django_capture_on_commit_callbacks):
    # given
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    first = MatchProposal.objects.get(run=run, mentee=team.ada)
    second = MatchProposal.objects.get(run=run, mentee=team.bob)
    client.force_login(cast.manager)
    # when the two mentees are swapped
    swapped = client.post(
        reverse("matching:proposals_swap", args=[run.pk]),
        {"pair": [first.pk, second.pk]},
        headers=HTMX,
    )
    # then
    assert "Swapped: Linus Torvalds and Ada Lovelace; Grace Hopper and Bob Byte." in (
        swapped.content.decode()
    )
    # when a pair is removed (without htmx) and Cy is added in its place
    removed = client.post(reverse("matching:proposal_remove", args=[run.pk, first.pk]))
    page = client.get(removed["Location"]).content.decode()
    assert "Removed the pair: Ada Lovelace is unmatched again." in page
    # Linus has a place again: offered for Cy, but not for Ada, who was just taken from him
    assert f'<label class="visually-hidden" for="mentor-for-{team.cy.pk}">' in page
    assert "Pair with Cy Young" in page
    assert f'for="mentor-for-{team.ada.pk}"' not in page
    assert "No mentor with a place left may be paired with them." in page
    added = client.post(
        reverse("matching:proposal_add", args=[run.pk]),
        {"mentee": team.cy.pk, "mentor": team.linus.pk},
        headers=HTMX,
    )
    # then
    assert "Added Linus Torvalds and Cy Young." in added.content.decode()
    assert sorted(MatchProposal.objects.filter(run=run).values_list("mentee_id", "mentor_id")) == [
        (team.bob.pk, team.grace.pk),
        (team.cy.pk, team.linus.pk),
    ]


def test_publish_and_discard_from_the_page(cast, client, django_capture_on_commit_callbacks):
    # given two drafts of two programmes
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.manager)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:run_publish", args=[run.pk]))
    # then
    assert response["Location"] == f"/matching/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Published: 2 pairs proposed. Everyone matched is being emailed." in page
    assert "these pairs are now proposed relationships" in page
    assert 'aria-label="Pin' not in page
    assert Relationship.objects.filter(program=team.program).count() == 2
    assert len(mail.outbox) == 4
    # when a published run is discarded
    refused = client.post(reverse("matching:run_discard", args=[run.pk]))
    assert (
        "This run cannot be discarded: it is &#x27;published&#x27;."
        in client.get(refused["Location"]).content.decode()
    )


def test_discarding_returns_to_the_matching_home(cast, client, django_capture_on_commit_callbacks):
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.manager)
    response = client.post(reverse("matching:run_discard", args=[run.pk]))
    assert response["Location"] == f"/programs/{team.program.pk}/matching/"
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED


def test_rerun_from_the_page_goes_to_the_new_run(cast, client, django_capture_on_commit_callbacks):
    _, run = _draft(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:run_rerun", args=[run.pk]))
    new_run = MatchRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == f"/matching/runs/{new_run.pk}/"
    assert new_run.status == RunStatus.DRAFT


# --- a draft of 2,000 mentees ------------------------------------------------------------


def _large_draft(program: Program, *, mentees: int = 2000, mentors: int = 100) -> MatchRun:
    """A draft of `mentees` pairs over `mentors` mentors, written in bulk."""
    org = program.organization
    users = User.objects.bulk_create(
        User(
            organization=org,
            email=f"person{i}@large.test",
            first_name=f"First{i:04}",
            last_name=f"Last{i:04}",
        )
        for i in range(mentees + mentors + 40)
    )
    people = Participant.objects.bulk_create(
        Participant(
            program=program,
            user=user,
            role=ParticipantRole.MENTOR if i < mentors else ParticipantRole.MENTEE,
            capacity=mentees // mentors + 1 if i < mentors else None,
        )
        for i, user in enumerate(users)
    )
    mentor_rows, mentee_rows = people[:mentors], people[mentors:]
    run = MatchRunFactory(
        program=program,
        status=RunStatus.DRAFT,
        weights={"skills": 4, "goals": 2, "timezone": 2},
        inputs={
            "mentees": [p.pk for p in mentee_rows],
            "mentors": [p.pk for p in mentor_rows],
            "capacity": [mentees // mentors + 1] * mentors,
        },
        statistics={"matched": mentees, "mentees": mentees + 40, "max_score": 8.0},
    )
    MatchProposal.objects.bulk_create(
        MatchProposal(
            run=run,
            mentee=mentee,
            mentor=mentor_rows[i % mentors],
            score=float(i % 9),
            contributions={"skills": 4.0, "goals": float(i % 5) / 2},
            reasons=["Covers the skills they want", "Similar goals", "8 hours of shared time"],
        )
        for i, mentee in enumerate(mentee_rows[:mentees])
    )
    MatchUnmatched.objects.bulk_create(
        MatchUnmatched(run=run, mentee=mentee, reason="no_capacity_left", detail="All full.")
        for mentee in mentee_rows[mentees:]
    )
    return run


def test_draft_page_of_2000_pairs_is_paginated_within_a_query_budget(
    cast, client, django_assert_max_num_queries
):
    # given
    run = _large_draft(cast.program)
    client.force_login(cast.manager)
    url = reverse("matching:run_detail", args=[run.pk])
    # when
    with django_assert_max_num_queries(16):
        first = client.get(url)
    with django_assert_max_num_queries(16):
        last = client.get(url, {"page": 40, "sort": "mentee"})
    with django_assert_max_num_queries(12):
        search = client.get(url, {"q": "First0150"}, headers={**HTMX, "HX-Target": "pairs"})
    # then
    first_html = first.content.decode()
    assert first_html.count('<tr id="pair-') == 50
    assert "Page 1 of 40" in first_html
    assert "Not matched (40)" in first_html
    assert "Pair with First" in first_html  # 2,100 places for 2,000 pairs: one left each
    last_html = last.content.decode()
    assert last_html.count('<tr id="pair-') == 50
    assert "Page 40 of 40" in last_html
    search_html = search.content.decode()
    assert search_html.startswith('<div id="pairs"')
    assert search_html.count('<tr id="pair-') == 1
    assert "1 pair matches the search." in search_html


def test_an_htmx_edit_on_a_large_draft_stays_within_a_query_budget(
    cast, client, django_assert_max_num_queries
):
    # given
    run = _large_draft(cast.program)
    proposal = MatchProposal.objects.filter(run=run).order_by("pk").first()
    client.force_login(cast.manager)
    # when (two guards, the edit, the statistics, the page: the same for 20 pairs or 2,000)
    with django_assert_max_num_queries(36):
        response = client.post(
            reverse("matching:proposal_pin", args=[run.pk, proposal.pk]),
            {"q": "", "sort": "score", "page": 3},
            headers=HTMX,
        )
    # then
    html = response.content.decode()
    assert "Page 3 of 40" in html
    assert html.count('<tr id="pair-') == 50
    run.refresh_from_db()
    assert run.statistics["pinned"] == 1


def test_runs_are_for_managers_only_even_through_the_programme_page(cast, client):
    # the programme page links managers to matching, and nobody else
    client.force_login(cast.manager)
    manager_page = client.get(reverse("programs:detail", args=[cast.program.pk])).content.decode()
    client.force_login(cast.mentor)
    mentor_page = client.get(reverse("programs:detail", args=[cast.program.pk])).content.decode()
    link = f'href="/programs/{cast.program.pk}/matching/">Matching</a>'
    assert link in manager_page
    assert link not in mentor_page


def test_stale_drafts_are_flagged(cast, client, django_capture_on_commit_callbacks):
    from tandem.relationships.services import relationship_propose

    team, run = _draft(cast, django_capture_on_commit_callbacks)
    relationship_propose(mentor=team.linus, mentee=team.cy, source="manual")
    client.force_login(cast.manager)
    html = client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert "Relationships in Engineering circle changed after this run started." in html


# --- admin -------------------------------------------------------------------------------


def test_admin_actions_go_through_the_services(cast, client, django_capture_on_commit_callbacks):
    # given an org admin who is also platform staff, a draft and a published run
    cast.admin.is_staff = True
    cast.admin.is_superuser = True
    cast.admin.save(update_fields=["is_staff", "is_superuser"])
    team, run = _draft(cast, django_capture_on_commit_callbacks)
    published = MatchRunFactory(program=team.program, status=RunStatus.PUBLISHED)
    client.force_login(cast.admin)
    # when
    response = client.post(
        reverse("admin:matching_matchrun_changelist"),
        {"action": "discard", "_selected_action": [str(run.pk), str(published.pk)]},
        follow=True,
    )
    # then
    html = response.content.decode()
    assert "1 run(s) discarded." in html
    assert "This run cannot be discarded: it is &#x27;published&#x27;." in html
    run.refresh_from_db()
    assert run.status == RunStatus.DISCARDED
    detail = client.get(reverse("admin:matching_matchrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:matching_pairrule_changelist")).status_code == 200
