from tandem.accounts.tests.factories import UserFactory
from tandem.people.selectors import profile_timezone_get
from tandem.people.tests.factories import ProfileFactory


def test_profile_timezone_is_the_persons_own_or_utc_before_a_profile(db, django_assert_num_queries):
    # given one person who works in Auckland and one who has no profile yet
    auckland = ProfileFactory(timezone="Pacific/Auckland").user
    newcomer = UserFactory()
    # when / then (one query each)
    with django_assert_num_queries(1):
        assert profile_timezone_get(user=auckland) == "Pacific/Auckland"
    with django_assert_num_queries(1):
        assert profile_timezone_get(user=newcomer) == "UTC"
