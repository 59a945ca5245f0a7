"""The people HTML pages through the test client: status, what the page says, the database after."""

import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import ACTOR_NAMES
from tandem.accounts.models import ApiToken, User
from tandem.accounts.tests.factories import UserFactory
from tandem.people.models import PeopleImport, PeopleImportStatus, Profile, Skill
from tandem.people.tests.factories import ProfileFactory, SkillFactory


def signed_in(client, user):
    client.force_login(user)
    return client


def profile_post(**overrides):
    data = {
        "job_title": "Engineer",
        "department": "Platform",
        "seniority": "3",
        "location": "Lisbon",
        "timezone": "Europe/Lisbon",
        "languages": "English, Portuguese",
        "bio": "Hello",
        "goals": "Learn to lead",
        "availability": "Tuesdays",
        "mentor_capacity": "2",
    }
    data.update(overrides)
    return data


# --- my profile ---------------------------------------------------------------------------


def test_profile_page_needs_sign_in(client, db):
    # when
    response = client.get(reverse("people:profile"))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_page_creates_the_profile_and_shows_the_form(cast, client):
    # given
    newcomer = UserFactory(organization=cast.org)
    SkillFactory(organization=cast.org, name="Python")
    # when
    response = signed_in(client, newcomer).get(reverse("people:profile"))
    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert '<label class="form-label" for="id_timezone">Timezone' in content
    assert '<option value="UTC" selected>UTC</option>' in content
    assert "Python" in content
    # API tokens are a developer's business, one link away
    assert "API tokens" not in content.replace("personal API tokens for scripts", "")
    assert reverse("people:developer") in content
    developer = client.get(reverse("people:developer")).content.decode()
    assert "You have no API tokens." in developer
    assert Profile.objects.filter(user=newcomer).count() == 1


def test_profile_page_without_skills_says_so(cast, client):
    # when
    response = signed_in(client, cast.member).get(reverse("people:profile"))
    # then
    assert "Your organisation has not listed any skills yet." in response.content.decode()


def test_saving_the_profile_goes_back_to_a_safe_next(cast, client):
    # given
    python = SkillFactory(organization=cast.org, name="Python")
    signed_in(client, cast.member)
    # when
    response = client.post(
        reverse("people:profile") + "?next=/programs/",
        profile_post(skills_offered=[str(python.pk)]),
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/programs/"
    profile = Profile.objects.get(user=cast.member)
    assert (profile.job_title, profile.timezone, profile.seniority) == (
        "Engineer",
        "Europe/Lisbon",
        3,
    )
    assert profile.languages == ["English", "Portuguese"]
    assert profile.mentor_capacity == 2
    assert list(profile.skills_offered.all()) == [python]


def test_an_outside_next_is_ignored(cast, client):
    # when
    response = signed_in(client, cast.member).post(
        reverse("people:profile"), {**profile_post(), "next": "https://evil.example/"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("people:profile")


def test_profile_page_carries_next_in_the_form(cast, client):
    # when
    response = signed_in(client, cast.member).get(reverse("people:profile") + "?next=/programs/3/")
    # then
    content = response.content.decode()
    assert '<input type="hidden" name="next" value="/programs/3/">' in content
    assert "Save profile and go back" in content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "&#x27;Mars/Olympus&#x27; is not a known timezone."),
        ({"mentor_capacity": "0"}, "Mentor capacity must be at least 1 mentee."),
    ],
)
def test_profile_errors_are_shown_on_the_field_and_nothing_is_saved(
    cast, client, overrides, message
):
    # given
    before = Profile.objects.filter(user=cast.member).values().get()
    # when
    response = signed_in(client, cast.member).post(
        reverse("people:profile"), profile_post(**overrides)
    )
    # then
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'aria-invalid="true"' in content
    assert Profile.objects.filter(user=cast.member).values().get() == before


