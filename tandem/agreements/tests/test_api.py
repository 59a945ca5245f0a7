import pytest
from django.core.serializers.json import DjangoJSONEncoder

from conftest import PAIR_ACTOR_NAMES
from tandem.agreements.models import (
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_PROMPTS,
    Agreement,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.services import agreement_sign
from tandem.agreements.tests.factories import content, fill_in, sign_by_both, state

PARTY = ("mentor", "mentee")
# What everyone but the pair gets from the pair's agreement: it is private to them.
DENIED = {"anonymous": 401}


def _denied_status(actor_name: str) -> int:
    return DENIED.get(actor_name, 404)


def _iso(value) -> str | None:
    return None if value is None else DjangoJSONEncoder().default(value)


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def _agreement_json(pair, *, me, status="draft", signed_versions=()) -> dict:
    agreement = Agreement.objects.get(relationship=pair.relationship)
    signed = dict(
        AgreementSignature.objects.filter(
            agreement=agreement, version=agreement.version
        ).values_list("user_id", "signed_at")
    )
    return {
        "relationship_id": pair.relationship.pk,
        "version": agreement.version,
        "status": status,
        "goals_summary": agreement.goals_summary,
        "cadence": agreement.cadence,
        "channels": agreement.channels,
        "duration_months": agreement.duration_months,
        "mentor_expectations": agreement.mentor_expectations,
        "mentee_expectations": agreement.mentee_expectations,
        "boundaries": agreement.boundaries,
        "confidentiality": agreement.confidentiality,
        "mentor_signed_at": _iso(signed.get(pair.mentor.pk)),
        "mentee_signed_at": _iso(signed.get(pair.mentee.pk)),
        "signed_by_me": me.pk in signed,
        "updated_at": _iso(agreement.updated_at),
        "signed_versions": list(signed_versions),
    }


# --- GET /relationships/{id}/agreement ---------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_get_agreement_matrix(pair, api_as, actor_name):
    # given
    actor = pair.by_name(actor_name)
    # when
    response = api_as(actor).get(f"relationships/{pair.relationship.pk}/agreement")
    # then
    if actor_name in PARTY:
        # the unsaved draft from the programme's defaults, dated from the pair's opening
        assert response.status_code == 200
        assert response.json() == {
            "relationship_id": pair.relationship.pk,
            "version": 1,
            "status": "draft",
            "goals_summary": "",
            "cadence": pair.cast.program.cadence,
            "channels": [],
            "duration_months": pair.cast.program.duration_months,
            "mentor_expectations": "",
            "mentee_expectations": "",
            "boundaries": "",
            "confidentiality": DEFAULT_CONFIDENTIALITY,
            "mentor_signed_at": None,
            "mentee_signed_at": None,
            "signed_by_me": False,
            "updated_at": _iso(pair.relationship.created_at),
            "signed_versions": [],
        }
    else:
        _assert_problem(response, _denied_status(actor_name))
    # reads never write: nothing stored for anyone
    assert Agreement.objects.count() == 0
    assert AgreementTemplate.objects.count() == 0


def test_get_agreement_of_another_pair_is_not_found(pair, api_as):
    # when
    response = api_as(pair.mentor).get(f"relationships/{pair.other_relationship.pk}/agreement")
    # then
    _assert_problem(response, 404)


# --- PUT /relationships/{id}/agreement ---------------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_put_agreement_matrix(pair, api_as, actor_name):
    # given
    actor = pair.by_name(actor_name)
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    # when
    response = api_as(actor).put(
        f"relationships/{pair.relationship.pk}/agreement",
        {"version": 2, **content(boundaries="Fridays are free.")},
    )
    # then
    if actor_name in PARTY:
        assert response.status_code == 200, response.content
        assert response.json() == _agreement_json(pair, me=actor)
        assert response.json()["version"] == 3
        assert Agreement.objects.get().boundaries == "Fridays are free."
    else:
        _assert_problem(response, _denied_status(actor_name))
        assert state() == before


def test_put_with_a_stale_version_is_a_conflict(pair, api_as):
    # given
    fill_in(pair.relationship, by=pair.mentor)
    before = state()
    # when
    response = api_as(pair.mentee).put(
        f"relationships/{pair.relationship.pk}/agreement",
        {"version": 1, **content(boundaries="Mine.")},
    )
    # then
    body = _assert_problem(response, 409)
    assert body["detail"] == (
        f"{pair.mentor} changed the agreement meanwhile (it is now version 2). "
        "Reload it to see their changes before you edit or sign."
    )
    assert body["errors"][0]["field"] == "version"
    assert state() == before


def test_put_names_each_wrong_field(pair, api_as):
    # given
    before = state()
    # when
    response = api_as(pair.mentee).put(
        f"relationships/{pair.relationship.pk}/agreement",
        {"version": 1, **content(channels=["fax"], duration_months=61)},
    )
    # then
    body = _assert_problem(response, 400)
    assert body["errors"] == [
        {
            "field": "channels",
            "message": "Preferred channels: 'fax' not among video, phone, in_person, chat.",
        },
        {
            "field": "duration_months",
            "message": "Duration must be a whole number of months from 1 to 60.",
        },
    ]
    assert state() == before


def test_put_without_a_field_is_unprocessable(pair, api_as):
    # when
    response = api_as(pair.mentee).put(
        f"relationships/{pair.relationship.pk}/agreement", {"version": 1}
    )
    # then
    body = _assert_problem(response, 422)
    assert {error["field"] for error in body["errors"]} >= {"goals_summary", "channels"}
    assert Agreement.objects.count() == 0


# --- POST /relationships/{id}/agreement/sign ---------------------------------------------


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_sign_matrix(pair, api_as, actor_name):
    # given
    actor = pair.by_name(actor_name)
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    # when
    response = api_as(actor).post(
        f"relationships/{pair.relationship.pk}/agreement/sign", {"version": 2}
    )
    # then
    if actor_name in PARTY:
        assert response.status_code == 200, response.content
        assert response.json() == _agreement_json(pair, me=actor, status="awaiting_partner")
        assert list(AgreementSignature.objects.values_list("user", "version")) == [(actor.pk, 2)]
    else:
        _assert_problem(response, _denied_status(actor_name))
        assert state() == before


def test_sign_by_both_through_the_api(pair, api_as):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    api_as(pair.mentee).post(f"relationships/{pair.relationship.pk}/agreement/sign", {"version": 2})
    # when
    response = api_as(pair.mentor).post(
        f"relationships/{pair.relationship.pk}/agreement/sign", {"version": 2}
    )
    # then
    assert response.status_code == 200
    assert response.json() == _agreement_json(
        pair, me=pair.mentor, status="signed", signed_versions=[2]
    )
    assert AgreementVersion.objects.get().version == 2


def test_sign_a_stale_version_is_a_conflict(pair, api_as):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    before = state()
    # when
    response = api_as(pair.mentor).post(
        f"relationships/{pair.relationship.pk}/agreement/sign", {"version": 1}
    )
    # then
    _assert_problem(response, 409)
    assert state() == before


# --- signed versions ---------------------------------------------------------------------


def _two_signed_versions(pair) -> None:
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    fill_in(pair.relationship, by=pair.mentor, version=2, duration_months=9)
    agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=3)
    agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=3)


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_versions_list_matrix(pair, api_as, actor_name):
    # given
    _two_signed_versions(pair)
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"relationships/{pair.relationship.pk}/agreement/versions"
    )
    # then
    if actor_name in PARTY:
        assert response.status_code == 200
        assert response.json() == {
            "count": 2,
            "items": [
                {
                    "version": kept.version,
                    "mentor_signed_at": _iso(kept.mentor_signed_at),
                    "mentee_signed_at": _iso(kept.mentee_signed_at),
                    "created_at": _iso(kept.created_at),
                }
                for kept in AgreementVersion.objects.order_by("-version")
            ],
        }
        assert [item["version"] for item in response.json()["items"]] == [3, 2]
    else:
        _assert_problem(response, _denied_status(actor_name))


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_version_detail_matrix(pair, api_as, actor_name):
    # given
    _two_signed_versions(pair)
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"relationships/{pair.relationship.pk}/agreement/versions/2"
    )
    # then
    if actor_name in PARTY:
        kept = AgreementVersion.objects.get(version=2)
        assert response.status_code == 200
        assert response.json() == {
            "version": 2,
            "mentor_signed_at": _iso(kept.mentor_signed_at),
            "mentee_signed_at": _iso(kept.mentee_signed_at),
            "created_at": _iso(kept.created_at),
            "content": {**content(), "confidentiality": DEFAULT_CONFIDENTIALITY},
        }
    else:
        _assert_problem(response, _denied_status(actor_name))


