import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from tandem.feedback import selectors
from tandem.feedback.models import Feedback
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import relationship_access


def test_panel_counts_and_no_nudge_early_on(pair, django_assert_max_num_queries):
    # given
    MentorFeedbackFactory(relationship=pair.relationship)
    MenteeFeedbackFactory(relationship=pair.relationship)
    MenteeFeedbackFactory(relationship=pair.relationship)
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(1):
        panel = selectors.feedback_panel(access=access)
    # then
    assert (panel["given"], panel["received"], panel["next_items"]) == (1, 2, [])
    assert panel["url"] == f"/relationships/{pair.relationship.pk}/feedback/"


def test_panel_suggests_feedback_after_three_months_without(pair):
    # given
    long_ago = timezone.now() - datetime.timedelta(days=100)
    Relationship.objects.filter(pk=pair.relationship.pk).update(activated_at=long_ago)
    old = MenteeFeedbackFactory(relationship=pair.relationship)
    Feedback.objects.filter(pk=old.pk).update(created_at=long_ago)
    mentor = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    mentee = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    for_mentor = selectors.feedback_panel(access=mentor)["next_items"]
    for_mentee = selectors.feedback_panel(access=mentee)["next_items"]
    # then
    url = f"/relationships/{pair.relationship.pk}/feedback/"
    assert for_mentor == [
        {
            "text": f"Give {pair.mentee.get_short_name()} feedback",
            "url": url,
            "due": None,
            "overdue": False,
        }
    ]
    assert for_mentee == [
        {
            "text": f"Tell {pair.mentor.get_short_name()} how the mentoring is going",
            "url": url,
            "due": None,
            "overdue": False,
        }
    ]


def test_panel_template_renders_a_card(pair):
    # given
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    html = render_to_string(
        "feedback/_panel.html",
        {
            "panel": selectors.feedback_panel(access=access),
            "access": access,
            "relationship": pair.relationship,
        },
    )
    # then
    assert '<section class="card' in html
    assert f'href="/relationships/{pair.relationship.pk}/feedback/"' in html