def test_token_created_on_the_profile_page_is_shown_once(cast, client):
    # given
    signed_in(client, cast.member)
    # when
    response = client.post(
        reverse("people:token_create"), {"name": "HR sync"}, headers={"HX-Request": "true"}
    )
    # then
    assert response.status_code == 200
    token = ApiToken.objects.get(user=cast.member, name="HR sync")
    content = response.content.decode()
    assert "Copy it now: it will not be shown again." in content
    assert f'value="{token.prefix}' in content
    # when the developer page is loaded again
    again = client.get(reverse("people:developer")).content.decode()
    # then the secret is gone, the token listed
    assert "it will not be shown again" not in again
    assert "HR sync" in again


def test_token_revoke_from_the_profile_page(cast, client):
    # given
    signed_in(client, cast.member)
    client.post(reverse("people:token_create"), {"name": "Old script"})
    token = ApiToken.objects.get(user=cast.member, name="Old script")
    # when
    response = client.post(reverse("people:token_revoke", args=[token.pk]))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("people:developer")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token_from_the_page(cast, client):
    # given
    signed_in(client, cast.mentor)
    client.post(reverse("people:token_create"), {"name": "Mentor script"})
    token = ApiToken.objects.get(user=cast.mentor)
    signed_in(client, cast.member)
    # when
    response = client.post(reverse("people:token_revoke", args=[token.pk]))
    # then
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- directory ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in ACTOR_NAMES if n != "anonymous"])
def test_directory_is_for_org_admins_only(cast, client, name):
    # when
    response = signed_in(client, cast.by_name(name)).get(reverse("people:list"))
    # then
    if name == "admin":
        assert response.status_code == 200
        content = response.content.decode()
        assert "mentor@northwind.test" in content
        assert "admin@globex.test" not in content
        assert reverse("accounts:members") in content
        assert reverse("people:import") in content
        assert reverse("people:export") in content
    elif name == "outsider":
        assert response.status_code == 200
        assert "northwind" not in response.content.decode()
    else:
        assert response.status_code == 404


def test_directory_search_filter_and_pages(cast, client, django_assert_max_num_queries):
    # given
    for n in range(60):
        ProfileFactory(
            user=UserFactory(
                organization=cast.org,
                email=f"sales{n:02d}@northwind.test",
                first_name="Sam",
                last_name=f"Seller{n:02d}",
            ),
            department="Sales",
        )
    signed_in(client, cast.admin)
    # when
    with django_assert_max_num_queries(8):
        page_one = client.get(reverse("people:list"), {"department": "Sales"})
    page_two = client.get(
        reverse("people:list"),
        {"department": "Sales", "after": page_one.context["page"].next_cursor},
    )
    found = client.get(
        reverse("people:list"),
        {"q": "seller07"},
        headers={"HX-Request": "true", "HX-Target": "people-results"},
    )
    nobody = client.get(reverse("people:list"), {"q": "zzz"})
    # then
    first = page_one.content.decode()
    assert "60 people match." in first
    assert first.count("@northwind.test</td>") == 50
    assert f"department=Sales&amp;after={page_one.context['page'].next_cursor}" in first
    assert page_two.content.decode().count("@northwind.test</td>") == 10
    partial = found.content.decode()
    assert "<html" not in partial
    assert "sales07@northwind.test" in partial
    assert partial.count("@northwind.test</td>") == 1
    assert "Nobody matches." in nobody.content.decode()


def test_directory_export_downloads_csv_for_admins_only(cast, client):
    # when
    admin_response = signed_in(client, cast.admin).get(reverse("people:export"))
    member_response = signed_in(client, cast.member).get(reverse("people:export"))
    # then
    assert admin_response.status_code == 200
    assert admin_response["Content-Disposition"] == 'attachment; filename="people.csv"'
    body = b"".join(admin_response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfEmail,First name,Last name,Job title,")
    assert member_response.status_code == 404


# --- import -------------------------------------------------------------------------------


def test_import_page_has_the_progress_bar_and_is_admin_only(cast, client):
    # when
    admin_page = signed_in(client, cast.admin).get(reverse("people:import"))
    manager_page = signed_in(client, cast.manager).get(reverse("people:import"))
    # then
    content = admin_page.content.decode()
    assert admin_page.status_code == 200
    assert "data-upload-progress" in content
    assert 'hx-encoding="multipart/form-data"' in content
    assert '<label class="form-label" for="id_file">HR export (CSV)' in content
    assert manager_page.status_code == 404


def test_import_preview_then_commit(cast, client):
    # given
    signed_in(client, cast.admin)
    csv = b"Email,First name,Job title\r\nnew@northwind.test,New,Engineer\r\n"
    # when
    preview = client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", csv, content_type="text/csv")},
        headers={"HX-Request": "true"},
    )
    # then
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "1 to add" in content
    assert "Commit import" in content
    assert not User.objects.filter(email="new@northwind.test").exists()
    staged = PeopleImport.objects.get(created_by=cast.admin)
    # when
    committed = client.post(
        reverse("people:import_commit", args=[staged.pk]), headers={"HX-Request": "true"}
    )
    # then
    assert committed.status_code == 204
    assert committed["HX-Redirect"] == reverse("people:list")
    assert User.objects.get(email="new@northwind.test").profile.job_title == "Engineer"
    staged.refresh_from_db()
    assert staged.status == PeopleImportStatus.COMMITTED


