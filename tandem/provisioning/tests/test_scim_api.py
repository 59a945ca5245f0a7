"""The SCIM endpoints over HTTP: authentication, tenancy, Users and Groups, filters, sorting,
pagination, PATCH, ETags and SCIM's error format."""

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import Cast, Pair
from tandem.accounts.models import User
from tandem.accounts.services import api_token_create
from tandem.accounts.tests.factories import UserFactory
from tandem.people.models import DirectoryGroup
from tandem.provisioning.models import PersonDeactivation, ScimIdentity
from tandem.provisioning.services import scim_token_create, scim_token_revoke
from tandem.relationships.models import RelationshipStatus

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """A SCIM client for one organisation's base URL and token."""

    def __init__(self, slug: str, token: str | None) -> None:
        self.client = Client()
        self.base = f"/scim/v2/{slug}"
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(method, self.base + path, data, content_type=SCIM, **extra)

    def get(self, path: str, **headers: str) -> Any:
        return self.call("GET", path, **headers)


def _token(cast: Cast, org=None) -> str:
    return scim_token_create(actor=None, organization=org or cast.org, name="Okta")[1]


@pytest.fixture
def scim(cast: Cast) -> Scim:
    return Scim("northwind", _token(cast))


def _user_body(user_name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [USER, ENTERPRISE],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def _error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


# --- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "garbage", "revoked", "other_org", "api_token"])
@pytest.mark.parametrize("path", ["/Users", "/Groups", "/ServiceProviderConfig", "/Schemas"])
def test_a_request_without_a_valid_token_of_this_organisation_is_401(
    cast: Cast, case: str, path: str
) -> None:
    # given a token that is not a valid one of this organisation
    token: str | None
    if case == "missing":
        token = None
    elif case == "garbage":
        token = "tdm_scim_not-a-token"
    elif case == "revoked":
        row, token = scim_token_create(actor=None, organization=cast.org, name="Old")
        scim_token_revoke(actor=cast.admin, token_id=row.pk)
    elif case == "other_org":
        token = _token(cast, cast.other_org)
    else:
        token = api_token_create(user=cast.admin, name="personal")[1]

    # when it calls the SCIM endpoints
    response = Scim("northwind", token).get(path)

    # then SCIM's 401, in SCIM's format
    _error(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'


def test_a_token_records_when_it_was_last_used(cast: Cast) -> None:
    row, token = scim_token_create(actor=None, organization=cast.org, name="Okta")
    assert row.last_used_at is None

    Scim("northwind", token).get("/Users")

    row.refresh_from_db()
    assert row.last_used_at is not None


# --- tenancy -----------------------------------------------------------------------------


def test_a_token_of_one_organisation_never_sees_or_changes_anothers_people(
    cast: Cast, scim: Scim
) -> None:
    # given a person and a group of the other organisation
    foreign = cast.outsider
    other = Scim("globex", _token(cast, cast.other_org))
    group = other.call("POST", "/Groups", {"schemas": [GROUP], "displayName": "Globex team"})
    assert group.status_code == 201
    group_id = group.json()["id"]

    # when Northwind's token reads, filters, changes or deletes them
    listed = scim.get("/Users?count=200").json()
    filtered = scim.get(f'/Users?filter=userName eq "{foreign.email}"').json()
    responses = [
        scim.get(f"/Users/{foreign.pk}"),
        scim.call("PUT", f"/Users/{foreign.pk}", _user_body("x", "x@example.com")),
        scim.call(
            "PATCH",
            f"/Users/{foreign.pk}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
        ),
        scim.call("DELETE", f"/Users/{foreign.pk}"),
        scim.get(f"/Groups/{group_id}"),
        scim.call("DELETE", f"/Groups/{group_id}"),
    ]
    member = scim.call(
        "POST",
        "/Groups",
        {"schemas": [GROUP], "displayName": "Mine", "members": [{"value": str(foreign.pk)}]},
    )

    # then they are not there, and nothing of theirs changed
    assert str(foreign.pk) not in {r["id"] for r in listed["Resources"]}
    assert filtered["totalResults"] == 0
    for response in responses:
        _error(response, 404)
    _error(member, 400, "invalidValue")
    foreign.refresh_from_db()
    assert foreign.is_active is True
    assert foreign.email == "admin@globex.test"
    assert not PersonDeactivation.objects.exists()
    assert DirectoryGroup.objects.filter(pk=group_id).exists()
    assert other.get(f"/Groups/{group_id}").status_code == 200


# --- Users -------------------------------------------------------------------------------


def test_create_read_replace_and_delete_a_user(cast: Cast, scim: Scim) -> None:
    # when the identity provider creates a person with the enterprise extension
    body = _user_body(
        "ada.l",
        "ada@example.com",
        title="Analyst",
        externalId="okta-123",
        **{
            ENTERPRISE: {
                "employeeNumber": "E-7",
                "department": "Maths",
                "manager": {"value": str(cast.manager.pk)},
            }
        },
    )
    created = scim.call("POST", "/Users", body)

    # then Tandem has a member of the organisation with those facts
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == SCIM
    payload = created.json()
    person = User.objects.get(email="ada@example.com")
    assert created["Location"] == f"http://testserver/scim/v2/northwind/Users/{person.pk}"
    assert created["ETag"] == payload["meta"]["version"]
    assert payload["meta"]["version"].startswith('W/"')
    assert (person.organization_id, person.role, person.first_name) == (
        cast.org.pk,
        "member",
        "Ada",
    )
    assert person.profile.department == "Maths"
    assert person.profile.job_title == "Analyst"
    assert person.profile.manager == cast.manager
    assert payload["userName"] == "ada.l"
    assert payload["externalId"] == "okta-123"
    assert payload["displayName"] == "Ada Lovelace"
    assert payload[ENTERPRISE] == {
        "employeeNumber": "E-7",
        "department": "Maths",
        "manager": {
            "value": str(cast.manager.pk),
            "$ref": f"http://testserver/scim/v2/northwind/Users/{cast.manager.pk}",
        },
    }

    # when it replaces the person
    replaced = scim.call(
        "PUT", f"/Users/{person.pk}", _user_body("ada.l", "ada.lovelace@example.com")
    )

    # then what SCIM manages is replaced (attributes left out are cleared)
    assert replaced.status_code == 200, replaced.content
    person.refresh_from_db()
    person.profile.refresh_from_db()
    assert person.email == "ada.lovelace@example.com"
    assert person.profile.department == ""
    assert ENTERPRISE not in replaced.json()

    # when it deletes the person
    deleted = scim.call("DELETE", f"/Users/{person.pk}")

    # then they are deactivated (history kept) and no longer served
    assert deleted.status_code == 204
    _error(scim.get(f"/Users/{person.pk}"), 404)
    person.refresh_from_db()
    assert person.is_active is False
    assert PersonDeactivation.objects.filter(user=person).count() == 1

    # and creating them again brings the same account back
    again = scim.call("POST", "/Users", _user_body("ada.l", "ada.lovelace@example.com"))
    assert again.status_code == 201, again.content
    assert again.json()["id"] == str(person.pk)
    person.refresh_from_db()
    assert person.is_active is True


def test_active_false_deactivates_and_true_reactivates(pair: Pair, scim: Scim) -> None:
    mentee = pair.mentee
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]}

    response = scim.call("PATCH", f"/Users/{mentee.pk}", off)

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.PAUSED
    record = PersonDeactivation.objects.get(user=mentee)
    assert record.deactivated_via == "identity provider (SCIM token 'Okta')"

    response = scim.call("PATCH", f"/Users/{mentee.pk}", on)

    assert response.json()["active"] is True
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == RelationshipStatus.ACTIVE