def test_a_version_not_signed_by_both_is_not_found(pair, api_as):
    # given
    fill_in(pair.relationship, by=pair.mentee)
    # when
    response = api_as(pair.mentee).get(f"relationships/{pair.relationship.pk}/agreement/versions/2")
    # then
    _assert_problem(response, 404)


def test_versions_list_query_budget(pair, api_as, django_assert_max_num_queries):
    # given
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    for version in range(2, 8):
        fill_in(pair.relationship, by=pair.mentor, version=version, duration_months=version)
        agreement_sign(actor=pair.mentor, relationship_id=pair.relationship.pk, version=version + 1)
        agreement_sign(actor=pair.mentee, relationship_id=pair.relationship.pk, version=version + 1)
    client = api_as(pair.mentee)
    # when
    with django_assert_max_num_queries(5):
        response = client.get(f"relationships/{pair.relationship.pk}/agreement/versions")
    # then
    assert response.json()["count"] == 7


# --- the programme's template ------------------------------------------------------------

MANAGERS = ("manager", "admin")


def _template_status(actor_name: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(actor_name, 403)


def _template_json(template: AgreementTemplate) -> dict:
    return {
        "program_id": template.program_id,
        **{name: getattr(template, name) for name in DEFAULT_PROMPTS},
        "confidentiality_statement": template.confidentiality_statement,
        "updated_at": _iso(template.updated_at),
    }


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_get_template_matrix(pair, api_as, actor_name):
    # when
    response = api_as(pair.by_name(actor_name)).get(
        f"programs/{pair.cast.program.pk}/agreement-template"
    )
    # then
    if actor_name in MANAGERS:
        # Tandem's defaults, unsaved, as old as the programme
        assert response.status_code == 200
        assert response.json() == {
            "program_id": pair.cast.program.pk,
            **DEFAULT_PROMPTS,
            "confidentiality_statement": DEFAULT_CONFIDENTIALITY,
            "updated_at": _iso(pair.cast.program.created_at),
        }
    else:
        _assert_problem(response, _template_status(actor_name))
    # reads never write
    assert AgreementTemplate.objects.count() == 0


@pytest.mark.parametrize("actor_name", PAIR_ACTOR_NAMES)
def test_put_template_matrix(pair, api_as, actor_name):
    # given
    before = state()
    body = {
        **dict.fromkeys(DEFAULT_PROMPTS, "Think about it."),
        "confidentiality_statement": "Ours.",
    }
    # when
    response = api_as(pair.by_name(actor_name)).put(
        f"programs/{pair.cast.program.pk}/agreement-template", body
    )
    # then
    if actor_name in MANAGERS:
        assert response.status_code == 200, response.content
        template = AgreementTemplate.objects.get()
        assert response.json() == _template_json(template)
        assert template.confidentiality_statement == "Ours."
        assert template.boundaries_prompt == "Think about it."
    else:
        _assert_problem(response, _template_status(actor_name))
        assert state() == before


def test_put_template_names_the_field(cast, api_as):
    # when
    response = api_as(cast.manager).put(
        f"programs/{cast.program.pk}/agreement-template",
        {**dict.fromkeys(DEFAULT_PROMPTS, ""), "confidentiality_statement": ""},
    )
    # then
    body = _assert_problem(response, 400)
    assert body["errors"] == [
        {
            "field": "confidentiality_statement",
            "message": "The confidentiality statement is needed.",
        }
    ]
    assert AgreementTemplate.objects.count() == 0