def test_import_preview_lists_rejected_rows_first_and_offers_no_commit(cast, client):
    # given
    signed_in(client, cast.admin)
    csv = b"Email,Hire date\r\ngood@northwind.test,2020-01-01\r\n,2020-01-01\r\n"
    # when
    response = client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", csv, content_type="text/csv")},
    )
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "1 row cannot be imported. Fix it in your file" in content
    assert "Import the valid rows, report the rest" in content
    assert "<td>3</td>" in content
    assert "The email is missing; every person needs one." in content
    assert content.index("The email is missing") < content.index("good@northwind.test")
    assert "Commit import</button>" not in content


def test_import_of_an_unreadable_file_shows_the_error_on_the_field(cast, client):
    # given
    signed_in(client, cast.admin)
    # when
    response = client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", b"Name\r\nAna\r\n", content_type="text/csv")},
    )
    # then
    assert response.status_code == 400
    assert "The file has no email column." in response.content.decode()
    assert PeopleImport.objects.count() == 0


def test_commit_of_another_organisations_upload_is_404(cast, client):
    # given
    signed_in(client, cast.outsider)
    client.post(
        reverse("people:import"),
        {"file": SimpleUploadedFile("hr.csv", b"Email\r\nx@globex.test\r\n")},
    )
    staged = PeopleImport.objects.get(created_by=cast.outsider)
    signed_in(client, cast.admin)
    # when
    response = client.post(reverse("people:import_commit", args=[staged.pk]))
    # then
    assert response.status_code == 404
    assert not User.objects.filter(email="x@globex.test").exists()


# --- skills -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in ACTOR_NAMES if n != "anonymous"])
def test_skills_page_is_for_managers_and_admins(cast, client, name):
    # given
    SkillFactory(organization=cast.org, name="Kotlin")
    # when
    response = signed_in(client, cast.by_name(name)).get(reverse("people:skills"))
    # then
    if name in {"admin", "manager", "other_manager"}:
        assert response.status_code == 200
        assert "Kotlin" in response.content.decode()
    elif name == "outsider":
        assert response.status_code == 200
        assert "Kotlin" not in response.content.decode()
        assert "No skills yet." in response.content.decode()
    else:
        assert response.status_code == 404


def test_add_rename_and_duplicate_skill_on_the_page(cast, client):
    # given
    signed_in(client, cast.manager)
    # when
    added = client.post(reverse("people:skills"), {"name": "Python", "category": "Tech"})
    duplicate = client.post(reverse("people:skills"), {"name": "python"})
    # then
    assert added.status_code == 302
    assert duplicate.status_code == 400
    assert "is already on the list (names ignore upper/lower case)." in duplicate.content.decode()
    assert list(Skill.objects.filter(organization=cast.org).values_list("name", flat=True)) == [
        "Python"
    ]
    skill = Skill.objects.get(organization=cast.org)
    # when
    client.post(reverse("people:skill_rename", args=[skill.pk]), {"name": "Python 3"})
    # then
    skill.refresh_from_db()
    assert skill.name == "Python 3"


