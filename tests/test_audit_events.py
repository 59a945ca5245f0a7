"""Every administrative and sensitive action leaves one audit entry: who, what, when, from
where, in which organisation. Each action is done the way a person does it (the sign-in page,
the API), and the entry is read back from the database."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import ApiToken, Invitation, Role
from tandem.accounts.services import api_token_use_audit, password_reset_complete
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from tandem.audit.models import AuditEntry

ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR


def _entries(event: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("id"))


def _only(event: str) -> AuditEntry:
    entries = _entries(event)
    assert len(entries) == 1, [e.event for e in entries]
    return entries[0]


# --- sign-in ----------------------------------------------------------------------------------


def test_a_sign_in_is_recorded_with_the_organisation_and_the_address(cast, client):
    # when
    response = client.post(
        reverse("accounts:login"), {"email": cast.mentor.email, "password": DEFAULT_PASSWORD}
    )
    # then
    assert response.status_code == 302
    entry = _only("sign_in.succeeded")
    assert (entry.organization_id, entry.actor_id, entry.remote_addr, entry.object_pk) == (
        cast.org.pk,
        cast.mentor.pk,
        ADDRESS,
        str(cast.mentor.pk),
    )


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_client_address_answers(cast, client):
    client.post(
        reverse("accounts:login"),
        {"email": cast.mentor.email, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert _only("sign_in.succeeded").remote_addr == "198.51.100.23"


@pytest.mark.parametrize("email_case", ["known", "unknown"])
def test_a_failed_sign_in_is_recorded_in_the_accounts_organisation_only(cast, client, email_case):
    # given
    email = cast.mentor.email if email_case == "known" else "nobody@nowhere.test"
    # when
    response = client.post(reverse("accounts:login"), {"email": email, "password": "wrong-one"})
    # then nothing signed in, one failure recorded, never the password
    assert response.status_code == 400
    entry = _only("sign_in.failed")
    assert entry.actor_id is None
    assert entry.remote_addr == ADDRESS
    assert "wrong-one" not in str(entry.additional_data) + entry.object_repr
    if email_case == "known":
        assert (entry.organization_id, entry.object_pk) == (cast.org.pk, str(cast.mentor.pk))
        assert entry.additional_data is None
    else:  # an address with no account: kept for platform staff, shown to no organisation
        assert (entry.organization_id, entry.additional_data) == (
            None,
            {"email": "nobody@nowhere.test"},
        )


# --- people, roles, invitations, tokens, passwords --------------------------------------------


def test_a_role_change_is_recorded_with_before_and_after(cast, api_as):
    # when
    response = api_as(cast.admin).post(
        f"members/{cast.member.pk}/role", {"role": Role.PROGRAM_MANAGER}
    )
    # then
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(event="user.changed", object_pk=str(cast.member.pk)).get()
    assert (entry.organization_id, entry.actor_id, entry.remote_addr) == (
        cast.org.pk,
        cast.admin.pk,
        ADDRESS,
    )
    assert entry.changes == {"role": ["member", "program_manager"]}


def test_deactivating_someone_is_recorded(cast, client):
    # given
    client.force_login(cast.admin)
    from tandem.accounts.services import user_set_active

    # when
    user_set_active(actor=cast.admin, user=cast.member, is_active=False)
    # then
    entry = _only("user.deactivated")
    assert (entry.organization_id, entry.actor_id, entry.object_pk) == (
        cast.org.pk,
        cast.admin.pk,
        str(cast.member.pk),
    )


def test_an_invitation_and_its_withdrawal_are_recorded(cast, api_as):
    # when
    client = api_as(cast.admin)
    invited = client.post("invitations", {"email": "new@northwind.test", "role": "member"})
    client.post(f"invitations/{invited.json()['id']}/revoke")
    # then
    invitation = Invitation.objects.get(email="new@northwind.test")
    created, revoked = AuditEntry.objects.filter(
        object_pk=str(invitation.pk), content_type__model="invitation"
    ).order_by("id")
    assert (created.event, created.organization_id, created.actor_id) == (
        "invitation.created",
        cast.org.pk,
        cast.admin.pk,
    )
    assert created.changes["email"] == [None, "new@northwind.test"]
    assert (revoked.event, revoked.changes) == (
        "invitation.changed",
        {"status": ["pending", "revoked"]},
    )


def test_api_tokens_creation_revocation_and_use_are_recorded(cast, api_as):
    # given a token made through the API (the client itself holds another)
    client = api_as(cast.manager)
    made = client.post("tokens", {"name": "Reporting script"})
    token = ApiToken.objects.get(pk=made.json()["id"])
    # when it is revoked
    client.post(f"tokens/{token.pk}/revoke")
    # then
    created, revoked = AuditEntry.objects.filter(
        content_type__model="apitoken", object_pk=str(token.pk)
    ).order_by("id")
    assert (created.event, created.organization_id, created.actor_id) == (
        "apitoken.created",
        cast.org.pk,
        cast.manager.pk,
    )
    assert created.changes == {"name": [None, "Reporting script"]}
    assert revoked.event == "apitoken.changed"
    assert list(revoked.changes) == ["revoked_at"]
    # and the digest never reaches the trail
    assert token.digest not in str(list(AuditEntry.objects.values()))


def test_a_tokens_use_is_recorded_once_per_run_with_its_last_address(cast, api_as):
    # given a token used three times (the client's own)
    client = api_as(cast.admin)
    for _ in range(3):
        assert client.get("me", HTTP_X_FORWARDED_FOR="ignored").status_code == 200
    token = ApiToken.objects.get(user=cast.admin)
    # when the hourly job runs twice
    out = io.StringIO()
    call_command("audit_api_token_use", stdout=out)
    second = api_token_use_audit()
    # then one entry, at its last use, from its address; nothing new the second time
    assert out.getvalue().strip() == "Recorded the use of 1 API token(s)."
    assert second == 0
    entry = _only("api_token.used")
    token.refresh_from_db()
    assert (entry.organization_id, entry.actor_id, entry.object_pk, entry.remote_addr) == (
        cast.org.pk,
        cast.admin.pk,
        str(token.pk),
        ADDRESS,
    )
    assert entry.timestamp == token.last_used_at
    # when it is used again after a minute, the next run records it once more
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=token.last_used_at - timedelta(minutes=2)
    )
    client.get("me")
    assert api_token_use_audit() == 1
    assert len(_entries("api_token.used")) == 2


def test_the_token_use_job_costs_the_same_queries_for_many_tokens(
    cast, django_assert_max_num_queries
):
    # given many used tokens
    now = timezone.now()
    for n in range(30):
        user = UserFactory(organization=cast.org)
        ApiToken.objects.create(user=user, name="t", prefix=f"p{n}", digest=f"{n:064d}")
    ApiToken.objects.update(last_used_at=now)
    # when / then
    with django_assert_max_num_queries(6):
        assert api_token_use_audit() == 30


def test_a_password_reset_is_recorded_with_the_tokens_it_revoked(cast, api_as):
    # given a token
    api_as(cast.mentee)
    # when
    password_reset_complete(user=cast.mentee, password="another-long-passphrase")
    # then
    entry = _only("password_reset.completed")
    assert (entry.organization_id, entry.actor_id, entry.additional_data) == (
        cast.org.pk,
        cast.mentee.pk,
        {"api_tokens_revoked": 1},
    )
    assert "another-long-passphrase" not in str(list(AuditEntry.objects.values()))


def test_asking_for_a_password_reset_is_recorded_for_an_account_only(cast, client):
    client.post(reverse("accounts:password_reset"), {"email": cast.mentee.email})
    client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.test"})
    entry = _only("password_reset.requested")
    assert (entry.organization_id, entry.object_pk, entry.remote_addr) == (
        cast.org.pk,
        str(cast.mentee.pk),
        ADDRESS,
    )


# --- settings -----------------------------------------------------------------------------------


def test_every_kind_of_settings_change_is_recorded_with_before_and_after(cast, api_as):
    # given
    admin = api_as(cast.admin)
    program = cast.program.pk
    # when each settings page is saved
    assert admin.patch("organization/settings", {"aggregate_min_group_size": 8}).status_code == 200
    assert admin.put("outcomes/settings", {"managers_see_outcomes": True}).status_code == 200
    assert (
        admin.put(f"programs/{program}/matching/settings", {"weights": {"skills": 5}}).status_code
        == 200
    )
    assert admin.patch(f"programs/{program}", {"duration_months": 9}).status_code == 200
    assert (
        admin.put(
            f"programs/{program}/nudges",
            {"settings": [{"rule": "meeting_reminder", "is_enabled": False, "timing": 24}]},
        ).status_code
        == 200
    )
    # then
    organisation, nudges = _entries("settings.changed")
    assert organisation.additional_data == {
        "settings": "organisation",
        "changes": {"aggregate_min_group_size": [5, 8]},
    }
    assert nudges.additional_data["settings"] == "nudges"
    assert nudges.additional_data["changes"]["meeting_reminder"]["is_enabled"] == [True, False]
    outcomes = _only("outcomessettings.created")
    assert outcomes.changes == {"managers_see_outcomes": [None, True]}
    matching = AuditEntry.objects.filter(event__startswith="matchingsettings.").last()
    assert "weights" in matching.changes
    programme = AuditEntry.objects.filter(event="program.changed").get()
    assert programme.changes == {"duration_months": [cast.program.duration_months, 9]}
    for entry in (organisation, nudges, outcomes, matching, programme):
        assert (entry.organization_id, entry.actor_id, entry.remote_addr) == (
            cast.org.pk,
            cast.admin.pk,
            ADDRESS,
        )


# --- imports and exports -----------------------------------------------------------------------


def test_a_people_import_is_recorded_with_its_counts_and_a_rejected_one_is_not(cast, api_as):
    client = api_as(cast.admin)
    good = b"Email,First name,Last name\r\nnew@northwind.test,New,Person\r\n"
    bad = b"Email,First name,Last name\r\nnot-an-email,New,Person\r\n"
    for content in (bad, good):
        client.client.post(
            "/api/v1/people/imports?dry_run=false",
            {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
            headers=client.headers,
        )
    entry = _only("people.imported")
    assert (entry.organization_id, entry.actor_id) == (cast.org.pk, cast.admin.pk)
    assert entry.additional_data["counts"]["create"] == 1


def test_an_outcomes_import_is_recorded_with_its_counts(cast, api_as):
    client = api_as(cast.admin)
    content = (
        "Email,Hire date,Termination date,Promotion dates,Department,Grade,Location\r\n"
        f"{cast.mentee.email},2020-01-06,,,Sales,G5,Leeds\r\n"
    ).encode()
    response = client.client.post(
        "/api/v1/outcomes/imports?dry_run=false",
        {"file": SimpleUploadedFile("hr.csv", content, content_type="text/csv")},
        headers=client.headers,
    )
    assert response.status_code == 200, response.content
    entry = _only("outcomes.imported")
    assert (entry.organization_id, entry.actor_id, entry.additional_data["rows"]) == (
        cast.org.pk,
        cast.admin.pk,
        1,
    )


@pytest.mark.parametrize(
    ("who", "path", "what", "export_format"),
    [
        ("admin", "/api/v1/people/export", "people", "csv"),
        ("manager", "/api/v1/programs/{program}/participants/export", "participants", "csv"),
        ("admin", "/api/v1/outcomes/report/export?format=xlsx", "outcomes", "xlsx"),
        ("manager", "/programs/{program}/analytics/funnel.csv", "analytics.funnel", "csv"),
        ("admin", "/analytics/funnel.xlsx", "analytics.funnel", "xlsx"),
    ],
)
def test_every_download_is_recorded(cast, api_as, client, who, path, what, export_format):
    # given
    actor = getattr(cast, who)
    url = path.format(program=cast.program.pk)
    # when
    if url.startswith("/api/"):
        api = api_as(actor)
        response = api.client.get(url, headers=api.headers)
    else:
        client.force_login(actor)
        response = client.get(url)
    # then
    assert response.status_code == 200
    entry = _only("export.downloaded")
    assert (entry.organization_id, entry.actor_id, entry.remote_addr) == (
        cast.org.pk,
        actor.pk,
        ADDRESS,
    )
    assert (entry.additional_data["what"], entry.additional_data["format"]) == (
        what,
        export_format,
    )


def test_a_refused_download_is_not_recorded(cast, api_as):
    api = api_as(cast.mentee)
    response = api.client.get("/api/v1/people/export", headers=api.headers)
    assert response.status_code == 403
    assert _entries("export.downloaded") == []


# --- relationships -----------------------------------------------------------------------------


def test_ending_a_relationship_is_recorded_without_its_reason(pair, api_as):
    # when
    response = api_as(pair.cast.manager).post(
        f"relationships/{pair.relationship.pk}/end",
        {"reason": "zqprivatereason they fell out", "find_new_match": True},
    )
    # then
    assert response.status_code == 200
    entry = _only("relationship.ended")
    assert (entry.organization_id, entry.actor_id, entry.object_pk) == (
        pair.cast.org.pk,
        pair.cast.manager.pk,
        str(pair.relationship.pk),
    )
    assert entry.additional_data == {"action": "end", "find_new_match": True}
    assert "zqprivatereason" not in str(list(AuditEntry.objects.values()))


def test_an_entry_written_in_a_failed_use_case_is_rolled_back_with_it(cast, api_as):
    # given a role change the service refuses (the last admin may not step down)
    # when
    response = api_as(cast.admin).post(f"members/{cast.admin.pk}/role", {"role": "member"})
    # then nothing is recorded for it
    assert response.status_code == 409
    assert not AuditEntry.objects.filter(
        event="user.changed", object_pk=str(cast.admin.pk)
    ).exists()
