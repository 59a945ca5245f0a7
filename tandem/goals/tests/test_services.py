import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.goals import selectors, services
from tandem.goals.models import Goal, GoalChange, GoalComment, GoalStatus, Milestone
from tandem.goals.tests.factories import in_days
from tandem.notifications.models import Notification, NotificationCategory
from tandem.relationships.models import Relationship, RelationshipEvent
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition


def _state() -> tuple[list[dict], ...]:
    return (
        list(Goal.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(GoalComment.objects.order_by("pk").values()),
        list(GoalChange.objects.order_by("pk").values()),
        list(RelationshipEvent.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
    )


def _goal(pair, **overrides) -> Goal:
    values = {
        "title": "Lead a team meeting",
        "measure": "I chair two team meetings and ask for feedback",
        "target_on": in_days(60),
    }
    values.update(overrides)
    return services.goal_create(actor=pair.mentee, relationship_id=pair.relationship.pk, **values)


def _changes(goal: Goal) -> list[tuple]:
    return list(
        GoalChange.objects.filter(goal=goal)
        .order_by("id")
        .values_list("actor__email", "field", "subject", "before", "after")
    )


def _events(pair) -> list[tuple[str, str]]:
    return list(
        RelationshipEvent.objects.filter(relationship=pair.relationship)
        .exclude(kind="status_changed")
        .order_by("id")
        .values_list("kind", "summary")
    )


# --- create and suggest ------------------------------------------------------------------


def test_mentee_sets_a_goal_with_history_event_and_the_mentor_told(pair):
    # given
    pair.mentee.first_name, pair.mentee.last_name = "Sam", "Lee"
    pair.mentee.save(update_fields=["first_name", "last_name"])
    target = in_days(60)
    # when
    goal = _goal(pair, title="  Lead a team meeting ", target_on=target)
    # then
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.target_on, goal.created_by, goal.progress_mode) == (
        "Lead a team meeting",
        GoalStatus.ACTIVE,
        target,
        pair.mentee,
        "derived",
    )
    assert _changes(goal) == [(pair.mentee.email, "created", "", "", "Lead a team meeting")]
    assert _events(pair) == [("goal_created", "Sam Lee set a goal: Lead a team meeting")]
    assert list(
        Notification.objects.filter(category="goals").values_list("user", "category", "title")
    ) == [(pair.mentor.pk, NotificationCategory.GOALS, "New goal: Lead a team meeting")]


def test_goal_create_refuses_bad_fields_each_named_and_changes_nothing(pair):
    # given
    before = _state()
    # when
    with pytest.raises(InvalidInput) as caught:
        _goal(pair, title=" ", measure="", target_on=in_days(-1))
    # then
    yesterday = in_days(-1)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("title", "Say what the outcome is, in a few words."),
        ("measure", "Say how you will know the goal is achieved."),
        (
            "target_on",
            f"The target date {yesterday.day} {yesterday:%b %Y} is in the past; "
            "choose today or a later date.",
        ),
    ]
    assert _state() == before


def test_mentor_may_not_create_a_goal_but_may_suggest_one(pair):
    # given
    before = _state()
    # when
    with pytest.raises(Forbidden) as caught:
        services.goal_create(
            actor=pair.mentor,
            relationship_id=pair.relationship.pk,
            title="x",
            measure="y",
            target_on=in_days(5),
        )
    # then
    assert "suggest a goal" in caught.value.detail
    assert _state() == before
    # when
    goal = services.goal_suggest(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="Present at the town hall",
        measure="Deliver a 5-minute update",
        target_on=in_days(30),
    )
    # then
    assert Goal.objects.get().status == GoalStatus.SUGGESTED
    assert [c[1:] for c in _changes(goal)] == [
        ("created", "", "", "Present at the town hall"),
        ("status", "", "", "suggested"),
    ]
    assert list(Notification.objects.filter(category="goals").values_list("user", "title")) == [
        (pair.mentee.pk, "Suggested goal: Present at the town hall")
    ]


def test_mentee_accepts_a_suggestion_and_declines_another(pair):
    # given
    first = services.goal_suggest(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="A",
        measure="m",
        target_on=in_days(10),
    )
    second = services.goal_suggest(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="B",
        measure="m",
        target_on=in_days(10),
    )
    Notification.objects.all().delete()
    # when
    services.goal_suggestion_accept(
        actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=first.pk
    )
    services.goal_suggestion_decline(
        actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=second.pk
    )
    # then
    assert dict(Goal.objects.values_list("title", "status")) == {"A": "active", "B": "declined"}
    assert _changes(first)[-1] == (pair.mentee.email, "status", "", "suggested", "active")
    assert _changes(second)[-1] == (pair.mentee.email, "status", "", "suggested", "declined")
    assert list(Notification.objects.order_by("id").values_list("user", "title")) == [
        (pair.mentor.pk, "Suggestion accepted: A"),
        (pair.mentor.pk, "Suggestion declined: B"),
    ]
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    assert [g.title for g in selectors.goal_list(access=access)] == ["A"]


