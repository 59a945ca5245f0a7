import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.assessments import services
from tandem.assessments.models import Competency, SelfAssessment
from tandem.assessments.tests.conftest import take
from tandem.assessments.tests.factories import all_scores, state

PARTY = ("mentor", "mentee")
MANAGERS = ("manager", "admin")


def _form(relationship, score=3, skip=()) -> dict[str, str]:
    data = {"moment": "start"}
    for pk in all_scores(relationship):
        if pk not in skip:
            data[f"rating-{pk}"] = str(score)
    return data


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_page_matrix(pair, client, actor_name):
    # given
    actor = pair.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    url = reverse("assessments:page", args=[pair.relationship.pk])
    # when
    response = client.get(url)
    # then
    if actor is None:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    elif actor_name not in PARTY:
        assert response.status_code == 404
    else:
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="assessment-form"' in html
        empathy = Competency.objects.get(key="empathy")
        assert '<legend class="h6 fw-semibold mb-1">Empathy</legend>' in html
        assert (
            f'<label class="form-check-label" for="rating-{empathy.pk}-1"><strong>1</strong>'
            " · I rarely do this</label>" in html
        )
        assert "I do this well and could teach it" in html
        assert f'<label class="form-label small mt-2" for="note-{empathy.pk}">' in html


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_submit_page_matrix(pair, client, actor_name):
    # given
    actor = pair.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    url = reverse("assessments:page", args=[pair.relationship.pk])
    before = state()
    # when
    response = client.post(url, _form(pair.relationship, 4))
    # then
    if actor_name in PARTY:
        assert response.status_code == 302
        assert response["Location"] == url
        assert SelfAssessment.objects.get().user == actor
    else:
        assert response.status_code == (302 if actor is None else 404)
        assert state() == before


