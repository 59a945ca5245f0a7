"""The base of every request schema."""

import typing
from typing import Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError


class InputSchema(Schema):
    """A request body (or a part of one): a JSON object, nothing else.

    ninja's Schema validates from attributes, which is what its output schemas need (they read
    model instances). As an input that let any value through as an object whose fields were
    all missing: `null` for a body whose fields all have defaults answered 200 having done
    nothing. This checks the value as it was sent.
    """

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data: Any) -> Any:
        # Inside a union (an optional body) ninja's validator has already wrapped the value.
        sent = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(sent, dict):
            raise PydanticCustomError("object_type", "Input should be a JSON object")
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode reads true/false as 1/0; in JSON a boolean is not a number.
        if isinstance(value, bool) and info.field_name in cls._numeric_fields():
            raise PydanticCustomError("number_type", "Input should be a number")
        return value

    @classmethod
    def _numeric_fields(cls) -> set[str]:
        return {
            name
            for name, field in cls.model_fields.items()
            if _admits_number(field.annotation) and not _admits(field.annotation, bool)
        }


def _admits(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return any(_admits(argument, kind) for argument in typing.get_args(annotation))


def _admits_number(annotation: Any) -> bool:
    # Only the field itself: a list or a dict of numbers is checked by its item type.
    if typing.get_origin(annotation) in (list, dict, set, tuple):
        return False
    if annotation in (int, float):
        return True
    return any(_admits_number(argument) for argument in typing.get_args(annotation))
