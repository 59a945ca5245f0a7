"""Access and roles: a paginated, searchable list and a role change that asks first."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.accounts.models import Role, User
from tandem.people.models import Profile

MEMBERS = "/accounts/members/"


def add_people(org, count, *, department="Finance", prefix="bulk"):
    """`count` people with profiles in two statements (a list page's budget must not move)."""
    users = User.objects.bulk_create(
        User(
            organization=org,
            email=f"{prefix}{index}@northwind.test",
            first_name=f"Given{index}",
            last_name=f"{prefix.title()}{index:04d}",
        )
        for index in range(count)
    )
    Profile.objects.bulk_create(Profile(user=user, department=department) for user in users)
    return users


def role_of(user):
    return User.objects.values_list("role", flat=True).get(pk=user.pk)


def roles(org):
    return dict(User.objects.filter(organization=org).values_list("pk", "role"))


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- who may open the page and change a role ---------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_access_page_is_the_org_admins_alone(cast, client, name):
    # given
    actor = cast.by_name(name)
    if actor:
        client.force_login(actor)
    # when
    response = client.get(MEMBERS)
    # then
    # (the outsider is Globex's admin: their own organisation's page, none of Northwind)
    expected = {"anonymous": 302, "admin": 200, "outsider": 200}.get(name, 404)
    assert response.status_code == expected
    page = response.content.decode()
    if name == "admin":
        assert "member@northwind.test" in page
        assert "admin@globex.test" not in page
    if name == "outsider":
        assert "admin@globex.test" in page
        assert "northwind.test" not in page


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_the_org_admin_reaches_a_role_change(cast, client, name, method):
    # given
    actor = cast.by_name(name)
    if actor:
        client.force_login(actor)
    before = roles(cast.org)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    data = {"role": Role.ORG_ADMIN, "from_role": Role.MEMBER}
    # when
    response = getattr(client, method)(url, data)
    # then
    assert response.status_code == {"anonymous": 302, "admin": 200 if method == "get" else 302}.get(
        name, 404
    )
    if name != "admin" or method == "get":
        assert roles(cast.org) == before


def test_another_organisations_person_is_not_found(cast, client):
    # given
    client.force_login(cast.outsider)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    # when
    response = client.post(url, {"role": Role.ORG_ADMIN, "from_role": Role.MEMBER})
    # then
    assert response.status_code == 404
    assert role_of(cast.member) == Role.MEMBER


# --- a role change asks first and says what changed ---------------------------------------


def test_choosing_a_role_asks_first_and_changes_nothing(cast, client):
    # given
    client.force_login(cast.admin)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    # when
    response = client.get(url, {"role": Role.PROGRAM_MANAGER, "next": "/accounts/members/?q=mem"})
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Change {escape(cast.member)}'s role?" in page
    assert "goes from <strong>Member</strong> to <strong>Programme manager</strong>" in page
    assert 'name="from_role" value="member"' in page
    assert 'name="next" value="/accounts/members/?q=mem"' in page
    assert role_of(cast.member) == Role.MEMBER


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for a in Role.values for b in Role.values if a != b],
)
def test_confirming_changes_the_role_and_says_who_old_and_new(cast, client, start, target):
    # given a second admin, so every move is allowed, and a member holding `start`
    User.objects.filter(pk=cast.manager.pk).update(role=Role.ORG_ADMIN)
    User.objects.filter(pk=cast.member.pk).update(role=start)
    client.force_login(cast.admin)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    # when
    response = client.post(
        url, {"role": target, "from_role": start, "next": "/accounts/members/?page=2"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/members/?page=2"
    assert role_of(cast.member) == target
    assert texts(response) == [
        f"{cast.member}: role changed from {Role(start).label} to {Role(target).label}."
    ]


def test_the_last_admin_cannot_be_demoted_and_the_page_says_why(cast, client):
    # given Northwind's only admin
    client.force_login(cast.admin)
    before = roles(cast.org)
    url = reverse("accounts:member_role", args=[cast.admin.pk])
    # when they confirm stepping down
    response = client.post(url, {"role": Role.MEMBER, "from_role": Role.ORG_ADMIN})
    # then
    assert response.status_code == 409
    assert "at least one active organisation admin" in response.content.decode()
    assert roles(cast.org) == before


def test_a_role_changed_since_the_question_is_asked_again(cast, client):
    # given the admin was asked about member -> admin, and someone made the member a manager
    client.force_login(cast.admin)
    User.objects.filter(pk=cast.member.pk).update(role=Role.PROGRAM_MANAGER)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    # when the admin confirms the old question
    response = client.post(url, {"role": Role.ORG_ADMIN, "from_role": Role.MEMBER})
    # then nothing changes and the page asks again from the current role
    assert response.status_code == 409
    assert role_of(cast.member) == Role.PROGRAM_MANAGER
    assert "goes from <strong>Programme manager</strong>" in response.content.decode()


@pytest.mark.parametrize("role", ["", "emperor", "ORG_ADMIN"])
def test_an_unknown_role_changes_nothing_and_says_so(cast, client, role):
    # given
    client.force_login(cast.admin)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    # when
    response = client.post(url, {"role": role, "from_role": Role.MEMBER})
    # then
    assert response.status_code == 302
    assert role_of(cast.member) == Role.MEMBER
    assert texts(response) == [f"Choose a role for {cast.member} from the list."]


def test_the_same_role_changes_nothing(cast, client):
    client.force_login(cast.admin)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    response = client.get(url, {"role": Role.MEMBER})
    assert response.status_code == 302
    assert texts(response) == [f"{cast.member} is already member; nothing changed."]


@pytest.mark.parametrize(
    "next_url", ["https://evil.test/accounts/members/", "/people/", "//evil.test"]
)
def test_the_way_back_stays_on_the_access_page(cast, client, next_url):
    client.force_login(cast.admin)
    url = reverse("accounts:member_role", args=[cast.member.pk])
    response = client.post(
        url, {"role": Role.PROGRAM_MANAGER, "from_role": Role.MEMBER, "next": next_url}
    )
    assert response["Location"] == MEMBERS


# --- search, filter, pages ----------------------------------------------------------------


def test_the_list_is_fifty_to_a_page(cast, client):
    # given 120 more people
    add_people(cast.org, 120)
    client.force_login(cast.admin)
    total = User.objects.filter(organization=cast.org).count()
    # when
    first = client.get(MEMBERS)
    second = client.get(MEMBERS, {"after": first.context["page"].next_cursor})
    last = client.get(MEMBERS, {"after": second.context["page"].next_cursor})
    # then
    assert str(first.context["count"]) == str(total)
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 50
    assert len(last.context["page"].object_list) == total - 100
    assert not last.context["page"].has_next
    assert 'data-testid="next-page"' in first.content.decode()


def test_search_finds_a_department_and_the_role_filter_narrows(cast, client):
    # given
    add_people(cast.org, 3, department="Treasury", prefix="money")
    User.objects.filter(email="money0@northwind.test").update(role=Role.PROGRAM_MANAGER)
    client.force_login(cast.admin)
    # when
    by_department = client.get(MEMBERS, {"q": "treas"})
    managers = client.get(MEMBERS, {"q": "treasury", "role": Role.PROGRAM_MANAGER})
    # then
    assert [u.email for u in by_department.context["page"].object_list] == [
        "money0@northwind.test",
        "money1@northwind.test",
        "money2@northwind.test",
    ]
    assert [u.email for u in managers.context["page"].object_list] == ["money0@northwind.test"]


def test_htmx_gets_the_results_alone_with_links_to_each_person(cast, client):
    client.force_login(cast.admin)
    response = client.get(
        MEMBERS, {"q": "mentee"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="members-results"
    )
    page = response.content.decode()
    assert page.startswith('<div id="members-results"')
    assert reverse("workspace:person", args=[cast.mentee.pk]) in page
    assert 'name="next" value="/accounts/members/?q=mentee"' in page


def count_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MEMBERS, {"page": 2}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_for_50_or_500_people(cast, client, django_assert_max_num_queries):
    # given
    client.force_login(cast.admin)
    add_people(cast.org, 50, prefix="first")
    small = count_queries(client)
    add_people(cast.org, 450, prefix="second")
    # when / then
    with django_assert_max_num_queries(9):
        assert count_queries(client) == small


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    search=st.lists(
        st.sampled_from(["ada", "LOVE", "treas", "fin", "north", "grace", "zz", "@", "1"]),
        min_size=1,
        max_size=3,
    ).map(" ".join)
)
def test_search_returns_exactly_the_people_every_word_matches(cast, client, search):
    # given a few people with names, emails and departments to match
    if not User.objects.filter(email="ada@northwind.test").exists():
        for email, first, last, department in [
            ("ada@northwind.test", "Ada", "Lovelace", "Finance"),
            ("grace@northwind.test", "Grace", "Hopper", "Treasury"),
            ("lin1@northwind.test", "Lin", "Adams", ""),
        ]:
            user = User.objects.create(
                organization=cast.org, email=email, first_name=first, last_name=last
            )
            Profile.objects.create(user=user, department=department)
    client.force_login(cast.admin)
    # when
    found = {u.pk for u in client.get(MEMBERS, {"q": search}).context["page"].object_list}
    # then: a person is listed when each word is in their name, email or department
    expected = set()
    for user in User.objects.filter(organization=cast.org).select_related("profile"):
        department = getattr(getattr(user, "profile", None), "department", "")
        haystacks = [user.first_name, user.last_name, user.email, department]
        if all(any(word.lower() in h.lower() for h in haystacks) for word in search.split()):
            expected.add(user.pk)
    assert found == expected


def test_the_directory_costs_the_same_for_50_or_500_people(cast, client):
    # given
    client.force_login(cast.admin)
    url = reverse("people:list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"page": 2, "q": "given"}).status_code == 200
        return len(captured)

    add_people(cast.org, 50, prefix="first")
    small = queries()
    add_people(cast.org, 450, prefix="second")
    # when / then
    assert queries() == small
