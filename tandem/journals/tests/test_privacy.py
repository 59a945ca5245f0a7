"""The journal rule at every interface: only the author reads an entry (the partner only
what was shared). HTML and API are covered by test_views/test_api; here the Django admin,
the organisation's CSV exports, other people's journal exports and the database itself."""

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import NoReverseMatch, reverse

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.journals import services
from tandem.journals.models import JournalEntry

SECRET = "zebra-lantern: I think about quitting every Sunday night"


@pytest.fixture
def entry(pair) -> JournalEntry:
    entry = services.journal_entry_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        text=SECRET,
        tags=["zebra-lantern"],
    )
    # Even a shared entry stays out of every other interface.
    services.journal_entry_share(
        actor=pair.mentee, relationship_id=pair.relationship.pk, entry_id=entry.pk
    )
    return entry


def test_the_database_column_holds_ciphertext_only(entry):
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, tags FROM journals_journalentry WHERE id = %s", [entry.pk])
        raw_text, _raw_tags = cursor.fetchone()
    # then
    assert "zebra" not in raw_text
    assert "quitting" not in raw_text
    assert raw_text.startswith("gAAAA")


def test_the_journal_is_not_in_the_django_admin(pair, entry, client):
    # given: a superuser who is also the organisation's admin
    superuser = UserFactory(
        organization=pair.cast.org, role=Role.ORG_ADMIN, is_staff=True, is_superuser=True
    )
    client.force_login(superuser)
    # then: no admin URL for the model
    assert JournalEntry not in admin.site._registry
    with pytest.raises(NoReverseMatch):
        reverse("admin:journals_journalentry_changelist")
    assert client.get("/admin/journals/journalentry/").status_code == 404
    # and nothing of the entry on any admin page a superuser can reach
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "journal" not in index.content.decode().lower()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert "zebra" not in response.content.decode(), url


def test_the_people_export_never_holds_journal_text(pair, entry, client, api_as):
    # given
    client.force_login(pair.cast.admin)
    # when
    page = client.get(reverse("people:export"))
    api = api_as(pair.cast.admin).get("people/export")
    # then
    assert page.status_code == 200
    assert api.status_code == 200
    page_text = b"".join(page.streaming_content).decode("utf-8-sig")
    api_text = b"".join(api.streaming_content).decode("utf-8-sig")
    assert pair.mentee.email in page_text
    assert "zebra" not in page_text
    assert "zebra" not in api_text


def test_the_participants_export_never_holds_journal_text(pair, entry, client, api_as):
    # given
    client.force_login(pair.cast.manager)
    program_id = pair.cast.program.pk
    # when
    page = client.get(reverse("participants:program_participants_export", args=[program_id]))
    api = api_as(pair.cast.manager).get(f"programs/{program_id}/participants/export")
    # then
    assert page.status_code == 200
    assert api.status_code == 200
    for response in (page, api):
        content = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8-sig")
        assert pair.mentee.email in content
        assert "zebra" not in content


@pytest.mark.parametrize(
    "actor_name",
    ["outsider", "member", "other_mentor", "other_mentee", "manager", "admin", "mentor"],
)
def test_nobody_elses_journal_export_holds_the_entry(pair, entry, api_as, actor_name):
    # when
    for export_format in ("md", "json"):
        response = api_as(pair.by_name(actor_name)).get(
            "me/journal/export", {"format": export_format}
        )
        # then
        assert response.status_code == 200
        assert "zebra" not in response.content.decode()