def test_missing_answers_are_shown_on_their_fieldsets_and_nothing_saved(pair, client):
    # given
    client.force_login(pair.mentee)
    empathy = Competency.objects.get(key="empathy")
    url = reverse("assessments:page", args=[pair.relationship.pk])
    # when
    response = client.post(url, _form(pair.relationship, 4, skip=[empathy.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f'<div class="invalid-feedback d-block mb-2" id="competency-{empathy.pk}-error">'
        "Rate yourself on Empathy.</div>" in html
    )
    communication = Competency.objects.get(key="communication")
    assert f'id="rating-{communication.pk}-4" value="4" checked' in html  # answers kept
    assert SelfAssessment.objects.count() == 0


def test_result_compares_start_and_end_with_bars(pair, client):
    # given
    take(pair.relationship, pair.mentee, "start", 2)
    from tandem.assessments.tests.factories import set_dates

    set_dates(pair.relationship, started_days_ago=300, duration_days=365)
    pair.relationship.refresh_from_db()
    take(pair.relationship, pair.mentee, "end", 4)
    client.force_login(pair.mentee)
    # when
    html = client.get(reverse("assessments:page", args=[pair.relationship.pk])).content.decode()
    # then
    assert 'data-testid="assessment-form"' not in html
    assert (
        'role="progressbar" aria-label="Empathy at the start" aria-valuenow="2" '
        'aria-valuemin="0" aria-valuemax="5"' in html
    )
    assert '<div class="progress-bar" style="width: 80%"></div>' in html
    assert '<span class="text-success">+2</span>' in html
    assert 'data-testid="share-start"' in html


def test_partner_sees_the_shared_result_only(pair, client):
    # given
    take(pair.relationship, pair.mentor, "start", 4)
    client.force_login(pair.mentee)
    url = reverse("assessments:page", args=[pair.relationship.pk])
    assert 'data-testid="partner-results"' not in client.get(url).content.decode()
    # when
    client.force_login(pair.mentor)
    response = client.post(
        reverse("assessments:share", args=[pair.relationship.pk, "start"]), {"share": "1"}
    )
    # then
    assert response.status_code == 302
    client.force_login(pair.mentee)
    html = client.get(url).content.decode()
    assert 'data-testid="partner-results"' in html
    assert 'aria-label="Empathy at the start" aria-valuenow="4"' in html


def test_page_query_budget(cohort, pair, client, django_assert_max_num_queries):
    client.force_login(pair.mentee)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessments:page", args=[pair.relationship.pk]))
    assert response.status_code == 200


# --- the managers' page ------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_program_page_matrix(cast, client, actor_name):
    # given
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    url = reverse("assessments:program", args=[cast.program.pk])
    # when
    response = client.get(url)
    # then
    if actor is None:
        assert response.status_code == 302
    elif actor_name in MANAGERS:
        assert response.status_code == 200
        assert 'data-testid="summary-table"' in response.content.decode()
    else:
        assert response.status_code == (404 if actor_name == "outsider" else 403)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_add_competency_page_matrix(cast, client, actor_name):
    # given
    actor = cast.by_name(actor_name)
    if actor is not None:
        client.force_login(actor)
    url = reverse("assessments:competency_create", args=[cast.program.pk])
    before = state()
    # when
    response = client.post(
        url, {"new-name": "Networking", "new-description": "I build relationships."}
    )
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 302
        assert Competency.objects.get(program=cast.program).name == "Networking"
    else:
        assert response.status_code == {None: 302, "outsider": 404}.get(
            actor_name if actor else None, 403
        )
        assert state() == before


def test_edit_and_deactivate_a_competency(cast, client):
    # given
    own = services.competency_create(
        actor=cast.manager, program_id=cast.program.pk, name="Networking", description="x"
    )
    client.force_login(cast.manager)
    # when
    client.post(
        reverse("assessments:competency_edit", args=[cast.program.pk, own.pk]),
        {
            f"competency-{own.pk}-name": "Influence",
            f"competency-{own.pk}-description": "I persuade.",
        },
    )
    client.post(
        reverse("assessments:competency_activate", args=[cast.program.pk, own.pk]),
        {"is_active": "0"},
    )
    # then
    own.refresh_from_db()
    assert (own.name, own.description, own.is_active) == ("Influence", "I persuade.", False)


def test_empty_competency_form_shows_errors(cast, client):
    client.force_login(cast.manager)
    response = client.post(
        reverse("assessments:competency_create", args=[cast.program.pk]),
        {"new-name": "", "new-description": ""},
    )
    assert response.status_code == 400
    assert "Name the competency in a few words." in response.content.decode()
    assert Competency.objects.filter(program=cast.program).count() == 0


def test_program_page_never_shows_an_individuals_score(pair, client):
    # given one pair answered with distinct scores and notes
    services.assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=all_scores(pair.relationship, 5),
        notes=dict.fromkeys(all_scores(pair.relationship), "SECRET-NOTE"),
    )
    take(pair.relationship, pair.mentor, "start", 1)
    client.force_login(pair.cast.manager)
    # when
    html = client.get(reverse("assessments:program", args=[pair.cast.program.pk])).content.decode()
    # then
    assert "SECRET-NOTE" not in html
    assert "5 of 5" not in html
    assert "1 of 5" not in html
    assert "aria-valuenow" not in html  # no average bar drawn: nothing is published
    assert "Not published yet" in html
    assert "Nothing published yet: no group of 5 people" in html
    assert pair.mentee.email not in html


def test_program_page_query_budget(cohort, pair, client, django_assert_max_num_queries):
    client.force_login(pair.cast.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessments:program", args=[pair.cast.program.pk]))
    html = response.content.decode()
    assert "2.5 of 5 · 8 people" in html
    assert "4.5 of 5" not in html  # four people ended: fewer than five
    assert "text-success" not in html  # so no change is shown either
    assert html.count("Not published yet") == 7


def test_panel_template_renders_for_the_workspace(pair):
    # given
    from django.template.loader import render_to_string

    from tandem.assessments.selectors import assessments_panel
    from tandem.relationships.permissions import relationship_access

    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    html = render_to_string(
        "assessments/_panel.html", {"panel": assessments_panel(access=access), "access": access}
    )
    # then
    assert 'data-testid="assessments-panel"' in html
    assert (
        f'Starting: <a href="/relationships/{pair.relationship.pk}/assessment/">take it now' in html
    )
    assert "Closing: opens near the end" in html
