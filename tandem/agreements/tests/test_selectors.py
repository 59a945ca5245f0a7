from tandem.agreements.models import Agreement
from tandem.agreements.selectors import agreement_panel, agreement_signed_relationship_ids
from tandem.agreements.services import agreement_sign
from tandem.agreements.tests.factories import fill_in, sign_by_both
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition


def _panel(pair, user):
    return agreement_panel(
        access=relationship_access(actor=user, relationship_id=pair.relationship.pk)
    )


def test_panel_before_the_agreement_exists_asks_to_sign_and_creates_nothing(
    pair, django_assert_max_num_queries
):
    # given
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    url = f"/relationships/{pair.relationship.pk}/agreement/"
    # when
    with django_assert_max_num_queries(3):
        panel = agreement_panel(access=access)
    # then
    assert panel == {
        "status": "draft",
        "status_label": "Draft",
        "version": 1,
        "signed_by_me": False,
        "partner_signed": False,
        "url": url,
        "next_items": [
            {
                "text": "Sign the agreement",
                "url": url,
                "due": None,
                "overdue": False,
                "concern": "agreement_signed",
            }
        ],
    }
    assert Agreement.objects.count() == 0


def test_panel_after_my_signature_waits_for_the_partner(pair, django_assert_max_num_queries):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    access = relationship_access(actor=pair.mentor, relationship_id=pair.relationship.pk)
    # when
    with django_assert_max_num_queries(3):
        panel = agreement_panel(access=access)
    # then
    assert panel["status"] == "awaiting_partner"
    assert (panel["signed_by_me"], panel["partner_signed"], panel["version"]) == (True, False, 2)
    assert [item["text"] for item in panel["next_items"]] == [
        f"Waiting for {pair.mentee} to sign the agreement"
    ]
    # and the partner is asked to sign
    assert [item["text"] for item in _panel(pair, pair.mentee)["next_items"]] == [
        "Sign the agreement"
    ]


def test_panel_when_signed_has_nothing_next(pair):
    # given
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    # when
    panel = _panel(pair, pair.mentee)
    # then
    assert (panel["status"], panel["status_label"]) == ("signed", "Signed by both")
    assert panel["next_items"] == []


def test_panel_of_a_closed_relationship_asks_nothing(pair):
    # given
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # when / then
    assert _panel(pair, pair.mentee)["next_items"] == []


def test_signed_relationship_ids_counts_the_current_version_only(pair, django_assert_num_queries):
    # given: the pair signed, the other pair signed then edited (no longer signed)
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    sign_by_both(pair.other_relationship, mentor=pair.other_mentor, mentee=pair.other_mentee)
    fill_in(pair.other_relationship, by=pair.other_mentee, version=2, boundaries="Changed.")
    ids = [pair.relationship.pk, pair.other_relationship.pk, 999]
    # when
    with django_assert_num_queries(1):
        signed = agreement_signed_relationship_ids(relationship_ids=ids)
    # then
    assert signed == {pair.relationship.pk}
    assert agreement_signed_relationship_ids(relationship_ids=[]) == set()
