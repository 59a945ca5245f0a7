"""Every API error is problem+json with the same shape."""


def test_unknown_api_path_is_problem_json(cast, api_as):
    response = api_as(cast.member).get("no-such-thing")
    assert response.status_code == 404


def test_malformed_json_body_is_a_problem(cast, api_as):
    client = api_as(cast.admin)
    response = client.client.post(
        f"/api/v1/members/{cast.member.pk}/role",
        data="{not json",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def test_session_auth_requires_csrf(cast):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.admin)
    # a GET with the session works
    assert browser.get("/api/v1/me").status_code == 200
    # a POST without the CSRF token does not, and changes nothing
    response = browser.post(
        f"/api/v1/members/{cast.member.pk}/role",
        data='{"role": "org_admin"}',
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    cast.member.refresh_from_db()
    assert cast.member.role == "member"


def test_an_action_with_only_optional_fields_accepts_no_body(cast, api_as):
    # given a pending application
    from tandem.participants.models import ParticipantStatus
    from tandem.participants.tests.factories import ParticipantFactory

    application = ParticipantFactory(program=cast.program, status=ParticipantStatus.PENDING)
    client = api_as(cast.manager)
    # when the manager approves it with a bare POST
    response = client.client.generic(
        "POST", f"/api/v1/participants/{application.pk}/approve", headers=client.headers
    )
    # then
    assert response.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (ParticipantStatus.ACTIVE, "")


def test_a_required_body_still_names_its_missing_fields(cast, api_as):
    client = api_as(cast.admin)
    response = client.client.generic(
        "POST", f"/api/v1/members/{cast.member.pk}/role", headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "Field required"}]
    cast.member.refresh_from_db()
    assert cast.member.role == "member"