def test_mentor_may_not_answer_their_own_suggestion(pair):
    # given
    goal = services.goal_suggest(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="A",
        measure="m",
        target_on=in_days(10),
    )
    before = _state()
    # when
    with pytest.raises(Forbidden):
        services.goal_suggestion_accept(
            actor=pair.mentor, relationship_id=pair.relationship.pk, goal_id=goal.pk
        )
    # then
    assert _state() == before


# --- update ------------------------------------------------------------------------------


def test_mentee_adjusts_a_goal_and_each_change_is_in_the_history(pair):
    # given
    goal = _goal(pair, target_on=in_days(60))
    new_target = in_days(90)
    # when
    services.goal_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        goal_id=goal.pk,
        title="Lead the weekly team meeting",
        target_on=new_target,
        progress_mode="manual",
        manual_progress=40,
        measure="I chair two team meetings and ask for feedback",  # unchanged
    )
    # then
    goal.refresh_from_db()
    assert (goal.title, goal.target_on, goal.progress) == (
        "Lead the weekly team meeting",
        new_target,
        40,
    )
    assert [c[1:] for c in _changes(goal)[1:]] == [
        ("title", "", "Lead a team meeting", "Lead the weekly team meeting"),
        ("target_on", "", in_days(60).isoformat(), new_target.isoformat()),
        ("progress_mode", "", "derived", "manual"),
        ("manual_progress", "", "0", "40"),
    ]
    assert GoalChange.objects.filter(field="target_on").get().description == (
        f"changed the target date from {in_days(60).day} {in_days(60):%b %Y} to "
        f"{new_target.day} {new_target:%b %Y}"
    )
    assert _events(pair)[-1] == (
        "goal_updated",
        f"{pair.mentee.get_full_name()} updated a goal: Lead the weekly team meeting",
    )


def test_mentor_may_not_edit_the_mentees_goal(pair):
    # given
    goal = _goal(pair)
    before = _state()
    # when
    with pytest.raises(Forbidden) as caught:
        services.goal_update(
            actor=pair.mentor, relationship_id=pair.relationship.pk, goal_id=goal.pk, title="Mine"
        )
    # then
    assert caught.value.detail == (
        "Goals belong to the mentee: as the mentor you can suggest a goal or comment on one, "
        "but not change it."
    )
    assert _state() == before


def test_manual_progress_needs_manual_mode(pair):
    # given
    goal = _goal(pair)
    before = _state()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.goal_update(
            actor=pair.mentee,
            relationship_id=pair.relationship.pk,
            goal_id=goal.pk,
            manual_progress=30,
        )
    # then
    assert caught.value.errors[0].field == "manual_progress"
    assert _state() == before


def test_a_goal_of_another_relationship_is_not_found(pair):
    # given
    other = services.goal_create(
        actor=pair.other_mentee,
        relationship_id=pair.other_relationship.pk,
        title="Theirs",
        measure="m",
        target_on=in_days(5),
    )
    before = _state()
    # when
    with pytest.raises(NotFound):
        services.goal_update(
            actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=other.pk, title="x"
        )
    # then
    assert _state() == before


def test_a_closed_relationship_refuses_changes(pair):
    # given
    goal = _goal(pair)
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    before = _state()
    # when
    with pytest.raises(Conflict):
        services.goal_achieve(
            actor=pair.mentee, relationship_id=pair.relationship.pk, goal_id=goal.pk
        )
    # then
    assert _state() == before


# --- progress, milestones and celebrations -----------------------------------------------


def test_progress_is_derived_from_milestones(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    assert goal.progress == 0
    milestones = [
        services.milestone_create(
            actor=pair.mentee,
            relationship_id=rid,
            goal_id=goal.pk,
            title=f"Step {n}",
            due_on=in_days(10 * n),
        )
        for n in (1, 2, 3)
    ]
    # when
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestones[0].pk
    )
    # then
    assert Goal.objects.get().progress == 33
    # when
    for milestone in milestones[1:]:
        services.milestone_complete(
            actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
        )
    # then
    assert Goal.objects.get().progress == 100
    # when
    services.milestone_reopen(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestones[2].pk
    )
    # then
    assert Goal.objects.get().progress == 66
    assert Milestone.objects.get(pk=milestones[2].pk).done_by is None


