import pytest

from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.people.selectors import profile_timezone_get, profile_timezones_get, profile_zone_get
from tandem.people.tests.factories import ProfileFactory
from tandem.people.zones import zone_name_or_utc


def test_profile_timezone_is_the_persons_own_or_utc_before_a_profile(db, django_assert_num_queries):
    # given one person who works in Auckland and one who has no profile yet
    auckland = User.objects.get(pk=ProfileFactory(timezone="Pacific/Auckland").user_id)
    newcomer = User.objects.get(pk=UserFactory().pk)
    # when / then (one query each, read cold: a loaded profile needs none)
    with django_assert_num_queries(1):
        assert profile_timezone_get(user=auckland) == "Pacific/Auckland"
    with django_assert_num_queries(1):
        assert profile_timezone_get(user=newcomer) == "UTC"


# Zone names as profiles hold them: real ones, blank, and ones this machine does not know.
ZONE_NAMES = [
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Asia/Kathmandu",
    "UTC",
    "",
    "Mars/Olympus_Mons",
    "not a zone",
    "../etc/passwd",
]


def _expected(name: str) -> str:
    return name if name in {"Pacific/Auckland", "America/Sao_Paulo", "Asia/Kathmandu"} else "UTC"


@pytest.mark.parametrize("name", ZONE_NAMES)
def test_the_zone_owner_answers_alike_whether_the_profile_is_loaded_or_not(
    db, django_assert_num_queries, name
):
    # given a person whose profile names `name`
    person = ProfileFactory(timezone=name).user
    # when the zone is read cold (one query)
    reader = User(pk=person.pk)
    with django_assert_num_queries(1):
        cold = profile_timezone_get(user=reader)
    # and read again for the same person (the next panel of a page): no query
    with django_assert_num_queries(0):
        again = profile_timezone_get(user=reader)
    # and with the profile already loaded (none)
    loaded = User.objects.select_related("profile").get(pk=person.pk)
    with django_assert_num_queries(0):
        warm = profile_timezone_get(user=loaded)
        zone = profile_zone_get(user=loaded)
    # then both are the profile's zone, or UTC when it is blank or unknown
    assert cold == again == warm == zone.key == _expected(name)
    assert zone_name_or_utc(name) == _expected(name)


def test_a_person_without_a_profile_loaded_as_missing_is_utc_without_a_query(
    db, django_assert_num_queries
):
    newcomer = UserFactory()
    loaded = User.objects.select_related("profile").get(pk=newcomer.pk)
    with django_assert_num_queries(0):
        assert profile_timezone_get(user=loaded) == "UTC"


def test_many_peoples_zones_are_read_in_one_query_with_every_id_answered(
    db, django_assert_num_queries
):
    # given people with every kind of zone name, and one without a profile
    people = [ProfileFactory(timezone=name).user for name in ZONE_NAMES]
    newcomer = UserFactory()
    ids = [newcomer.pk, *(person.pk for person in people), people[0].pk]
    # when their zones are read together
    with django_assert_num_queries(1):
        zones = profile_timezones_get(user_ids=ids)
    # then each id has the same answer the single reader gives
    assert zones == {
        newcomer.pk: "UTC",
        **{person.pk: _expected(name) for person, name in zip(people, ZONE_NAMES, strict=True)},
    }
