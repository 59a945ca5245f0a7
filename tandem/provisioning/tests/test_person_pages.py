"""The admin's deactivate/reactivate pages and the directory's bulk deactivate: who may, what
the confirm page says, and that confirming runs the one lifecycle (signed out, tokens revoked,
pairs paused or ended, partners and managers told)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import ACTOR_NAMES, Cast, Pair
from tandem.accounts.models import ApiToken
from tandem.accounts.services import api_token_create
from tandem.notifications.models import Notification
from tandem.provisioning.models import PersonDeactivation
from tandem.relationships.models import RelationshipStatus


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _sessions_of(user) -> list[Session]:  # type: ignore[no-untyped-def]
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


PAGES = ["provisioning:person_deactivate", "provisioning:person_reactivate"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_only_the_organisations_admins_reach_the_lifecycle_pages(
    cast: Cast, actor_name: str, page: str
) -> None:
    # given a person of the organisation and each kind of caller
    actor = cast.by_name(actor_name)
    url = reverse(page, args=[cast.mentee.pk])

    # when each opens the page and tries to confirm it
    opened = _client(actor).get(url)
    confirmed = _client(actor).post(url, {"reason": "Left"})

    # then only the organisation's admin gets in; nobody else changes anything
    if actor is None:
        assert opened.status_code == 302
        assert "/login" in opened["Location"]
        assert confirmed.status_code == 302
        assert "/login" in confirmed["Location"]
    elif actor == cast.admin:
        assert opened.status_code == 200
        return
    else:
        assert (opened.status_code, confirmed.status_code) == (404, 404)
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is True
    assert not PersonDeactivation.objects.exists()


def test_confirm_page_says_which_pairs_pause_or_end_and_who_is_told(pair: Pair) -> None:
    # given the mentee has an active pair, a proposed one and an API token
    cast = pair.cast
    api_token_create(user=cast.mentee, name="script")

    # when the admin opens the deactivate page
    response = _client(cast.admin).get(
        reverse("provisioning:person_deactivate", args=[cast.mentee.pk])
    )

    # then it lists the effects before anything happens
    preview = response.context["preview"]
    assert [(p.partner, p.becomes) for p in preview.pairs] == [(cast.mentor.display_name, "paused")]
    assert preview.managers_told == [cast.manager.display_name]
    assert preview.tokens_revoked == 1
    body = response.content.decode()
    assert f"With {cast.mentor.display_name} in {cast.program.name}: paused" in body
    assert cast.mentee.is_active is True
    assert not PersonDeactivation.objects.exists()


def test_confirming_deactivates_through_the_lifecycle_and_reactivating_resumes(
    pair: Pair,
) -> None:
    # given the mentee is signed in somewhere and holds a token
    cast = pair.cast
    _client(cast.mentee)
    api_token_create(user=cast.mentee, name="script")
    Notification.objects.all().delete()
    admin = _client(cast.admin)

    # when the admin confirms without a reason, then with one
    url = reverse("provisioning:person_deactivate", args=[cast.mentee.pk])
    refused = admin.post(url, {"reason": "  "})
    done = admin.post(url, {"reason": "Left the company"})

    # then the blank reason changed nothing, and the confirmed one did it all
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert done.status_code == 302
    cast.mentee.refresh_from_db()
    assert cast.mentee.is_active is False
    assert _sessions_of(cast.mentee) == []
    assert not ApiToken.objects.filter(user=cast.mentee, revoked_at__isnull=True).exists()
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED
    assert Notification.objects.filter(user=cast.mentor).count() == 1
    assert list(Notification.objects.filter(user=cast.manager).values_list("title", flat=True)) == [
        f"{cast.mentee.display_name} was deactivated"
    ]
    assert PersonDeactivation.objects.get().deactivated_by == cast.admin
    # and the person page now offers reactivation, which resumes the pair
    person_page = admin.get(reverse("workspace:person", args=[cast.mentee.pk])).content.decode()
    assert reverse("provisioning:person_reactivate", args=[cast.mentee.pk]) in person_page
    admin.post(reverse("provisioning:person_reactivate", args=[cast.mentee.pk]))
    cast.mentee.refresh_from_db()
    pair.relationship.refresh_from_db()
    assert cast.mentee.is_active is True
    assert pair.relationship.status == RelationshipStatus.ACTIVE


def test_person_and_members_pages_link_to_the_lifecycle(cast: Cast) -> None:
    # given the admin
    admin = _client(cast.admin)

    # when they open a person's page and the members page
    person_page = admin.get(reverse("workspace:person", args=[cast.mentor.pk])).content.decode()
    members = admin.get(reverse("accounts:members")).content.decode()

    # then both offer the lifecycle's deactivate page
    link = reverse("provisioning:person_deactivate", args=[cast.mentor.pk])
    assert link in person_page
    assert link in members


def test_bulk_deactivate_previews_then_applies_exactly_what_was_shown(pair: Pair) -> None:
    # given the admin ticks the mentee, the mentor and themselves in the directory
    cast = pair.cast
    admin = _client(cast.admin)
    url = reverse("provisioning:people_bulk_deactivate")
    ids = [cast.mentee.pk, cast.mentor.pk, cast.admin.pk]

    # when they ask for the preview
    preview = admin.post(url, {"ids": ids})

    # then it says what happens to each, changing nothing, and skips the admin with a reason
    outcome = preview.context["outcome"]
    rows = {row.user_id: (row.done, row.outcome) for row in outcome.rows}
    # (the pair is paused by whichever of the two comes first; the second finds it paused)
    assert sorted([rows[cast.mentee.pk], rows[cast.mentor.pk]]) == [
        (True, "signed out"),
        (True, "signed out; 1 pair paused"),
    ]
    assert rows[cast.admin.pk] == (False, "You cannot deactivate yourself.")
    assert not PersonDeactivation.objects.exists()
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.ACTIVE

    # when they confirm without a reason, with a stale fingerprint, then properly
    blank = admin.post(url, {"ids": ids, "fingerprint": outcome.fingerprint, "reason": ""})
    stale = admin.post(url, {"ids": ids, "fingerprint": "stale", "reason": "Reorg"})
    assert (blank.status_code, stale.status_code) == (400, 409)
    assert not PersonDeactivation.objects.exists()
    done = admin.post(url, {"ids": ids, "fingerprint": outcome.fingerprint, "reason": "Reorg"})

    # then exactly the two are deactivated, once each, through the lifecycle
    assert done.status_code == 302
    assert set(PersonDeactivation.objects.values_list("user_id", flat=True)) == {
        cast.mentee.pk,
        cast.mentor.pk,
    }
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED


@pytest.mark.parametrize("actor_name", ["manager", "mentor", "member", "outsider"])
def test_bulk_deactivate_is_for_the_organisations_admins(cast: Cast, actor_name: str) -> None:
    # given someone who is not this organisation's admin
    actor = cast.by_name(actor_name)

    # when they post a bulk deactivation
    response = _client(actor).post(
        reverse("provisioning:people_bulk_deactivate"),
        {"ids": [cast.mentee.pk], "fingerprint": "x", "reason": "x"},
    )

    # then it is not there for them and nothing changed
    assert response.status_code == 404
    assert not PersonDeactivation.objects.exists()
