"""Bounded types for the API's numbers, so an out-of-range value is a 422, never a database error.

Every primary key is a 64-bit signed integer (`BigAutoField`), so an id outside 1..2^63-1 names
nothing; passed on, it overflows SQLite's INTEGER or PostgreSQL's bigint and the database raises
(OverflowError / DataError). Declaring the range in the schema makes pydantic refuse it with the
parameter's name, and publishes the range in the OpenAPI document.
"""

from typing import Annotated

from pydantic import Field

MAX_BIGINT = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
"""A row's id, in a path, a query or a body."""

MAX_INT32 = 2**31 - 1

Version = Annotated[int, Field(ge=1, le=MAX_INT32)]
"""A version number (1, 2, ...), stored like every counter in a 32-bit PositiveIntegerField."""

SmallCount = Annotated[int, Field(ge=0, le=2**15 - 1)]
"""A number stored in a PositiveSmallIntegerField (capacities, durations, ratings)."""

Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
"""A number stored in a PositiveIntegerField (positions, offsets in days, timings)."""

Int32 = Annotated[int, Field(ge=-(2**31), le=MAX_INT32)]
"""A number stored in an IntegerField (a question's smallest or largest answer)."""