def test_patch_add_replace_and_remove(cast: Cast, scim: Scim) -> None:
    person = cast.member
    ops = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": "name.givenName", "value": "Grace"},
            {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Navy"},
            {"op": "add", "path": "title", "value": "Rear Admiral"},
        ],
    }

    first = scim.call("PATCH", f"/Users/{person.pk}", ops)
    second = scim.call(
        "PATCH",
        f"/Users/{person.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "title"}]},
    )

    assert first.status_code == 200, first.content
    assert first.json()["name"]["givenName"] == "Grace"
    assert first.json()[ENTERPRISE]["department"] == "Navy"
    assert first.json()["title"] == "Rear Admiral"
    assert second.status_code == 200, second.content
    assert "title" not in second.json()
    person.refresh_from_db()
    person.profile.refresh_from_db()
    assert (person.first_name, person.profile.department, person.profile.job_title) == (
        "Grace",
        "Navy",
        "",
    )


def test_etags_answer_304_and_refuse_a_stale_write(cast: Cast, scim: Scim) -> None:
    person = cast.member
    read = scim.get(f"/Users/{person.pk}")
    etag = read["ETag"]

    unchanged = scim.get(f"/Users/{person.pk}", **{"If-None-Match": etag})
    scim.call(
        "PATCH",
        f"/Users/{person.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "New"}]},
        **{"If-Match": etag},
    )
    stale = scim.call(
        "PATCH",
        f"/Users/{person.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Lost"}]},
        **{"If-Match": etag},
    )

    assert unchanged.status_code == 304
    _error(stale, 412)
    person.profile.refresh_from_db()
    assert person.profile.job_title == "New"
    assert scim.get(f"/Users/{person.pk}")["ETag"] != etag


