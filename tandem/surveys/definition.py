"""A survey's definition: validated data, described by a JSON schema.

A definition is `{"intro": str, "questions": [question, ...]}`; each question has a `key`
(unique in the survey: answers are stored under it), the `text` people read, `required`, and
a `type`:

- `rating`: 1 (lowest) to 5 (highest);
- `nps`: 0 (not at all likely) to 10 (extremely likely);
- `single_choice` / `multiple_choice`: one, or several distinct, of its `choices`;
- `text`: free text, at most `TEXT_MAX` characters;
- `pairing_fit`: good fit / still deciding / not a good fit (`PAIRING_FIT_CHOICES`).

The pydantic models below are the one source: `DEFINITION_JSON_SCHEMA` is generated from them
(and published in the API's docs), and `definition_validate` applies them plus the rules a JSON
schema cannot say (unique keys, unique choices), each error naming the path that broke it.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tandem.core.errors import FieldError, InvalidInput

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
QUESTIONS_MAX = 30
CHOICES_MIN = 2
CHOICES_MAX = 12
TEXT_MAX = 2000

RATING_RANGE = (1, 5)
NPS_RANGE = (0, 10)
# Net Promoter Score's groups: 9-10 promote, 0-6 detract, 7-8 are passive.
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def nps_group(score: int) -> str:
    """Which NPS group an answer of 0-10 falls in: "promoters", "passives" or "detractors"."""
    if score >= PROMOTER_FROM:
        return "promoters"
    return "detractors" if score <= DETRACTOR_UP_TO else "passives"


GOOD_FIT = "good_fit"
STILL_DECIDING = "still_deciding"
NOT_A_GOOD_FIT = "not_a_good_fit"
PAIRING_FIT_CHOICES: dict[str, str] = {
    GOOD_FIT: "A good fit",
    STILL_DECIDING: "Still deciding",
    NOT_A_GOOD_FIT: "Not a good fit",
}

QUESTION_TYPES = ("rating", "nps", "single_choice", "multiple_choice", "text", "pairing_fit")

QuestionText = Annotated[str, Field(min_length=1, max_length=300)]
ChoiceText = Annotated[str, Field(min_length=1, max_length=120)]


class _Question(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    key: Annotated[str, Field(pattern=KEY_PATTERN)]
    text: QuestionText
    required: bool = True


class RatingQuestion(_Question):
    type: Literal["rating"]


class NpsQuestion(_Question):
    type: Literal["nps"]


class TextQuestion(_Question):
    type: Literal["text"]


class PairingFitQuestion(_Question):
    type: Literal["pairing_fit"]


class _ChoiceQuestion(_Question):
    choices: Annotated[list[ChoiceText], Field(min_length=CHOICES_MIN, max_length=CHOICES_MAX)]

    @model_validator(mode="after")
    def _distinct_choices(self) -> "_ChoiceQuestion":
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("Each choice may appear only once.")
        return self


class SingleChoiceQuestion(_ChoiceQuestion):
    type: Literal["single_choice"]


class MultipleChoiceQuestion(_ChoiceQuestion):
    type: Literal["multiple_choice"]


Question = Annotated[
    RatingQuestion
    | NpsQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TextQuestion
    | PairingFitQuestion,
    Field(discriminator="type"),
]


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, title="SurveyDefinition")

    intro: Annotated[str, Field(max_length=1000)] = ""
    questions: Annotated[list[Question], Field(min_length=1, max_length=QUESTIONS_MAX)]

    @model_validator(mode="after")
    def _distinct_keys(self) -> "SurveyDefinition":
        keys = [question.key for question in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("Each question needs its own key.")
        return self


DEFINITION_JSON_SCHEMA: dict[str, Any] = SurveyDefinition.model_json_schema()


def _path(location: tuple[int | str, ...]) -> str:
    # pydantic names the union member it tried ("rating") inside the path; people want the
    # path in the document they sent.
    parts = [str(part) for part in location]
    if len(parts) >= 3 and parts[0] == "questions" and parts[2] in QUESTION_TYPES:
        del parts[2]
    return ".".join(["definition", *parts])


def definition_validate(data: object) -> dict[str, Any]:
    """`data` as a valid definition (normalised: defaults filled in), or InvalidInput whose
    errors name each broken path (`definition.questions.2.choices`)."""
    try:
        definition = SurveyDefinition.model_validate(data)
    except ValidationError as error:
        errors = [
            FieldError(_path(tuple(item["loc"])), item["msg"].removeprefix("Value error, "))
            for item in error.errors()
        ]
        raise InvalidInput("The survey's definition is not valid.", errors=errors) from None
    return definition.model_dump(mode="json", exclude_none=True)


def questions_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions of a stored (already validated) definition."""
    return list(definition.get("questions", []))
