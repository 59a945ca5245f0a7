import datetime

from django.utils import timezone

from tandem.accounts.services import organization_settings_update
from tandem.assessments import selectors, services
from tandem.assessments.models import Competency
from tandem.assessments.tests.conftest import take
from tandem.assessments.tests.factories import age_answers, close, set_dates
from tandem.core.aggregates import current_period, period_end
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import relationship_access


def _access(pair, user):
    return relationship_access(actor=user, relationship_id=pair.relationship.pk)


def test_overview_shows_my_growth_and_not_my_partners_private_answers(pair):
    # given
    take(pair.relationship, pair.mentee, "start", 2)
    take(pair.relationship, pair.mentor, "start", 4)
    set_dates(pair.relationship, started_days_ago=300, duration_days=365)
    take(Relationship.objects.get(pk=pair.relationship.pk), pair.mentee, "end", 5)
    # when
    overview = selectors.assessment_overview(access=_access(pair, pair.mentee))
    # then
    assert [row.competency.key for row in overview.rows][:6] == [
        "communication",
        "active_listening",
        "empathy",
        "giving_feedback",
        "receiving_feedback",
        "goal_setting",
    ]
    assert {(row.start, row.end, row.growth) for row in overview.rows} == {(2, 5, 3)}
    assert overview.partner == {"start": None, "end": None}
    assert {(row.start, row.end) for row in overview.partner_rows} == {(None, None)}
    assert overview.due is None  # start and end both taken


def test_overview_shows_the_partners_shared_moment_only(pair):
    # given
    take(pair.relationship, pair.mentor, "start", 4)
    services.assessment_share(
        actor=pair.mentor, relationship_id=pair.relationship.pk, moment="start"
    )
    # when
    overview = selectors.assessment_overview(access=_access(pair, pair.mentee))
    # then
    assert overview.partner["start"] is not None
    assert set(overview.partner["start"].scores.values()) == {4}
    assert overview.partner["end"] is None
    assert overview.mine == {"start": None, "end": None}
    assert overview.due == "start"


def test_overview_costs_three_queries(pair, django_assert_max_num_queries):
    take(pair.relationship, pair.mentee, "start", 2)
    access = _access(pair, pair.mentee)
    with django_assert_max_num_queries(3):
        selectors.assessment_overview(access=access)


def test_panel_prompts_the_start_in_the_first_30_days(pair, django_assert_max_num_queries):
    # given
    access = _access(pair, pair.mentee)
    # when
    with django_assert_max_num_queries(1):
        panel = selectors.assessments_panel(access=access)
    # then
    url = f"/relationships/{pair.relationship.pk}/assessment/"
    assert panel["next_items"] == [
        {
            "text": "Take your starting self-assessment",
            "url": url,
            "due": timezone.localdate() + datetime.timedelta(days=30),
            "overdue": False,
        }
    ]
    assert (panel["took_start"], panel["start_open"], panel["end_open"]) == (False, True, False)


def test_panel_stops_prompting_the_start_after_30_days_or_once_taken(pair):
    # given
    set_dates(pair.relationship, started_days_ago=31, duration_days=365)
    # then
    assert selectors.assessments_panel(access=_access(pair, pair.mentee))["next_items"] == []
    # given taken early instead
    set_dates(pair.relationship, started_days_ago=3, duration_days=365)
    take(Relationship.objects.get(pk=pair.relationship.pk), pair.mentee, "start", 3)
    # then
    panel = selectors.assessments_panel(access=_access(pair, pair.mentee))
    assert panel["next_items"] == []
    assert panel["took_start"] is True


def test_panel_prompts_the_end_in_the_last_fifth_and_shows_shared(pair):
    # given
    take(pair.relationship, pair.mentor, "start", 3)
    services.assessment_share(
        actor=pair.mentor, relationship_id=pair.relationship.pk, moment="start"
    )
    set_dates(pair.relationship, started_days_ago=300, duration_days=365)
    # when
    panel = selectors.assessments_panel(access=_access(pair, pair.mentee))
    # then
    assert [item["text"] for item in panel["next_items"]] == ["Take your closing self-assessment"]
    assert panel["next_items"][0]["due"] == timezone.localdate() + datetime.timedelta(days=65)
    assert panel["partner_shared"] == ["start"]


def test_panel_prompts_the_end_after_completion(pair):
    close(pair.relationship, days_ago=5)
    panel = selectors.assessments_panel(access=_access(pair, pair.mentee))
    assert [item["text"] for item in panel["next_items"]] == ["Take your closing self-assessment"]


