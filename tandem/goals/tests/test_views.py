import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PAIR_ACTOR_NAMES
from tandem.goals.models import Goal, GoalComment, GoalStatus, Milestone
from tandem.goals.tests.conftest import goals_state
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory, in_days

HTMX = {"HX-Request": "true"}


def _goal_data(prefix: str, **values) -> dict:
    data = {"title": "Run a workshop", "measure": "Ten people attend", "target_on": in_days(20)}
    data.update(values)
    return {f"{prefix}-{k}": v for k, v in data.items()}


# (name, url name, url args after the relationship, POST data, mentee status, mentor status)
PAGES = [
    ("list", "goals:list", [], None, 200, 200),
    ("create", "goals:create", [], "new", 302, 302),
    ("update", "goals:update", ["active"], "edit", 302, 403),
    ("accept", "goals:action", ["suggested", "accept"], {}, 302, 403),
    ("decline", "goals:action", ["suggested", "decline"], {}, 302, 403),
    ("achieve", "goals:action", ["active", "achieve"], {}, 302, 403),
    ("drop", "goals:action", ["active", "drop"], {}, 302, 403),
    ("reopen", "goals:action", ["achieved", "reopen"], {}, 302, 403),
    ("comment", "goals:comment_create", ["active"], "comment", 302, 302),
    ("milestone_create", "goals:milestone_create", ["active"], "milestone", 302, 403),
    ("milestone_update", "goals:milestone_update", ["active", "open"], "milestone_edit", 302, 403),
    ("milestone_complete", "goals:milestone_complete", ["active", "open"], {}, 302, 403),
    ("milestone_reopen", "goals:milestone_reopen", ["active", "done"], {}, 302, 403),
    ("milestone_delete", "goals:milestone_delete", ["active", "open"], {}, 302, 403),
]


def _args(goals, names):
    known = {
        "active": goals.active.pk,
        "suggested": goals.suggested.pk,
        "achieved": goals.achieved.pk,
        "open": goals.open_milestone.pk,
        "done": goals.done_milestone.pk,
    }
    return [known.get(name, name) for name in names]


def _data(goals, kind):
    if kind == "new":
        return _goal_data("new")
    if kind == "edit":
        return _goal_data(
            f"goal-{goals.active.pk}", title="Run two workshops", progress_mode="derived"
        )
    if kind == "comment":
        return {f"comment-{goals.active.pk}-body": "Good luck"}
    if kind == "milestone":
        return {
            f"milestone-{goals.active.pk}-title": "Book a room",
            f"milestone-{goals.active.pk}-due_on": "",
        }
    if kind == "milestone_edit":
        prefix = f"edit-milestone-{goals.open_milestone.pk}"
        return {f"{prefix}-title": "Agenda out", f"{prefix}-due_on": ""}
    return kind


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
@pytest.mark.parametrize(
    ("page", "url_name", "arg_names", "data", "mentee_status", "mentor_status"),
    PAGES,
    ids=[p[0] for p in PAGES],
)
def test_goal_pages_authorization_matrix(
    client, pair, goals, actor_name, page, url_name, arg_names, data, mentee_status, mentor_status
):
    # given
    actor = pair.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    url = reverse(url_name, args=[pair.relationship.pk, *_args(goals, arg_names)])
    before = goals_state()
    # when
    response = client.get(url) if data is None else client.post(url, _data(goals, data))
    # then
    if actor is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert goals_state() == before
        return
    expected = {"mentee": mentee_status, "mentor": mentor_status}.get(actor_name, 404)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == reverse("goals:list", args=[pair.relationship.pk])
        assert goals_state() != before
    elif expected != 200:
        assert goals_state() == before
    if expected == 403:
        assert (
            "as the mentor" in response.content.decode()
            or "Only the mentee" in response.content.decode()
        )


def test_page_shows_goals_progress_and_stable_controls_to_the_mentee(client, pair, goals):
    # given
    client.force_login(pair.mentee)
    # when
    html = client.get(reverse("goals:list", args=[pair.relationship.pk])).content.decode()
    # then
    active = goals.active.pk
    assert 'data-testid="add-goal"' in html
    assert f'data-testid="add-milestone-{active}"' in html
    assert f'data-testid="complete-milestone-{goals.open_milestone.pk}"' in html
    assert f'data-testid="reopen-milestone-{goals.done_milestone.pk}"' in html
    assert (
        'role="progressbar" aria-label="Progress of Lead a team meeting" aria-valuenow="50"' in html
    )
    assert f'data-testid="accept-goal-{goals.suggested.pk}"' in html
    assert f'href="/relationships/{pair.relationship.pk}/"' in html
    assert 'data-testid="celebrations"' in html
    assert "Milestone reached: Ask (Lead a team meeting)" in html
    assert "Goal achieved: Read a book" in html


def test_mentor_sees_suggest_form_and_no_ticking(client, pair, goals):
    # given
    client.force_login(pair.mentor)
    # when
    html = client.get(reverse("goals:list", args=[pair.relationship.pk])).content.decode()
    # then
    assert "Suggest a goal" in html
    assert "complete-milestone-" not in html
    assert "add-milestone-" not in html
    assert "accept-goal-" not in html
    assert "Waiting for" in html
    assert "Milestone reached: Ask (Lead a team meeting)" in html


