"""Limit/offset pagination with both numbers bounded.

ninja's own `LimitOffsetPagination` leaves `offset` unbounded: offset=10^20 reached the database
as `OFFSET 100000000000000000000` and failed there (a 500). Here it is refused as a 422 naming
`offset`. The bound keeps `offset + limit` inside the 64-bit integer both databases use for
LIMIT/OFFSET; a list that long does not exist, so any offset a real client sends is accepted.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

from tandem.core.errors import InvalidInput
from tandem.core.params import MAX_BIGINT

MAX_LIMIT: int = settings.NINJA_PAGINATION_MAX_LIMIT
MAX_OFFSET = MAX_BIGINT - MAX_LIMIT


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(NinjaLimitOffsetPagination.Input):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class KeysetPagination(LimitOffsetPagination):
    """Limit/offset, plus seek pages: `after=<cursor>` answers the rows that follow the row the
    cursor names in the list's own order, so a deep page costs what a first page costs (an
    index matching the order is walked from the cursor; no OFFSET counts rows off).

    Every page answers `next`, the cursor of its last row (null when the page is not full).
    The cursor is opaque to clients: the values of the order's fields, encoded. The queryset's
    order must be total (end on a unique column) and run in one direction; a list ordered by an
    expression cannot seek and is refused when the page is read (a programming error)."""

    # Its own name: OpenAPI components are keyed by class name, and the offset pages' Input
    # has another shape.
    class SeekPageInput(LimitOffsetPagination.Input):
        after: str | None = Field(
            None,
            max_length=1000,
            description="The `next` cursor of the previous page; use instead of `offset`.",
        )

    Input = SeekPageInput  # type: ignore[assignment]  # a subclass: every offset input still holds

    class Output(Schema):
        items: list[Any]
        count: int
        next: str | None = Field(
            description="The cursor of the next page (`after=`); null when this page is the last."
        )

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        limit: int = min(pagination.limit, self.max_limit)
        if pagination.after:
            if pagination.offset:
                raise InvalidInput.for_field("offset", "Send either offset or after, not both.")
            items, next_cursor = seek_page(queryset, after=pagination.after, limit=limit)
        else:
            order, _ = _seek_order(queryset)
            items = list(queryset[pagination.offset : pagination.offset + limit])
            next_cursor = _encode_cursor(items[-1], order) if len(items) == limit else None
        return {
            self.items_attribute: items,
            "count": self._items_count(queryset),
            "next": next_cursor,
        }


def seek_page(queryset: QuerySet[Any], *, after: str, limit: int) -> tuple[list[Any], str | None]:
    """The `limit` rows of `queryset` that follow the row `after` names (from the start when
    `after` is empty), and the cursor of the page's last row (None when the page is not full).
    The API's pages and the HTML pages' "Next" links share it; a cursor the list did not give
    is InvalidInput naming `after`."""
    order, descending = _seek_order(queryset)
    page = queryset
    if after:
        values = _decode_cursor(after, queryset.model, order, name="after")
        seek = TupleLessThan if descending else TupleGreaterThan
        page = page.filter(seek(Tuple(*(F(name) for name in order)), values))
    items = list(page[:limit])
    return items, _encode_cursor(items[-1], order) if len(items) == limit else None


@dataclass(frozen=True)
class SeekPage:
    """One page of an HTML list read by seek, and where its links go: "Next" (`?after=`, the
    cursor of its last row) and "Previous" (`?before=`, the cursor of its first row; with no
    cursor, the list's first page). `has_next` and `has_previous` are exact: the page reads
    one row more than it shows in the direction it came from."""

    object_list: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    has_previous: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def seek_link_page(queryset: QuerySet[Any], *, params: Mapping[str, str], limit: int) -> SeekPage:
    """The page of an HTML list that the request's `after` or `before` cursor names (the first
    page without either), for "Previous" and "Next" links that keep the page's filters
    (`{% querystring %}`, `includes/seek_pager.html`). One query whatever the page's depth,
    and no count. The cursors are `seek_page`'s; one the list did not give, or both at once,
    is InvalidInput naming the field (the view answers 400)."""
    after, before = params.get("after", ""), params.get("before", "")
    if after and before:
        raise InvalidInput.for_field("before", "Send either after or before, not both.")
    order, descending = _seek_order(queryset)
    if before:
        values = _decode_cursor(before, queryset.model, order, name="before")
        seek = TupleGreaterThan if descending else TupleLessThan
        # the rows before the cursor, read backwards from it: the same index, walked the
        # other way, stops at the page's first row
        rows = list(
            queryset.filter(seek(Tuple(*(F(name) for name in order)), values)).reverse()[
                : limit + 1
            ]
        )
        items = rows[:limit][::-1]
        more_before = len(rows) > limit
        return SeekPage(
            object_list=items,
            next_cursor=_encode_cursor(items[-1], order) if items else None,
            previous_cursor=_encode_cursor(items[0], order) if more_before else None,
            has_previous=more_before,
        )
    rows, _ = seek_page(queryset, after=after, limit=limit + 1)
    items = rows[:limit]
    return SeekPage(
        object_list=items,
        next_cursor=_encode_cursor(items[-1], order) if len(rows) > limit else None,
        previous_cursor=_encode_cursor(items[0], order) if after and items else None,
        has_previous=bool(after),
    )


@dataclass(frozen=True)
class CappedCount:
    """How many rows a filtered list holds, counted up to a cap: "1,000+" past it. A page that
    shows a total pays for at most `cap + 1` rows, not for the whole list."""

    value: int
    is_capped: bool

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.is_capped else f"{self.value:,}"


CAPPED_COUNT = 1000


def capped_count(queryset: QuerySet[Any], *, cap: int | None = None) -> CappedCount:
    """`queryset`'s rows counted up to `cap` (`CAPPED_COUNT` by default; one query: a COUNT
    over at most `cap + 1` rows, in no order, so the database stops at the first it finds)."""
    cap = CAPPED_COUNT if cap is None else cap
    found = queryset.order_by()[: cap + 1].count()
    return CappedCount(value=min(found, cap), is_capped=found > cap)


def _seek_order(queryset: QuerySet[Any]) -> tuple[list[str], bool]:
    names = list(queryset.query.order_by or queryset.model._meta.ordering)
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError("KeysetPagination needs an order of field names.")
    directions = {name.startswith("-") for name in names}
    if len(directions) != 1:
        raise TypeError("KeysetPagination needs an order in one direction.")
    bare = [name.removeprefix("-") for name in names]
    return ["id" if name == "pk" else name for name in bare], directions.pop()


def _field_at(model: Any, path: str) -> Any:
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def _value_at(row: Any, path: str) -> Any:
    for hop in path.split("__"):
        row = row[hop] if isinstance(row, dict) else getattr(row, hop)
    return row


def _encode_cursor(row: Any, order: list[str]) -> str:
    values = [_value_at(row, path) for path in order]
    # isoformat, not DjangoJSONEncoder: that one cuts times to milliseconds, and a cursor
    # must name its row exactly
    text = json.dumps(
        [value.isoformat() if hasattr(value, "isoformat") else value for value in values],
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, model: Any, order: list[str], *, name: str) -> tuple[Any, ...]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError(cursor)
        parsed = []
        for path, value in zip(order, values, strict=True):
            field = _field_at(model, path)
            parsed.append(field.to_python(value))
            # the column's own bounds: a forged cursor must not reach the database as an
            # integer it cannot hold
            field.run_validators(parsed[-1])
        return tuple(parsed)
    except (ValueError, TypeError, ValidationError, binascii.Error) as error:
        raise InvalidInput.for_field(
            name, "Not a cursor of this list: send the `next` of a page."
        ) from error