def test_delete_skill_confirm_says_profiles_lose_it(cast, client):
    # given
    skill = SkillFactory(organization=cast.org, name="Python")
    Profile.objects.get(user=cast.mentor).skills_offered.add(skill)
    Profile.objects.get(user=cast.mentee).skills_wanted.add(skill)
    signed_in(client, cast.admin)
    # when
    confirm = client.get(reverse("people:skill_delete", args=[skill.pk]))
    # then
    assert (
        "2 people have this skill on their profiles. Deleting it removes it from those "
        "profiles too." in confirm.content.decode()
    )
    assert Skill.objects.filter(pk=skill.pk).exists()
    # when
    client.post(reverse("people:skill_delete", args=[skill.pk]))
    # then
    assert not Skill.objects.filter(pk=skill.pk).exists()
    assert Profile.objects.get(user=cast.mentor).skills_offered.count() == 0


def test_another_organisations_skill_cannot_be_deleted_from_the_page(cast, client):
    # given
    theirs = SkillFactory(organization=cast.other_org, name="Globex skill")
    # when
    response = signed_in(client, cast.admin).post(reverse("people:skill_delete", args=[theirs.pk]))
    # then
    assert response.status_code == 404
    assert Skill.objects.filter(pk=theirs.pk).exists()


def test_skills_page_query_budget(cast, client, django_assert_max_num_queries):
    # given
    for n in range(40):
        SkillFactory(organization=cast.org, name=f"Skill {n:02d}")
    signed_in(client, cast.manager)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(reverse("people:skills"))
    # then
    assert response.content.decode().count('aria-label="Delete Skill') == 40


def test_a_mentee_may_leave_the_mentor_capacity_empty(cast, client):
    # given a person whose capacity is 2
    signed_in(client, cast.member)
    client.get(reverse("people:profile"))
    Profile.objects.filter(user=cast.member).update(mentor_capacity=2)
    # when they save the profile without a capacity
    response = client.post(reverse("people:profile"), {"timezone": "Europe/Lisbon"})
    # then it saves, and the capacity stays what it was
    assert response.status_code == 302
    profile = Profile.objects.get(user=cast.member)
    assert (profile.timezone, profile.mentor_capacity) == ("Europe/Lisbon", 2)


# --- the time zone picker -----------------------------------------------------------------


def test_the_time_zone_is_a_list_grouped_by_region_preselected_from_the_browser(cast, client):
    # given a person who has not chosen a zone yet (UTC, the default)
    newcomer = UserFactory(organization=cast.org)
    # when
    content = signed_in(client, newcomer).get(reverse("people:profile")).content.decode()
    # then every IANA zone is offered once, grouped by its region, labelled by its place
    assert '<select name="timezone"' in content
    assert 'data-zone-unset="true"' in content
    assert '<optgroup label="Europe">' in content
    assert '<option value="Europe/Lisbon">Lisbon</option>' in content
    assert '<option value="America/Argentina/Buenos_Aires">Argentina · Buenos Aires</option>' in (
        content
    )
    offered = content.count("<option value=")
    assert offered >= len(zoneinfo.available_timezones() - {"localtime", "Factory"}) - 5
    # and the small script that picks the browser's zone is on the page
    assert "people/timezone.js" in content


def test_a_chosen_time_zone_is_kept_and_not_replaced_by_the_browsers(cast, client):
    # given
    Profile.objects.update_or_create(user=cast.member, defaults={"timezone": "Asia/Tokyo"})
    # when
    content = signed_in(client, cast.member).get(reverse("people:profile")).content.decode()
    # then
    assert '<option value="Asia/Tokyo" selected>Tokyo</option>' in content
    assert "data-zone-unset" not in content
    assert "people/timezone.js" not in content


@pytest.mark.parametrize("sent", ["Mars/Olympus", "", "europe/lisbon ", "Europe"])
def test_a_time_zone_outside_the_list_is_refused_and_nothing_saved(cast, client, sent):
    # given
    before = Profile.objects.filter(user=cast.member).values().first()
    # when
    response = signed_in(client, cast.member).post(
        reverse("people:profile"), profile_post(timezone=sent)
    )
    # then
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert Profile.objects.filter(user=cast.member).values().first() == before
