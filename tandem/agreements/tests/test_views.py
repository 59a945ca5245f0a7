import pytest
from django.urls import reverse

from conftest import PAIR_ACTOR_NAMES
from tandem.agreements.models import (
    DEFAULT_PROMPTS,
    Agreement,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.services import agreement_sign
from tandem.agreements.tests.factories import content, fill_in, sign_by_both, state
from tandem.core.local_time import local_text
from tandem.people.models import Profile

HTMX = {"HX-Request": "true"}
PARTY = ("mentor", "mentee")


def _login(client, user) -> None:
    if user is not None:
        client.force_login(user)


def _assert_denied(response, actor_name: str, url: str) -> None:
    if actor_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    else:
        assert response.status_code == 404


def _form_data(version: int, **overrides) -> dict:
    values = content(**overrides)
    return {**values, "version": version}


# --- the agreement page ------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_agreement_page_matrix(pair, client, actor_name):
    # given
    _login(client, pair.by_name(actor_name))
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    response = client.get(url)
    # then
    if actor_name in PARTY:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Mentoring agreement" in html
        assert f'href="/relationships/{pair.relationship.pk}/">Workspace</a>' in html
        assert 'data-testid="sign-agreement"' in html
        assert "Sign version 1" in html
        assert DEFAULT_PROMPTS["boundaries_prompt"] in html
        assert '<label class="form-label fw-semibold" for="id_goals_summary">' in html
        assert "No version has been signed by both of you yet." in html
    else:
        _assert_denied(response, actor_name, url)
        assert Agreement.objects.count() == 0


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_save_matrix(pair, client, actor_name):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    _login(client, pair.by_name(actor_name))
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    response = client.post(url, _form_data(2, boundaries="From the page."))
    # then
    if actor_name in PARTY:
        assert response.status_code == 302
        assert response["Location"] == url
        agreement = Agreement.objects.get()
        assert (agreement.version, agreement.boundaries) == (3, "From the page.")
    else:
        _assert_denied(response, actor_name, url)
        assert state() == before


def test_inline_save_updates_the_version_and_the_signatures_in_place(pair, client):
    # given
    client.force_login(pair.mentor)
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    response = client.post(url, _form_data(1), headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved (version 2)." in html
    assert (
        '<input type="hidden" name="version" value="2" id="agreement-version" '
        'hx-swap-oob="true">' in html
    )
    assert 'id="agreement-signing" aria-labelledby="signing-heading" hx-swap-oob="true"' in html
    assert "Sign version 2" in html
    assert Agreement.objects.get().version == 2


def test_inline_save_names_the_wrong_field(pair, client):
    # given
    client.force_login(pair.mentor)
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    client.get(url)
    before = state()
    # when
    response = client.post(url, _form_data(1, duration_months=99), headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: please correct the fields marked below." in html
    assert (
        '<div class="invalid-feedback d-block" id="id_duration_months_error" '
        'hx-swap-oob="true">Ensure this value is less than or equal to 60.</div>' in html
    )
    assert "agreement-version" not in html
    assert state() == before


def test_inline_save_on_a_stale_version_says_the_partner_changed_it(pair, client):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    client.force_login(pair.mentor)
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    response = client.post(url, _form_data(1, boundaries="Mine."), headers=HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Not saved: {pair.mentee} changed the agreement meanwhile" in html
    assert "agreement-version" not in html  # the stale version stays: no silent overwrite
    assert state() == before


def test_a_full_page_save_with_an_error_shows_it_on_the_form(pair, client):
    # given
    client.force_login(pair.mentee)
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    response = client.post(url, _form_data(1, cadence="hourly"))
    stale = client.post(url, _form_data(0))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please correct the highlighted fields." in html
    assert "Select a valid choice. hourly is not one of the available choices." in html
    # a failed save stores nothing, not even the draft the page showed
    assert Agreement.objects.count() == 0
    assert stale.status_code == 400
    assert "The agreement changed meanwhile (it is now version 1)." in stale.content.decode()


# --- signing -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_sign_matrix(pair, client, actor_name):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    actor = pair.by_name(actor_name)
    _login(client, actor)
    url = reverse("agreements:sign", args=[pair.relationship.pk])
    # when
    response = client.post(url, {"version": 2})
    # then
    if actor_name in PARTY:
        assert response.status_code == 302
        assert response["Location"] == reverse("agreements:detail", args=[pair.relationship.pk])
        assert list(AgreementSignature.objects.values_list("user", "version")) == [(actor.pk, 2)]
    else:
        _assert_denied(response, actor_name, url)
        assert state() == before


def test_inline_sign_completes_the_agreement_and_lists_the_kept_version(pair, client):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=2)
    client.force_login(pair.mentor)
    # when
    response = client.post(
        reverse("agreements:sign", args=[pair.relationship.pk]), {"version": 2}, headers=HTMX
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "You signed version 2." in html
    assert ">Signed by both</span>" in html
    assert 'id="agreement-versions" aria-labelledby="versions-heading" hx-swap-oob="true"' in html
    assert reverse("agreements:version", args=[pair.relationship.pk, 2]) in html
    assert AgreementVersion.objects.get().version == 2


def test_inline_sign_of_an_incomplete_agreement_names_what_is_missing(pair, client):
    # given
    client.force_login(pair.mentor)
    client.get(reverse("agreements:detail", args=[pair.relationship.pk]))
    before = state()
    # when
    response = client.post(
        reverse("agreements:sign", args=[pair.relationship.pk]), {"version": 1}, headers=HTMX
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "The agreement is not complete enough to sign yet. Write what the mentee wants before "
        "signing. Choose at least one channel before signing." in html
    )
    assert state() == before


def test_signature_times_show_in_the_viewers_timezone(pair, client):
    # given
    Profile.objects.filter(user=pair.mentee).update(timezone="Asia/Tokyo")
    fill_in(pair.relationship, by=pair.mentee)
    agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=2)
    signed_at = AgreementSignature.objects.get().signed_at
    client.force_login(pair.mentee)
    # when
    response = client.get(reverse("agreements:detail", args=[pair.relationship.pk]))
    # then
    # (in the one format of a time shown to a person: their zone, labelled)
    assert f"signed {local_text(signed_at, 'Asia/Tokyo')}" in response.content.decode()


def test_a_closed_relationship_shows_the_agreement_without_edit_or_sign(pair, client):
    # given
    from tandem.relationships.services import relationship_transition

    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    client.force_login(pair.mentee)
    # when
    response = client.get(reverse("agreements:detail", args=[pair.relationship.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "its agreement is kept as a record" in html
    assert 'data-testid="sign-agreement"' not in html
    assert "<fieldset disabled>" in html


def _kept_versions(pair, count: int) -> None:
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    for version in range(2, count + 1):
        fill_in(pair.relationship, by=pair.mentor, version=version, duration_months=version)
        agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=version + 1)
        agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=version + 1)


def test_agreement_page_query_budget(pair, client, django_assert_max_num_queries):
    # given
    _kept_versions(pair, 6)
    client.force_login(pair.mentee)
    url = reverse("agreements:detail", args=[pair.relationship.pk])
    # when
    with django_assert_max_num_queries(12):
        response = client.get(url)
    # then
    assert (
        response.content.decode().count(
            f"/relationships/{pair.relationship.pk}/agreement/versions/"
        )
        == 6
    )


# --- a kept version ----------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_version_page_matrix(pair, client, actor_name):
    # given
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    _login(client, pair.by_name(actor_name))
    url = reverse("agreements:version", args=[pair.relationship.pk, 2])
    # when
    response = client.get(url)
    # then
    if actor_name in PARTY:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Signed agreement, version 2" in html
        assert "Lead my first team with confidence." in html
        assert "Video call, In person" in html
        assert "Fortnightly" in html
        assert "6 months" in html
    else:
        _assert_denied(response, actor_name, url)


def test_a_version_not_signed_by_both_is_a_404_page(pair, client):
    # given
    client.force_login(pair.mentor)
    # when
    response = client.get(reverse("agreements:version", args=[pair.relationship.pk, 1]))
    # then
    assert response.status_code == 404


# --- the programme's template page -------------------------------------------------------

MANAGERS = ("manager", "admin")


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_template_page_matrix(pair, client, actor_name):
    # given
    _login(client, pair.by_name(actor_name))
    url = reverse("agreements:template", args=[pair.cast.program.pk])
    # when
    response = client.get(url)
    # then
    if actor_name in MANAGERS:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Agreement template of Leadership cohort" in html
        assert DEFAULT_PROMPTS["goals_prompt"] in html
        assert 'data-testid="save-agreement-template"' in html
    elif actor_name == "anonymous":
        _assert_denied(response, actor_name, url)
    else:
        assert response.status_code == (404 if actor_name == "outsider" else 403)
        assert AgreementTemplate.objects.count() == 0


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_template_save_matrix(pair, client, actor_name):
    # given
    before = state()
    _login(client, pair.by_name(actor_name))
    url = reverse("agreements:template", args=[pair.cast.program.pk])
    data = {
        **dict.fromkeys(DEFAULT_PROMPTS, "Ask yourselves."),
        "confidentiality_statement": "Ours.",
    }
    # when
    response = client.post(url, data)
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 302
        assert response["Location"] == url
        template = AgreementTemplate.objects.get()
        assert (template.goals_prompt, template.confidentiality_statement) == (
            "Ask yourselves.",
            "Ours.",
        )
    else:
        if actor_name == "anonymous":
            _assert_denied(response, actor_name, url)
        else:
            assert response.status_code == (404 if actor_name == "outsider" else 403)
        assert state() == before


def test_template_save_names_the_missing_statement(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("agreements:template", args=[cast.program.pk])
    # when
    response = client.post(
        url, {**dict.fromkeys(DEFAULT_PROMPTS, ""), "confidentiality_statement": ""}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" id="id_confidentiality_statement_error">'
        "The confidentiality statement is needed.</div>" in html
    )
    # the failed save stores nothing: the programme still reads Tandem's default template
    assert AgreementTemplate.objects.count() == 0