@pytest.mark.parametrize(
    ("body", "status", "scim_type", "names"),
    [
        ({"schemas": [USER], "userName": "x"}, 400, "invalidValue", "emails"),
        (_user_body("x", "not-an-email"), 400, "invalidValue", "emails"),
        (_user_body("", "a@example.com"), 400, None, "userName"),
        (_user_body("nul\x00name", "nul@example.com"), 400, "invalidValue", "userName"),
        (_user_body("mentor@northwind.test", "new@example.com"), 409, "uniqueness", "userName"),
        (_user_body("fresh", "TAKEN@example.com"), 409, "uniqueness", "email"),
        (_user_body("fresh", "foreign@example.com"), 409, "uniqueness", "email"),
        (
            _user_body("fresh", "f@example.com", **{ENTERPRISE: {"manager": {"value": "999999"}}}),
            400,
            "invalidValue",
            "manager",
        ),
    ],
)
def test_bad_users_say_which_attribute_and_change_nothing(
    cast: Cast, scim: Scim, body: dict[str, Any], status: int, scim_type: str | None, names: str
) -> None:
    # given an address taken in this organisation and one in another
    UserFactory(organization=cast.org, email="taken@example.com")
    UserFactory(organization=cast.other_org, email="foreign@example.com")
    count = User.objects.count()

    response = scim.call("POST", "/Users", body)

    error = _error(response, status, scim_type)
    assert names in error["detail"]
    assert User.objects.count() == count
    assert not ScimIdentity.objects.exists()


def test_a_body_that_is_not_json_is_a_scim_error(scim: Scim) -> None:
    response = scim.client.generic(
        "POST",
        scim.base + "/Users",
        b"{oops",
        content_type=SCIM,
        HTTP_AUTHORIZATION=f"Bearer {scim.token}",
    )
    _error(response, 400)


# --- listing: filters, sorting, pagination -----------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName eq "MENTOR@northwind.test"', {"mentor"}),
        ('emails.value co "manager@"', {"manager", "other_manager"}),
        ('userName sw "m"', {"manager", "member", "mentor", "mentee"}),
        ('userName sw "me" and not (userName eq "member@northwind.test")', {"mentor", "mentee"}),
        (
            'userName eq "admin@northwind.test" or userName ew "mentee@northwind.test"',
            {"admin", "mentee"},
        ),
        ('emails[value eq "member@northwind.test"]', {"member"}),
        ("active eq false", set()),
        (f'{ENTERPRISE}:department eq "Nowhere"', set()),
    ],
)
def test_filters(cast: Cast, scim: Scim, expression: str, expected: set[str]) -> None:
    response = scim.get(f"/Users?filter={expression}")

    assert response.status_code == 200, response.content
    ids = (
        {r["id"] for r in response.json()["Resources"] or []}
        if response.json()["totalResults"]
        else set()
    )
    assert ids == {str(getattr(cast, name).pk) for name in expected}


@pytest.mark.parametrize(
    "expression",
    ['nickName eq "x"', "userName eq", 'active co "t"', 'id gt "3"', "urn:x:y:z:attr eq 1"],
)
def test_a_filter_tandem_cannot_answer_is_invalid_filter(scim: Scim, expression: str) -> None:
    _error(scim.get(f"/Users?filter={expression}"), 400, "invalidFilter")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(value="\x00")
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_any_quoted_value_filters_without_error(cast: Cast, scim: Scim, value: str) -> None:
    quoted = json.dumps(value)
    response = scim.client.get(
        scim.base + "/Users",
        {"filter": f"userName eq {quoted} or emails.value co {quoted}"},
        HTTP_AUTHORIZATION=f"Bearer {scim.token}",
    )
    if "\x00" in value:
        _error(response, 400, "invalidFilter")
        return
    assert response.status_code == 200, response.content
    emails = {
        u.email
        for u in User.objects.filter(organization=cast.org)
        if u.email.lower() == value.lower() or value.lower() in u.email.lower()
    }
    listed = {r["emails"][0]["value"] for r in response.json().get("Resources") or []}
    assert listed == emails


