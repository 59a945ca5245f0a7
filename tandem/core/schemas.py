"""The base of every request schema."""

from typing import Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator
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
