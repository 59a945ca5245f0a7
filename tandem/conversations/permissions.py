"""Guards for message threads. A relationship's thread goes through `relationship_access`
(the pair only); a circle's thread through `circle_access` (its members only), which
relationships owns so that every app of the circle's workspace shares the one guard."""

from tandem.relationships.permissions import CircleAccess, circle_access, circle_members

__all__ = ["CircleAccess", "circle_access", "circle_members"]