def test_completing_a_milestone_is_celebrated_to_both(pair):
    # given
    goal = _goal(pair, title="Speak up")
    rid = pair.relationship.pk
    milestone = services.milestone_create(
        actor=pair.mentee,
        relationship_id=rid,
        goal_id=goal.pk,
        title="Ask one question",
        due_on=in_days(7),
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    # when
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
    )
    # then
    milestone.refresh_from_db()
    assert milestone.done_by == pair.mentee
    assert milestone.done_at is not None
    assert sorted(Notification.objects.values_list("user", "title")) == sorted(
        [
            (pair.mentor.pk, "🎉 Milestone reached: Ask one question"),
            (pair.mentee.pk, "🎉 Milestone reached: Ask one question"),
        ]
    )
    assert _events(pair)[-1][0] == "milestone_completed"
    assert _changes(goal)[-1] == (pair.mentee.email, "milestone_done", "Ask one question", "", "")


def test_a_milestone_is_celebrated_once(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Once"
    )
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
    )
    before = _state()
    # when
    with pytest.raises(Conflict):
        services.milestone_complete(
            actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
        )
    # then
    assert _state() == before


def test_the_mentor_does_not_tick_milestones(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Mine"
    )
    before = _state()
    # when
    with pytest.raises(Forbidden) as caught:
        services.milestone_complete(
            actor=pair.mentor, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
        )
    # then
    assert "Only the mentee ticks off their milestones" in caught.value.detail
    assert _state() == before


def test_achieving_a_goal_is_celebrated_to_both_and_reopen_undoes_it(pair):
    # given
    goal = _goal(pair, title="Speak up")
    rid = pair.relationship.pk
    Notification.objects.all().delete()
    # when
    services.goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    # then
    goal.refresh_from_db()
    assert (goal.status, goal.progress) == ("achieved", 100)
    assert goal.achieved_at is not None
    assert sorted(Notification.objects.values_list("user", "title")) == sorted(
        [
            (pair.mentor.pk, "🎉 Goal achieved: Speak up"),
            (pair.mentee.pk, "🎉 Goal achieved: Speak up"),
        ]
    )
    assert _events(pair)[-1][0] == "goal_completed"
    assert len(mail.outbox) == 0 or all("Goal achieved" in m.subject for m in mail.outbox)
    # when
    services.goal_reopen(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    # then
    goal.refresh_from_db()
    assert (goal.status, goal.achieved_at) == ("active", None)
    assert [c[1:] for c in _changes(goal)[1:]] == [
        ("status", "", "active", "achieved"),
        ("status", "", "achieved", "active"),
    ]


def test_status_actions_refuse_the_wrong_state(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    services.goal_drop(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    before = _state()
    # when
    with pytest.raises(Conflict) as caught:
        services.goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    # then
    assert caught.value.detail == "This goal is dropped, so it cannot be achieved."
    assert _state() == before
    with pytest.raises(Conflict) as caught:
        services.milestone_create(
            actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="x"
        )
    assert caught.value.detail == "This goal is dropped: reopen it before you add milestones."


def test_milestone_due_date_rules(pair):
    # given
    goal = _goal(pair, target_on=in_days(30))
    rid = pair.relationship.pk
    before = _state()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.milestone_create(
            actor=pair.mentee,
            relationship_id=rid,
            goal_id=goal.pk,
            title="Late",
            due_on=in_days(31),
        )
    # then
    target = in_days(30)
    assert caught.value.errors[0].field == "due_on"
    assert caught.value.detail == (
        f"A milestone is due by the goal's target date ({target.day} {target:%b %Y})."
    )
    assert _state() == before


def test_milestone_edit_and_remove_are_in_the_history(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Draft", due_on=in_days(5)
    )
    # when
    services.milestone_update(
        actor=pair.mentee,
        relationship_id=rid,
        goal_id=goal.pk,
        milestone_id=milestone.pk,
        title="First draft",
        due_on=None,
    )
    services.milestone_delete(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
    )
    # then
    assert not Milestone.objects.exists()
    assert [c[1:] for c in _changes(goal)[1:]] == [
        ("milestone_added", "Draft", "", in_days(5).isoformat()),
        ("milestone_title", "Draft", "Draft", "First draft"),
        ("milestone_due_on", "Draft", in_days(5).isoformat(), ""),
        ("milestone_removed", "First draft", "", ""),
    ]


def test_both_comment_and_the_other_is_told(pair):
    # given
    goal = _goal(pair)
    rid = pair.relationship.pk
    Notification.objects.all().delete()
    # when
    services.goal_comment_create(
        actor=pair.mentor, relationship_id=rid, goal_id=goal.pk, body=" Nice "
    )
    services.goal_comment_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, body="Thanks"
    )
    # then
    assert list(GoalComment.objects.order_by("id").values_list("author", "body")) == [
        (pair.mentor.pk, "Nice"),
        (pair.mentee.pk, "Thanks"),
    ]
    assert list(Notification.objects.order_by("id").values_list("user", "body")) == [
        (
            pair.mentee.pk,
            f"{pair.mentor.get_full_name()} commented on the goal “Lead a team meeting”.",
        ),
        (
            pair.mentor.pk,
            f"{pair.mentee.get_full_name()} commented on the goal “Lead a team meeting”.",
        ),
    ]


# --- selectors ---------------------------------------------------------------------------


def test_goals_panel_next_items(pair, django_assert_max_num_queries):
    # given
    rid = pair.relationship.pk
    mentee_access = relationship_access(actor=pair.mentee, relationship_id=rid)
    assert selectors.goals_panel(access=mentee_access)["next_items"] == [
        {
            "text": "Set your first goal",
            "url": f"/relationships/{rid}/goals/",
            "due": None,
            "overdue": False,
        }
    ]
    goal = _goal(pair, title="Speak up")
    services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Soon", due_on=in_days(3)
    )
    services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Later", due_on=in_days(40)
    )
    overdue = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Overdue", due_on=in_days(1)
    )
    Milestone.objects.filter(pk=overdue.pk).update(due_on=in_days(-2))
    mentor_access = relationship_access(actor=pair.mentor, relationship_id=rid)
    # when
    with django_assert_max_num_queries(3):
        panel = selectors.goals_panel(access=mentor_access)
    # then
    url = f"/relationships/{rid}/goals/#goal-{goal.pk}"
    assert panel["next_items"] == [
        {
            "text": f"Milestone Overdue due {in_days(-2).day} {in_days(-2):%b}",
            "url": url,
            "due": in_days(-2),
            "overdue": True,
        },
        {
            "text": f"Milestone Soon due {in_days(3).day} {in_days(3):%b}",
            "url": url,
            "due": in_days(3),
            "overdue": False,
        },
    ]
    assert (panel["active_count"], panel["achieved_count"], [g.title for g in panel["goals"]]) == (
        1,
        0,
        ["Speak up"],
    )


