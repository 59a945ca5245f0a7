"""Single-line text: the one rule every title and name field keeps."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError

from tandem.core.forms import SingleLineField
from tandem.core.text import SINGLE_LINE_MESSAGE, SingleLine, one_line, single_line_problem

BREAKERS = [
    *(chr(c) for c in range(0x20)),
    *(chr(c) for c in range(0x7F, 0xA0)),
    "\u2028",
    "\u2029",
]


class _In(Schema):
    title: SingleLine


class _Form(forms.Form):
    title = SingleLineField(max_length=200)


@given(st.text(max_size=40))
def test_the_rule_is_exactly_no_control_characters_or_line_separators(value):
    # when
    problem = single_line_problem(value)
    # then
    assert (problem is None) == (not any(ch in BREAKERS for ch in value))
    assert problem in (None, SINGLE_LINE_MESSAGE)


@given(st.text(max_size=40))
def test_one_line_folds_every_break_into_a_space(value):
    # when
    folded = one_line(value)
    # then
    assert single_line_problem(folded) is None
    assert folded == folded.strip()
    # and text that was one line already only loses its outer spaces
    if single_line_problem(value) is None:
        assert folded == value.strip()


@given(st.text(max_size=10), st.sampled_from(BREAKERS), st.text(max_size=10))
def test_the_api_type_and_the_form_field_refuse_a_break_anywhere_inside(before, breaker, after):
    # given a value with a line break or control character that is not at its edges
    value = f"x{before}{breaker}{after}x"
    # when / then the API's schema answers a field error of its own type
    with pytest.raises(ValidationError) as raised:
        _In.model_validate({"title": value})
    (error,) = raised.value.errors()
    assert (error["loc"], error["type"], error["msg"]) == (
        ("title",),
        "single_line",
        SINGLE_LINE_MESSAGE,
    )
    # and the form says the same on the field (after Django's own word on a NUL character)
    form = _Form(data={"title": value})
    assert not form.is_valid()
    null = ["Null characters are not allowed."] if "\x00" in value else []
    assert form.errors["title"] == [SINGLE_LINE_MESSAGE, *null]


@given(st.text(alphabet=st.characters(blacklist_characters=BREAKERS), min_size=1, max_size=40))
def test_one_line_of_any_script_is_accepted_as_typed(value):
    # when
    parsed = _In.model_validate({"title": value})
    # then
    assert parsed.title == value
