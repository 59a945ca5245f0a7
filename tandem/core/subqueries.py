"""Scalar subqueries that a page reads as columns of one row instead of one query each.

A card that shows "3 done, 2 unread, last on Tuesday" needs numbers, not rows: written as
correlated subqueries over an indexed foreign key, several apps' numbers travel in one round
trip (`relationships.selectors.relationship_facts`) and each still costs only its own rows.
"""

from typing import Any

from django.db.models import Exists, Expression, F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet[Any]) -> Expression:
    """How many rows `queryset` (correlated through OuterRef) has; 0 for none."""
    # COUNT as a plain function, not an aggregate: Django then adds no GROUP BY, so the
    # subquery answers one row (0 for no rows) instead of none.
    counted = queryset.order_by().annotate(value=Func(F("pk"), function="COUNT")).values("value")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def latest_of(queryset: QuerySet[Any], field: str) -> Subquery:
    """The greatest `field` of `queryset` (correlated through OuterRef); None for no rows."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def exists_of(queryset: QuerySet[Any]) -> Exists:
    """Whether `queryset` (correlated through OuterRef) has a row."""
    return Exists(queryset.order_by())
