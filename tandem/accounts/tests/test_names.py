"""The one rule for a person's name, over every shape of first name, last name and email."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.accounts.models import User
from tandem.accounts.names import display_name, name_from, short_name

# Names as people type them: blank, only spaces or tabs, padded, several words, accents.
blankish = st.sampled_from(["", " ", "   ", "\t", " \n "])
words = st.text(
    alphabet=st.characters(categories=["L", "M", "Nd", "Pd", "Po"]), min_size=1, max_size=12
)
padded = st.builds(
    lambda before, parts, after: before + " ".join(parts) + after,
    st.sampled_from(["", " ", "  "]),
    st.lists(words, min_size=1, max_size=3),
    st.sampled_from(["", " ", "\t"]),
)
names = st.one_of(blankish, padded)
emails = st.emails()


def _user(first: str, last: str, email: str) -> User:
    return User(first_name=first, last_name=last, email=email)


@given(names, names, emails)
def test_the_display_name_is_the_typed_name_collapsed_or_else_the_email(first, last, email):
    # given a person with any first and last name
    user = _user(first, last, email)
    # when Tandem names them
    shown = display_name(user)
    # then it is their words joined by single spaces, or their email when there are none
    typed = (first + " " + last).split()
    assert shown == (" ".join(typed) if typed else email)
    # and it is never blank, never padded, never has doubled spaces
    assert shown
    assert shown == shown.strip()
    assert "  " not in shown
    # and every way the codebase reads a name agrees with it
    assert user.display_name == str(user) == user.get_full_name() == shown
    assert name_from(first, last, email) == shown


@given(names, names, emails)
def test_the_short_name_is_the_first_name_collapsed_or_else_the_display_name(first, last, email):
    user = _user(first, last, email)
    words_of_first = first.split()
    expected = " ".join(words_of_first) if words_of_first else display_name(user)
    assert short_name(user) == user.short_name == user.get_short_name() == expected
    assert short_name(user).strip() == short_name(user) != ""


@pytest.mark.parametrize(
    ("first", "last", "email", "shown", "short"),
    [
        ("Sam", "Lee", "sam@x.test", "Sam Lee", "Sam"),
        ("  Sam ", "  ", "sam@x.test", "Sam", "Sam"),
        ("", "Lee", "lee@x.test", "Lee", "Lee"),
        ("   ", "   ", "nobody@x.test", "nobody@x.test", "nobody@x.test"),
        ("Anna  Maria", "de  la Cruz", "a@x.test", "Anna Maria de la Cruz", "Anna Maria"),
    ],
)
def test_names_as_people_read_them(first, last, email, shown, short):
    user = _user(first, last, email)
    assert (display_name(user), short_name(user)) == (shown, short)
