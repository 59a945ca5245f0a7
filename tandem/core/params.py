"""Bounded types for the API's numbers, so an out-of-range value is a 422, never a database error.

Every primary key is a 64-bit signed integer (`BigAutoField`), so an id outside 1..2^63-1 names
nothing; passed on, it overflows SQLite's INTEGER or PostgreSQL's bigint and the database raises
(OverflowError / DataError). Declaring the range in the schema makes pydantic refuse it with the
parameter's name, and publishes the range in the OpenAPI document.
"""

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

MAX_BIGINT = 2**63 - 1


def _not_a_boolean(value: Any) -> Any:
    # pydantic's lax mode reads true/false as 1/0; in JSON a boolean is not a number.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


NotBoolean = BeforeValidator(_not_a_boolean)

Id = Annotated[int, Field(ge=1, le=MAX_BIGINT), NotBoolean]
"""A row's id, in a path, a query or a body."""

MAX_INT32 = 2**31 - 1

Version = Annotated[int, Field(ge=1, le=MAX_INT32), NotBoolean]
"""A version number (1, 2, ...), stored like every counter in a 32-bit PositiveIntegerField."""

SmallCount = Annotated[int, Field(ge=0, le=2**15 - 1), NotBoolean]
"""A number stored in a PositiveSmallIntegerField (capacities, durations, ratings)."""

Count = Annotated[int, Field(ge=0, le=MAX_INT32), NotBoolean]
"""A number stored in a PositiveIntegerField (positions, offsets in days, timings)."""

Int32 = Annotated[int, Field(ge=-(2**31), le=MAX_INT32), NotBoolean]
"""A number stored in an IntegerField (a question's smallest or largest answer)."""

# An object keyed by ids ({"12": 4}): JSON keys are strings, so the published schema must say
# which strings (pydantic publishes nothing for int keys, and took "abc" for a 422 a client
# could not foresee). The pattern and the validator are the same rule: digits, no leading zero,
# at most 18 (every such number is a valid id).
ID_KEY_PATTERN = r"^[1-9][0-9]{0,17}$"


def _id_key(key: Any) -> Any:
    if isinstance(key, str) and not re.fullmatch(ID_KEY_PATTERN, key):
        raise PydanticCustomError("id_key", "Keys should be ids: digits, not starting with 0")
    return key


IdKey = Annotated[int, NotBoolean, BeforeValidator(_id_key), Field(ge=1, le=10**18 - 1)]
"""The key of an object keyed by ids; the field declares `id_keys()` for its schema."""


def id_keys() -> dict[str, Any]:
    """`json_schema_extra` for an object keyed by ids: publishes the keys' pattern."""
    return {"propertyNames": {"pattern": ID_KEY_PATTERN}}