def test_programme_summary_is_averages_over_enough_people(
    cohort, pair, django_assert_max_num_queries
):
    # when (last month: 8 people started, 4 at 2 and 4 at 3; 4 people ended, 2 at 4, 2 at 5)
    with django_assert_max_num_queries(3):
        summary = selectors.assessment_program_summary(program=pair.cast.program)
    # then the starts are published; the ends, four people, are fewer than five
    assert len(summary.rows) == 7
    assert summary.rows[-1].competency == cohort.own
    assert summary.min_group == 5
    for row in summary.rows:
        assert (row.start_people, row.average_start, row.end_people, row.average_end) == (
            8,
            2.5,
            0,
            None,
        )
        assert row.change is None
    assert (summary.start_count, summary.end_count) == (8, 0)
    assert (summary.people_with_both, summary.pairs_with_both) == (0, 0)
    assert summary.published_through == period_end(current_period() - datetime.timedelta(days=1))


def _with_minimum_group(cast, size: int) -> Program:
    """Set the organisation's minimum group as its admin does; the programme as pages load it."""
    organization_settings_update(
        actor=cast.admin, organization=cast.org, aggregate_min_group_size=size
    )
    return program_access(actor=cast.manager, program_id=cast.program.pk, manage=True)


def test_programme_summary_with_a_minimum_group_of_three(cohort, pair):
    # given the organisation's minimum group is configured to three
    program = _with_minimum_group(pair.cast, 3)
    # when
    summary = selectors.assessment_program_summary(program=program)
    # then the four ends and the four people who took both are published too (the two pairs
    # who took both are fewer than three pairs)
    assert summary.min_group == 3
    assert {
        (row.start_people, row.average_start, row.end_people, row.average_end, row.change)
        for row in summary.rows
    } == {(8, 2.5, 4, 4.5, 2.0)}
    assert (summary.start_count, summary.end_count) == (8, 4)
    assert (summary.people_with_both, summary.pairs_with_both) == (4, 0)


def test_programme_summary_withholds_what_fewer_than_the_minimum_group_answered(pair):
    # given only the pair took the start, the mentee also the end, last month, and even a
    # minimum group of three
    program = _with_minimum_group(pair.cast, 3)
    take(pair.relationship, pair.mentor, "start", 1)
    take(pair.relationship, pair.mentee, "start", 5)
    set_dates(pair.relationship, started_days_ago=300, duration_days=365)
    take(Relationship.objects.get(pk=pair.relationship.pk), pair.mentee, "end", 4)
    age_answers()
    # when
    summary = selectors.assessment_program_summary(program=program)
    # then
    assert {
        (r.start_people, r.average_start, r.end_people, r.average_end) for r in summary.rows
    } == {(0, None, 0, None)}
    assert (summary.start_count, summary.end_count) == (0, 0)
    assert (summary.people_with_both, summary.pairs_with_both) == (0, 0)
    assert summary.published_through is None


def test_due_relationship_ids(cohort, pair, cast):
    now = timezone.now()
    # then: every cohort relationship has both starts in, so none is due a start
    assert selectors.assessment_due_relationship_ids(moment="start", now=now) == set()
    # the first two have both ends in; the last two are early (not in the closing window)
    assert selectors.assessment_due_relationship_ids(moment="end", now=now) == set()
    # given the third moves into its last fifth and the fourth completes
    third, fourth = cohort.relationships[2], cohort.relationships[3]
    set_dates(third, started_days_ago=300, duration_days=365)
    close(fourth, days_ago=3)
    # then
    assert selectors.assessment_due_relationship_ids(moment="end", now=now) == {
        third.pk,
        fourth.pk,
    }


def test_due_start_ids_include_new_and_proposed_relationships(pair, cast):
    # given
    now = timezone.now()
    # then both active pairs are new and owe the start
    assert selectors.assessment_due_relationship_ids(moment="start", now=now) == {
        pair.relationship.pk,
        pair.other_relationship.pk,
    }
    # given one person of the pair took it, the other is still due; then 31 days pass
    take(pair.relationship, pair.mentee, "start", 3)
    set_dates(pair.other_relationship, started_days_ago=31, duration_days=365)
    assert selectors.assessment_due_relationship_ids(moment="start", now=now) == {
        pair.relationship.pk
    }


def test_competency_list_puts_builtins_first_and_skips_inactive(cast):
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="A first", description="x"
    )
    keys = [c.key for c in selectors.competency_list_for_program(program=cast.program)]
    assert keys[-1] == own.key
    assert len(keys) == 7
    Competency.objects.filter(pk=own.pk).update(is_active=False)
    assert len(selectors.competency_list_for_program(program=cast.program)) == 6