def test_sorting_and_pagination(cast: Cast, scim: Scim) -> None:
    everyone = sorted(
        User.objects.filter(organization=cast.org).values_list("email", flat=True), reverse=True
    )

    first = scim.get("/Users?sortBy=userName&sortOrder=descending&startIndex=1&count=3").json()
    second = scim.get("/Users?sortBy=userName&sortOrder=descending&startIndex=4&count=3").json()
    empty = scim.get("/Users?count=0").json()

    assert first["totalResults"] == len(everyone)
    assert (first["startIndex"], first["itemsPerPage"]) == (1, 3)
    assert [r["userName"] for r in first["Resources"]] == everyone[:3]
    assert [r["userName"] for r in second["Resources"]] == everyone[3:6]
    assert empty["totalResults"] == len(everyone)
    assert "Resources" not in empty


def test_attributes_and_excluded_attributes(cast: Cast, scim: Scim) -> None:
    only = scim.get(f"/Users/{cast.member.pk}?attributes=userName").json()
    without = scim.get(f"/Users/{cast.member.pk}?excludedAttributes=emails").json()

    assert set(only) == {"schemas", "id", "userName"}
    assert "emails" not in without
    assert without["userName"] == "member@northwind.test"


@pytest.mark.parametrize("extra", [0, 30])
def test_listing_users_and_groups_takes_a_fixed_number_of_queries(
    cast: Cast, scim: Scim, django_assert_max_num_queries: Any, extra: int
) -> None:
    people = UserFactory.create_batch(extra, organization=cast.org)
    for index in range(0, extra, 3):
        group = scim.call(
            "POST",
            "/Groups",
            {
                "schemas": [GROUP],
                "displayName": f"G{index}",
                "members": [{"value": str(p.pk)} for p in people[index : index + 3]],
            },
        )
        assert group.status_code == 201

    with django_assert_max_num_queries(6):
        users = scim.get("/Users?count=200")
    with django_assert_max_num_queries(6):
        groups = scim.get("/Groups?count=200")

    assert users.json()["totalResults"] == User.objects.filter(organization=cast.org).count()
    assert len(users.json()["Resources"]) == 6 + extra
    assert groups.json()["totalResults"] == len(range(0, extra, 3))


# --- Groups ------------------------------------------------------------------------------


def test_groups_and_their_members(cast: Cast, scim: Scim) -> None:
    created = scim.call(
        "POST",
        "/Groups",
        {
            "schemas": [GROUP],
            "displayName": "Mentoring pilot",
            "members": [{"value": str(cast.mentor.pk)}],
        },
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]

    added = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": str(cast.mentee.pk)}]}
            ],
        },
    )
    removed = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{cast.mentor.pk}"]'}],
        },
    )
    found = scim.get(f'/Groups?filter=members[value eq "{cast.mentee.pk}"]').json()
    person = scim.get(f"/Users/{cast.mentee.pk}").json()
    duplicate = scim.call("POST", "/Groups", {"schemas": [GROUP], "displayName": "mentoring PILOT"})

    assert {m["value"] for m in added.json()["members"]} == {
        str(cast.mentor.pk),
        str(cast.mentee.pk),
    }
    assert [m["value"] for m in removed.json()["members"]] == [str(cast.mentee.pk)]
    assert [g["id"] for g in found["Resources"]] == [group_id]
    assert person["groups"] == [
        {
            "value": group_id,
            "$ref": f"http://testserver/scim/v2/northwind/Groups/{group_id}",
            "display": "Mentoring pilot",
            "type": "direct",
        }
    ]
    _error(duplicate, 409, "uniqueness")

    deleted = scim.call("DELETE", f"/Groups/{group_id}")
    assert deleted.status_code == 204
    _error(scim.get(f"/Groups/{group_id}"), 404)


# --- discovery ---------------------------------------------------------------------------


def test_discovery_describes_what_tandem_stores(scim: Scim) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    types = scim.get("/ResourceTypes").json()
    user_schema = scim.get(f"/Schemas/{USER}").json()

    assert config["patch"] == {"supported": True}
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"] == {"supported": True}
    assert config["sort"] == {"supported": True}
    assert config["bulk"]["supported"] is False
    assert [t["name"] for t in types["Resources"]] == ["User", "Group"]
    assert [a["name"] for a in user_schema["attributes"]] == [
        "userName",
        "name",
        "displayName",
        "title",
        "active",
        "emails",
        "groups",
    ]
    _error(scim.get("/Nope"), 404)
    _error(scim.call("POST", "/.search", {}), 501)