def test_htmx_create_with_errors_answers_200_with_each_field_named(client, pair):
    # given
    client.force_login(pair.mentee)
    before = goals_state()
    yesterday = in_days(-1)
    # when
    response = client.post(
        reverse("goals:create", args=[pair.relationship.pk]),
        _goal_data("new", title="", measure="", target_on=yesterday),
        headers=HTMX,
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_new-title_error">Say what the outcome is, in a few words.' in html
    assert 'id="id_new-measure_error">Say how you will know the goal is achieved.' in html
    assert goals_state() == before
    # when only the date is wrong: the service's refusal lands on the date field
    response = client.post(
        reverse("goals:create", args=[pair.relationship.pk]),
        _goal_data("new", target_on=yesterday),
        headers=HTMX,
    )
    html = response.content.decode()
    assert (
        f'id="id_new-target_on_error">The target date {yesterday.day} {yesterday:%b %Y} is in '
        "the past; choose today or a later date." in html
    )
    assert 'aria-describedby="id_new-target_on_error"' in html
    assert goals_state() == before


def test_htmx_create_then_complete_milestone_celebrates(client, pair):
    # given
    client.force_login(pair.mentee)
    rid = pair.relationship.pk
    # when
    response = client.post(reverse("goals:create", args=[rid]), _goal_data("new"), headers=HTMX)
    # then
    goal = Goal.objects.get()
    assert response.status_code == 200
    assert "Goal set: Run a workshop." in response.content.decode()
    # when
    client.post(
        reverse("goals:milestone_create", args=[rid, goal.pk]),
        {f"milestone-{goal.pk}-title": "Book a room", f"milestone-{goal.pk}-due_on": in_days(5)},
        headers=HTMX,
    )
    milestone = Milestone.objects.get()
    response = client.post(
        reverse("goals:milestone_complete", args=[rid, goal.pk, milestone.pk]), headers=HTMX
    )
    # then
    html = response.content.decode()
    assert "🎉 Milestone reached: Book a room" in html
    assert 'data-testid="celebrations"' in html
    assert Milestone.objects.get().done_by == pair.mentee


def test_htmx_refusal_for_the_mentor_is_inline(client, pair, goals):
    # given
    client.force_login(pair.mentor)
    before = goals_state()
    # when
    response = client.post(
        reverse(
            "goals:milestone_complete",
            args=[pair.relationship.pk, goals.active.pk, goals.open_milestone.pk],
        ),
        headers=HTMX,
    )
    # then
    assert response.status_code == 200
    assert "Only the mentee ticks off their milestones" in response.content.decode()
    assert goals_state() == before


def test_edit_goal_switches_to_manual_progress(client, pair, goals):
    # given
    client.force_login(pair.mentee)
    # when
    client.post(
        reverse("goals:update", args=[pair.relationship.pk, goals.active.pk]),
        _goal_data(f"goal-{goals.active.pk}", progress_mode="manual", manual_progress=80),
        headers=HTMX,
    )
    # then
    goal = Goal.objects.get(pk=goals.active.pk)
    assert (goal.title, goal.progress_mode, goal.progress) == ("Run a workshop", "manual", 80)


def test_comment_from_the_mentor(client, pair, goals):
    # given
    client.force_login(pair.mentor)
    # when
    response = client.post(
        reverse("goals:comment_create", args=[pair.relationship.pk, goals.active.pk]),
        {f"comment-{goals.active.pk}-body": "How did the agenda go?"},
        headers=HTMX,
    )
    # then
    assert "How did the agenda go?" in response.content.decode()
    assert GoalComment.objects.get().author == pair.mentor


def test_unknown_action_is_404(client, pair, goals):
    # given
    client.force_login(pair.mentee)
    # when
    response = client.post(
        reverse("goals:action", args=[pair.relationship.pk, goals.active.pk, "explode"])
    )
    # then
    assert response.status_code == 404
    assert Goal.objects.get(pk=goals.active.pk).status == GoalStatus.ACTIVE


@pytest.mark.parametrize("actor_name", ["mentor", "mentee"])
def test_page_query_budget(client, pair, goals, actor_name, django_assert_max_num_queries):
    # given
    for _ in range(6):
        goal = GoalFactory(relationship=pair.relationship, created_by=pair.mentee)
        MilestoneFactory(goal=goal)
        MilestoneFactory(goal=goal, done_by=pair.mentee, done_at=timezone.now())
        GoalComment.objects.create(goal=goal, author=pair.mentor, body="Hi")
    client.force_login(pair.by_name(actor_name))
    # when
    with django_assert_max_num_queries(9):
        response = client.get(reverse("goals:list", args=[pair.relationship.pk]))
    # then
    assert response.status_code == 200
    assert response.content.decode().count('role="progressbar"') == 8


def test_panel_renders_one_card_with_progress_and_link(pair, goals):
    # given
    from django.template.loader import render_to_string

    from tandem.goals.selectors import goals_panel
    from tandem.relationships.permissions import relationship_access

    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    html = render_to_string(
        "goals/_panel.html",
        {"panel": goals_panel(access=access), "access": access, "relationship": pair.relationship},
    )
    # then
    assert html.count("<section") == 1
    assert '<h2 class="h5" id="goals-panel-title">Goals</h2>' in html
    assert 'aria-label="Progress of Lead a team meeting" aria-valuenow="50"' in html
    assert "1 active · 1 achieved · 1 suggested" in html
    assert f'href="/relationships/{pair.relationship.pk}/goals/"' in html
    assert "</svg> Goal achieved: Read a book</p>" in html
    # (the celebration's star is drawn, not an emoji: emoji are empty boxes without an emoji font)
    assert "🎉" not in html
