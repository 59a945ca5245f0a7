import datetime

from django.utils import timezone

from tandem.actions import selectors
from tandem.actions.models import ActionItem
from tandem.actions.tests.factories import ActionItemFactory
from tandem.relationships.permissions import relationship_access

TODAY = datetime.date(2030, 5, 10)


def _close(item, status="done"):
    ActionItem.objects.filter(pk=item.pk).update(status=status, closed_at=timezone.now())


def test_list_open_is_by_due_date_with_undated_last(pair):
    # given
    undated = ActionItemFactory(relationship=pair.relationship)
    later = ActionItemFactory(relationship=pair.relationship, due_on=TODAY)
    sooner = ActionItemFactory(
        relationship=pair.relationship, due_on=TODAY - datetime.timedelta(days=5)
    )
    _close(ActionItemFactory(relationship=pair.relationship, due_on=TODAY))
    ActionItemFactory(relationship=pair.other_relationship)
    # when
    items = selectors.action_item_list_open(relationship=pair.relationship)
    # then
    assert [item.pk for item in items] == [sooner.pk, later.pk, undated.pk]


def test_list_overdue_is_open_and_due_before_today(pair):
    # given
    overdue = ActionItemFactory(
        relationship=pair.relationship, due_on=TODAY - datetime.timedelta(days=1)
    )
    ActionItemFactory(relationship=pair.relationship, due_on=TODAY)
    _close(
        ActionItemFactory(relationship=pair.relationship, due_on=TODAY - datetime.timedelta(days=9))
    )
    # when
    items = selectors.action_item_list_overdue(relationship=pair.relationship, today=TODAY)
    # then
    assert [item.pk for item in items] == [overdue.pk]


def test_panel_lists_next_items_with_overdue_flags(pair, django_assert_max_num_queries):
    # given
    today = timezone.localdate()
    late = ActionItemFactory(
        relationship=pair.relationship, title="Late", due_on=today - datetime.timedelta(days=2)
    )
    soon = ActionItemFactory(
        relationship=pair.relationship, title="Soon", due_on=today + datetime.timedelta(days=2)
    )
    _close(ActionItemFactory(relationship=pair.relationship))
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(3):
        panel = selectors.actions_panel(access=access)
    # then
    url = f"/relationships/{pair.relationship.pk}/actions/"
    assert panel["next_items"] == [
        {
            "text": f"Late ({pair.mentee.get_short_name()})",
            "url": f"{url}#action-{late.pk}",
            "due": late.due_on,
            "overdue": True,
        },
        {
            "text": f"Soon ({pair.mentee.get_short_name()})",
            "url": f"{url}#action-{soon.pk}",
            "due": soon.due_on,
            "overdue": False,
        },
    ]
    assert (panel["open_count"], panel["overdue_count"], panel["done_count"]) == (2, 1, 1)


def test_panel_query_count_does_not_grow(pair, django_assert_max_num_queries):
    # given
    for _ in range(10):
        ActionItemFactory(relationship=pair.relationship)
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(3):
        panel = selectors.actions_panel(access=access)
    # then
    assert len(panel["next_items"]) == 10
    assert len(panel["open_items"]) == selectors.PANEL_ITEMS


def test_panel_template_renders_a_card(pair):
    from django.template.loader import render_to_string

    # given
    ActionItemFactory(relationship=pair.relationship, title="Try the technique")
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    html = render_to_string(
        "actions/_panel.html",
        {
            "panel": selectors.actions_panel(access=access),
            "access": access,
            "relationship": pair.relationship,
        },
    )
    # then
    assert '<section class="card' in html
    assert "Try the technique" in html
    assert f'href="/relationships/{pair.relationship.pk}/actions/"' in html


def test_counts_by_relationship_in_one_query(pair, django_assert_num_queries):
    # given
    ActionItemFactory(relationship=pair.relationship, due_on=TODAY - datetime.timedelta(days=1))
    ActionItemFactory(relationship=pair.relationship)
    _close(ActionItemFactory(relationship=pair.relationship))
    _close(ActionItemFactory(relationship=pair.relationship), status="not_done")
    # when
    with django_assert_num_queries(1):
        counts = selectors.action_counts_by_relationship(
            relationship_ids=[pair.relationship.pk, pair.other_relationship.pk], today=TODAY
        )
    # then
    assert counts == {
        pair.relationship.pk: {"open": 2, "overdue": 1, "done": 1},
        pair.other_relationship.pk: {"open": 0, "overdue": 0, "done": 0},
    }
