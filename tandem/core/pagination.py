"""Limit/offset pagination with both numbers bounded.

ninja's own `LimitOffsetPagination` leaves `offset` unbounded: offset=10^20 reached the database
as `OFFSET 100000000000000000000` and failed there (a 500). Here it is refused as a 422 naming
`offset`. The bound keeps `offset + limit` inside the 64-bit integer both databases use for
LIMIT/OFFSET; a list that long does not exist, so any offset a real client sends is accepted.
"""

from django.conf import settings
from ninja import Field
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

from tandem.core.params import MAX_BIGINT

MAX_LIMIT: int = settings.NINJA_PAGINATION_MAX_LIMIT
MAX_OFFSET = MAX_BIGINT - MAX_LIMIT


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(NinjaLimitOffsetPagination.Input):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
