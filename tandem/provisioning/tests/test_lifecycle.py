"""person_deactivate / person_reactivate: who may, what they change, and what they leave."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from conftest import ACTOR_NAMES, Cast, Pair, start_relationship
from tandem.accounts.models import ApiToken, Role
from tandem.accounts.services import api_token_authenticate, api_token_create
from tandem.accounts.tests.factories import UserFactory
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.participants.tests.factories import ParticipantFactory
from tandem.provisioning.actors import Provisioner
from tandem.provisioning.lifecycle import person_deactivate, person_reactivate
from tandem.provisioning.models import PersonDeactivation
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.services import relationship_propose, relationship_transition


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_deactivation_pauses_signs_out_and_tells_partner_and_manager(pair: Pair) -> None:
    # given the mentee has a session, an API token and an active relationship
    cast = pair.cast
    browser = Client()
    browser.force_login(cast.mentee)
    _, raw = api_token_create(user=cast.mentee, name="script")
    Notification.objects.all().delete()

    # when the admin deactivates them
    record = person_deactivate(actor=cast.admin, user=cast.mentee, reason="Left the company")

    # then they are signed out everywhere and their token is revoked
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is False
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(cast.mentee.pk)
    ]
    assert browser.get("/").status_code == 302
    assert api_token_authenticate(raw_token=raw) is None
    assert not ApiToken.objects.filter(user=cast.mentee, revoked_at__isnull=True).exists()
    # and the relationship is paused, not ended, and kept on the record
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED
    assert list(record.paused.all()) == [pair.relationship]
    assert record.reason == "Left the company"
    assert record.deactivated_by == cast.admin
    # and the partner and the programme's manager are told, without the HR reason
    assert _titles(cast.mentor) == ["Your mentoring relationship is now paused"]
    assert _titles(cast.manager) == [f"{cast.mentee.display_name} was deactivated"]
    manager_note = Notification.objects.get(user=cast.manager)
    assert "paused" in manager_note.body
    assert "Left the company" not in manager_note.body
    assert not Notification.objects.filter(body__contains="Left the company").exists()
    # and the other pair is untouched
    pair.other_relationship.refresh_from_db()
    assert pair.other_relationship.status == RelationshipStatus.ACTIVE


def test_deactivation_ends_a_proposed_relationship_and_frees_the_places(cast: Cast) -> None:
    # given a proposed (not started) relationship
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )

    # when the identity provider deactivates the mentor
    provisioner = Provisioner(organization_id=cast.org.pk, token_id=1, token_name="Okta")
    record = person_deactivate(actor=provisioner, user=cast.mentor, reason="Gone")

    # then the proposal is ended (nothing to resume), and the places are free again
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED
    assert list(record.paused.all()) == []
    assert record.deactivated_by is None
    assert record.deactivated_via == "identity provider (SCIM token 'Okta')"
    cast.mentor_participant.refresh_from_db()
    assert cast.mentor_participant.matched_count == 0


def test_reactivation_resumes_what_the_deactivation_paused(pair: Pair) -> None:
    # given a deactivated mentee whose relationship was paused by it
    cast = pair.cast
    record = person_deactivate(actor=cast.admin, user=cast.mentee, reason="Long leave")
    Notification.objects.all().delete()

    # when they are reactivated
    closed = person_reactivate(actor=cast.admin, user=cast.mentee)

    # then they can sign in again, the relationship is active, and people are told
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is True
    assert closed is not None
    assert closed.pk == record.pk
    assert closed.reactivated_at is not None
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.ACTIVE
    assert _titles(cast.mentor) == ["Your mentoring relationship is now active"]
    assert _titles(cast.manager) == [f"{cast.mentee.display_name} was reactivated"]
    # and the history keeps the deactivation
    assert PersonDeactivation.objects.filter(user=cast.mentee).count() == 1


def test_reactivation_leaves_paused_when_the_partner_is_deactivated_and_tells_manager(
    pair: Pair,
) -> None:
    # given both people of a pair deactivated, the mentee first (who paused it)
    cast = pair.cast
    person_deactivate(actor=cast.admin, user=cast.mentee, reason="Leave")
    person_deactivate(actor=cast.admin, user=cast.mentor, reason="Leave")
    Notification.objects.all().delete()

    # when only the mentee comes back
    person_reactivate(actor=cast.admin, user=cast.mentee)

    # then the relationship stays paused and the manager is told what to decide
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED
    note = Notification.objects.get(user=cast.manager)
    assert "still paused" in note.body
    assert cast.mentor.display_name in note.body


def test_a_relationship_ended_meanwhile_is_not_resumed(pair: Pair) -> None:
    cast = pair.cast
    person_deactivate(actor=cast.admin, user=cast.mentee, reason="Leave")
    relationship_transition(
        actor=cast.manager, relationship_id=pair.relationship.pk, action="end", reason="Over"
    )

    person_reactivate(actor=cast.admin, user=cast.mentee)

    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.ENDED


def test_deactivating_twice_changes_nothing_more(pair: Pair) -> None:
    cast = pair.cast
    first = person_deactivate(actor=cast.admin, user=cast.mentee, reason="Leave")
    count = Notification.objects.count()

    second = person_deactivate(actor=cast.admin, user=cast.mentee, reason="Again")

    assert second.pk == first.pk
    assert second.reason == "Leave"
    assert Notification.objects.count() == count


def test_reactivating_an_active_person_changes_nothing(cast: Cast) -> None:
    assert person_reactivate(actor=cast.admin, user=cast.member) is None
    cast.member.refresh_from_db()
    assert cast.member.is_active is True
    assert not PersonDeactivation.objects.exists()


@pytest.mark.parametrize("name", [n for n in ACTOR_NAMES if n not in ("admin", "anonymous")])
def test_only_the_organisations_admins_deactivate(pair: Pair, name: str) -> None:
    # given someone who is not an admin of the person's organisation
    actor = pair.cast.by_name(name)
    assert actor is not None

    # when they try, then it is NotFound and nothing changed
    with pytest.raises(NotFound):
        person_deactivate(actor=actor, user=pair.cast.mentee, reason="No")
    with pytest.raises(NotFound):
        person_reactivate(actor=actor, user=pair.cast.mentee)
    pair.cast.mentee.refresh_from_db()
    pair.relationship.refresh_from_db()
    assert pair.cast.mentee.is_active is True
    assert pair.relationship.status == RelationshipStatus.ACTIVE
    assert not PersonDeactivation.objects.exists()


def test_another_organisations_token_cannot_deactivate(cast: Cast) -> None:
    provisioner = Provisioner(organization_id=cast.other_org.pk, token_id=1, token_name="x")

    with pytest.raises(NotFound):
        person_deactivate(actor=provisioner, user=cast.mentee, reason="No")

    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is True


def test_the_last_admin_and_oneself_cannot_be_deactivated(cast: Cast) -> None:
    provisioner = Provisioner(organization_id=cast.org.pk, token_id=1, token_name="x")
    with pytest.raises(Conflict, match="last active admin"):
        person_deactivate(actor=provisioner, user=cast.admin, reason="No")
    second_admin = UserFactory(organization=cast.org, role=Role.ORG_ADMIN)
    with pytest.raises(Conflict, match="yourself"):
        person_deactivate(actor=second_admin, user=second_admin, reason="No")
    cast.admin.refresh_from_db()
    assert cast.admin.is_active is True


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_reason_is_required_and_bounded(cast: Cast, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        person_deactivate(actor=cast.admin, user=cast.mentee, reason=reason)
    assert caught.value.errors[0].field == "reason"
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is True


def test_every_active_relationship_of_the_person_is_paused(cast: Cast) -> None:
    # given the mentor leads two pairs
    second_mentee = UserFactory(organization=cast.org)
    second = ParticipantFactory(program=cast.program, user=second_mentee)
    first_pair = start_relationship(cast.mentor_participant, cast.mentee_participant)
    second_pair = start_relationship(cast.mentor_participant, second)

    record = person_deactivate(actor=cast.admin, user=cast.mentor, reason="Leave")

    assert sorted(r.pk for r in record.paused.all()) == sorted([first_pair.pk, second_pair.pk])
    assert set(
        Relationship.objects.filter(pk__in=[first_pair.pk, second_pair.pk]).values_list(
            "status", flat=True
        )
    ) == {RelationshipStatus.PAUSED}


@pytest.mark.parametrize("by", ["admin", "scim_token"])
def test_deactivation_owes_the_organisations_webhooks_one_event_without_the_reason(
    pair: Pair, by: str
) -> None:
    # given an endpoint of the organisation and one of another, both subscribed
    from tandem.webhooks.models import WebhookDelivery
    from tandem.webhooks.tests.factories import endpoint_for

    cast = pair.cast
    mine, _ = endpoint_for(cast.admin, "https://hooks.northwind.example/people")
    other_admin = UserFactory(organization=cast.other_org, role=Role.ORG_ADMIN)
    theirs, _ = endpoint_for(other_admin, "https://hooks.elsewhere.example/people")
    actor = (
        cast.admin
        if by == "admin"
        else Provisioner(organization_id=cast.org.pk, token_id=1, token_name="Okta")
    )
    # when the person is deactivated, then again
    person_deactivate(actor=actor, user=cast.mentee, reason="Redundancy zqprivatereason")
    person_deactivate(actor=actor, user=cast.mentee, reason="Again")
    # then exactly one event, to the organisation's endpoint, naming the person, not why
    owed = WebhookDelivery.objects.filter(event_type="person.deactivated")
    assert [row.endpoint_id for row in owed] == [mine.pk]
    assert theirs.pk not in {row.endpoint_id for row in owed}
    body = owed.get().body
    assert cast.mentee.email in body
    assert "zqprivatereason" not in body.lower()
    assert "redundancy" not in body.lower()