def test_goal_progress_by_relationship_averages_active_and_achieved(
    pair, django_assert_num_queries
):
    # given
    rid = pair.relationship.pk
    half = _goal(pair, title="Half")
    for title in ("a", "b"):
        services.milestone_create(
            actor=pair.mentee, relationship_id=rid, goal_id=half.pk, title=title
        )
    first = Milestone.objects.filter(goal=half).order_by("id").first()
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=half.pk, milestone_id=first.pk
    )
    achieved = _goal(pair, title="Done")
    services.goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=achieved.pk)
    manual = _goal(pair, title="Manual", progress_mode="manual", manual_progress=20)
    dropped = _goal(pair, title="Dropped")
    services.goal_drop(actor=pair.mentee, relationship_id=rid, goal_id=dropped.pk)
    assert manual.progress == 20
    # when
    with django_assert_num_queries(1):
        progress = selectors.goal_progress_by_relationship(
            relationship_ids=[rid, pair.other_relationship.pk]
        )
    # then: (50 + 100 + 20) / 3
    assert progress == {rid: 57}


def test_celebrations_list_recent_milestones_and_goals(pair):
    # given
    rid = pair.relationship.pk
    goal = _goal(pair, title="Speak up")
    milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, title="Ask"
    )
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=goal.pk, milestone_id=milestone.pk
    )
    services.goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=goal.pk)
    access = relationship_access(actor=pair.mentor, relationship_id=rid)
    # when
    found = selectors.celebrations(goals=list(selectors.goal_list(access=access)))
    # then
    assert [c.text for c in found] == [
        "Goal achieved: Speak up",
        "Milestone reached: Ask (Speak up)",
    ]
    # when the milestone is old
    Milestone.objects.update(done_at=timezone.now() - datetime.timedelta(days=30))
    found = selectors.celebrations(goals=list(selectors.goal_list(access=access)))
    # then
    assert [c.text for c in found] == ["Goal achieved: Speak up"]
    assert Relationship.objects.get(pk=rid).last_activity_at is not None
