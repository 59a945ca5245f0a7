"""SCIM filters and sorting (RFC 7644 §3.4.2.2-3) as database queries.

scim2-models parses the filter (`ScimFilter`); this walks its tree into a Django `Q` over the
attributes Tandem stores, so a filter is one query scoped to the organisation, whatever its
size. An attribute Tandem does not store, or an operator its value cannot take, is an
`invalidFilter` error that names it: a filter never silently matches nothing.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:user"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:group"


@dataclass(frozen=True)
class Column:
    """Where a SCIM attribute lives, and what kind of value it holds."""

    field: str
    kind: str = "text"  # text | id | bool | datetime
    case_exact: bool = False
    # For `pr` on text: an empty string means absent, as a NULL does.


USER_COLUMNS: dict[str, Column] = {
    "id": Column("pk", "id"),
    "username": Column("scim_user_name"),
    "externalid": Column("scim_identity__external_id", case_exact=True),
    "name.givenname": Column("first_name"),
    "name.familyname": Column("last_name"),
    "emails": Column("email"),
    "emails.value": Column("email"),
    "title": Column("profile__job_title"),
    "active": Column("is_active", "bool"),
    "meta.created": Column("date_joined", "datetime"),
    "employeenumber": Column("scim_identity__employee_number"),
    "department": Column("profile__department"),
    "manager": Column("profile__manager_id", "id"),
    "manager.value": Column("profile__manager_id", "id"),
}
ENTERPRISE_ATTRIBUTES = {"employeenumber", "department", "manager", "manager.value"}

GROUP_COLUMNS: dict[str, Column] = {
    "id": Column("pk", "id"),
    "displayname": Column("display_name"),
    "externalid": Column("external_id", case_exact=True),
    "members": Column("memberships__user_id", "id"),
    "members.value": Column("memberships__user_id", "id"),
    "meta.created": Column("created_at", "datetime"),
    "meta.lastmodified": Column("updated_at", "datetime"),
}

_TEXT_LOOKUPS: dict[CompareOperator, tuple[str, bool]] = {
    CompareOperator.eq: ("exact", False),
    CompareOperator.ne: ("exact", True),
    CompareOperator.co: ("contains", False),
    CompareOperator.sw: ("startswith", False),
    CompareOperator.ew: ("endswith", False),
    CompareOperator.gt: ("gt", False),
    CompareOperator.ge: ("gte", False),
    CompareOperator.lt: ("lt", False),
    CompareOperator.le: ("lte", False),
}


def _key(path: AttrPath, resource_urn: str, extension_urns: frozenset[str]) -> str:
    name = path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")
    uri = (path.uri or "").lower()
    if uri and uri != resource_urn and uri not in extension_urns:
        raise InvalidFilterException(detail=f"'{path}' is not an attribute Tandem serves.")
    if uri in extension_urns and name not in ENTERPRISE_ATTRIBUTES:
        raise InvalidFilterException(detail=f"'{path}' is not an attribute Tandem serves.")
    return name


class _Translator:
    def __init__(self, columns: dict[str, Column], resource_urn: str, extensions: frozenset[str]):
        self.columns = columns
        self.resource_urn = resource_urn
        self.extensions = extensions

    def column(self, path: AttrPath, prefix: str = "") -> Column:
        name = _key(path, self.resource_urn, self.extensions)
        full = f"{prefix}.{name}" if prefix else name
        column = self.columns.get(full)
        if column is None:
            raise InvalidFilterException(
                detail=f"Tandem cannot filter on '{path}'; it filters on "
                + ", ".join(sorted(self.columns))
                + "."
            )
        return column

    def visit(self, node: FilterNode, prefix: str = "") -> Q:
        if isinstance(node, LogicalExpr):
            combine: Callable[[Q, Q], Q] = (
                (lambda a, b: a & b) if node.op == LogicalOperator.and_ else (lambda a, b: a | b)
            )
            result = self.visit(node.terms[0], prefix)
            for term in node.terms[1:]:
                result = combine(result, self.visit(term, prefix))
            return result
        if isinstance(node, Not):
            return ~self.visit(node.expr, prefix)
        if isinstance(node, Present):
            column = self.column(node.attr_path, prefix)
            present = Q(**{f"{column.field}__isnull": False})
            if column.kind == "text":
                present &= ~Q(**{column.field: ""})
            return present
        if isinstance(node, ValuePath):
            # emails[value eq "x"]: the sub-filter's attributes are the complex attribute's.
            outer = _key(node.attr_path, self.resource_urn, self.extensions)
            return self.visit(node.val_filter, outer)
        if isinstance(node, Comparison):
            return self.comparison(node, prefix)
        raise InvalidFilterException(detail=f"Tandem cannot evaluate the filter part {node}.")

    def comparison(self, node: Comparison, prefix: str) -> Q:
        column = self.column(node.attr_path, prefix)
        op, value = node.op, node.value
        if column.kind == "bool":
            if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(
                    detail=f"'{node.attr_path}' is true or false: compare it with eq or ne."
                )
            q = Q(**{column.field: value})
            return ~q if op == CompareOperator.ne else q
        if column.kind == "id":
            if op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(
                    detail=f"'{node.attr_path}' is an id: compare it with eq or ne."
                )
            identifier = str(value) if value is not None else ""
            q = (
                Q(**{column.field: int(identifier)})
                if identifier.isdigit() and len(identifier) < 18
                else Q(pk__in=[])
            )
            return ~q if op == CompareOperator.ne else q
        if column.kind == "datetime":
            moment = parse_datetime(str(value)) if value is not None else None
            if moment is None or op in (
                CompareOperator.co,
                CompareOperator.sw,
                CompareOperator.ew,
            ):
                raise InvalidFilterException(
                    detail=f"'{node.attr_path}' is a date and time such as "
                    "2026-01-31T09:00:00Z, compared with eq, ne, gt, ge, lt or le."
                )
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.UTC)
            lookup, negate = _TEXT_LOOKUPS[op]
            q = Q(**{f"{column.field}__{lookup}": moment})
            return ~q if negate else q
        if not isinstance(value, str):
            raise InvalidFilterException(
                detail=f"'{node.attr_path}' holds text: compare it with a quoted string."
            )
        if "\x00" in value:
            # No stored text holds one, and PostgreSQL refuses it in a query.
            raise InvalidFilterException(
                detail=f"The value compared with '{node.attr_path}' contains a NUL character."
            )
        lookup, negate = _TEXT_LOOKUPS[op]
        if not column.case_exact and lookup in ("exact", "contains", "startswith", "endswith"):
            lookup = f"i{lookup}"
        q = Q(**{f"{column.field}__{lookup}": value})
        return ~q if negate else q


def filter_to_q(
    text: str, *, columns: dict[str, Column], resource_urn: str, extensions: frozenset[str]
) -> Q:
    """The `Q` a SCIM filter string means over `columns`, or InvalidFilterException."""
    try:
        parsed: ScimFilter[Any] = ScimFilter(text)
    except InvalidFilterException:
        raise
    except ValueError as exc:
        raise InvalidFilterException(detail=str(exc)) from exc
    return _Translator(columns, resource_urn, extensions).visit(parsed.ast)


def user_filter(text: str) -> Q:
    return filter_to_q(
        text,
        columns=USER_COLUMNS,
        resource_urn=USER_URN,
        extensions=frozenset({ENTERPRISE_URN}),
    )


def group_filter(text: str) -> Q:
    return filter_to_q(text, columns=GROUP_COLUMNS, resource_urn=GROUP_URN, extensions=frozenset())


def sort_field(text: str, *, columns: dict[str, Column], resource_urn: str) -> str:
    """The database field a `sortBy` names; invalidValue-like error when Tandem cannot."""
    raw = text.strip()
    uri = ""
    if raw.lower().startswith("urn:"):
        uri, _, raw = raw.rpartition(":")
    name = raw.lower()
    if uri and uri.lower() not in (resource_urn, ENTERPRISE_URN):
        raise InvalidFilterException(detail=f"Tandem cannot sort by '{text}'.")
    column = columns.get(name)
    if column is None or name in ("emails", "members", "members.value"):
        raise InvalidFilterException(
            detail=f"Tandem cannot sort by '{text}'; it sorts by "
            + ", ".join(
                sorted(k for k in columns if k not in ("emails", "members", "members.value"))
            )
            + "."
        )
    return column.field
