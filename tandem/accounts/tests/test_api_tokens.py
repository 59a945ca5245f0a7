from django.core.management import call_command

from tandem.accounts.models import ApiToken


def test_token_authenticates_and_revoked_token_does_not(cast, api_as):
    # given
    client = api_as(cast.member)
    # when
    response = client.get("me")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": cast.member.pk,
        "email": "member@northwind.test",
        "first_name": cast.member.first_name,
        "last_name": cast.member.last_name,
        "role": "member",
        "organization": {"id": cast.org.pk, "name": "Northwind", "slug": "northwind"},
    }
    token = ApiToken.objects.get(user=cast.member)
    assert token.last_used_at is not None

    # when the token is revoked through the API
    revoked = client.post(f"tokens/{token.pk}/revoke")
    # then the same token no longer works
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    after = client.get("me")
    assert after.status_code == 401
    assert after["Content-Type"] == "application/problem+json"
    assert after.json()["status"] == 401


def test_anonymous_gets_problem_json(db, api_as):
    response = api_as(None).get("me")
    assert response.status_code == 401
    body = response.json()
    assert body["type"].endswith("/unauthenticated")
    assert body["title"] == "Not signed in"


def test_cannot_revoke_someone_elses_token(cast, api_as):
    # given
    victim_client = api_as(cast.mentor)
    victim_token = ApiToken.objects.get(user=cast.mentor)
    # when
    response = api_as(cast.member).post(f"tokens/{victim_token.pk}/revoke")
    # then
    assert response.status_code == 404
    victim_token.refresh_from_db()
    assert victim_token.revoked_at is None
    assert victim_client.get("me").status_code == 200


def test_create_api_token_command_prints_a_working_token(cast, capsys, client):
    # when
    call_command("create_api_token", "MEMBER@northwind.test")
    raw = capsys.readouterr().out.strip()
    # then
    assert raw.startswith("tdm_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == "member@northwind.test"
