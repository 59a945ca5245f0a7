"""The definition's validation, over generated valid and broken definitions."""

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.errors import InvalidInput
from tandem.surveys.definition import (
    CHOICES_MAX,
    DEFINITION_JSON_SCHEMA,
    QUESTION_TYPES,
    definition_validate,
)

keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(min_size=1, max_size=60).filter(lambda text: text.strip() == text)
choice_lists = st.lists(texts, min_size=2, max_size=CHOICES_MAX, unique=True)


@st.composite
def questions(draw: st.DrawFn, key: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(QUESTION_TYPES))
    question: dict[str, Any] = {"key": key, "text": draw(texts), "type": kind}
    if draw(st.booleans()):
        question["required"] = draw(st.booleans())
    if kind in ("single_choice", "multiple_choice"):
        question["choices"] = draw(choice_lists)
    return question


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    chosen_keys = draw(st.lists(keys, min_size=1, max_size=8, unique=True))
    return {
        "intro": draw(st.text(max_size=40)),
        "questions": [draw(questions(k)) for k in chosen_keys],
    }


@given(definitions())
def test_every_well_formed_definition_is_accepted_and_kept(definition: dict[str, Any]) -> None:
    # when
    stored = definition_validate(definition)
    # then: the same questions, with `required` filled in
    assert stored["intro"] == definition["intro"]
    assert [q["key"] for q in stored["questions"]] == [q["key"] for q in definition["questions"]]
    for sent, kept in zip(definition["questions"], stored["questions"], strict=True):
        assert kept == {**sent, "required": sent.get("required", True)}
    # and validating the stored form again changes nothing
    assert definition_validate(stored) == stored


BREAKAGES = {
    "no questions": lambda d: d.update(questions=[]),
    "unknown type": lambda d: d["questions"][-1].update(type="slider"),
    "empty text": lambda d: d["questions"][-1].update(text=""),
    "bad key": lambda d: d["questions"][-1].update(key="Not A Key"),
    "unknown field": lambda d: d["questions"][-1].update(colour="red"),
    "duplicate key": lambda d: d["questions"].append(copy.deepcopy(d["questions"][0])),
    "required not a bool": lambda d: d["questions"][-1].update(required="yes"),
    "top-level extra": lambda d: d.update(theme="dark"),
    "questions not a list": lambda d: d.update(questions={"a": 1}),
}


@given(definitions(), st.sampled_from(sorted(BREAKAGES)))
def test_every_broken_definition_is_refused_naming_the_path(
    definition: dict[str, Any], breakage: str
) -> None:
    # given
    broken = copy.deepcopy(definition)
    BREAKAGES[breakage](broken)
    # when
    with pytest.raises(InvalidInput) as raised:
        definition_validate(broken)
    # then
    assert raised.value.errors
    assert all(error.field.startswith("definition") for error in raised.value.errors)


@given(definitions(), st.sampled_from(["single_choice", "multiple_choice"]), st.data())
def test_choice_questions_need_distinct_choices(
    definition: dict[str, Any], kind: str, data: st.DataObject
) -> None:
    # given: a choice question whose choices repeat one
    choices = data.draw(choice_lists)
    definition["questions"].append(
        {"key": "zz_last", "text": "Pick", "type": kind, "choices": [*choices, choices[0]]}
    )
    index = len(definition["questions"]) - 1
    # when
    with pytest.raises(InvalidInput) as raised:
        definition_validate(definition)
    # then: the error names that question
    fields = [error.field for error in raised.value.errors]
    assert any(field.startswith(f"definition.questions.{index}") for field in fields)


@pytest.mark.parametrize("data", [None, [], "text", 3, {"questions": None}])
def test_definitions_that_are_not_objects_are_refused(data: object) -> None:
    with pytest.raises(InvalidInput):
        definition_validate(data)


def test_the_json_schema_names_every_question_type() -> None:
    # then: the published schema is the validator's own
    schema_text = str(DEFINITION_JSON_SCHEMA)
    for kind in QUESTION_TYPES:
        assert f"'{kind}'" in schema_text
    assert DEFINITION_JSON_SCHEMA["required"] == ["questions"]
