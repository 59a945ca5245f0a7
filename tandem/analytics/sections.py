"""The dashboard sections that change only when the refresh job runs or a calendar month
closes, kept in Django's cache (Redis, or the database cache: shared by every web process)
under the refresh's generation.

- The funnel reads the rows `services.funnel_refresh` writes: it can change only when they are
  rewritten.
- Satisfaction and skill growth publish values of calendar months that have ended only
  (`core.aggregates`): an answer given today belongs to a month still going, so it cannot move
  them before the month closes.

So each such section is computed once per (refresh, month, scope, filters, minimum group) and
served from the cache until the next refresh (which starts a new generation and warms the
programmes' and organisations' dashboards) or the end of the month. `SECONDS` bounds what a
deletion (an erased person, a removed pair) can leave shown when no refresh runs. The sections
read live (matching, engagement when filtered, health's stored snapshot) stay live.
"""

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from tandem.analytics.filters import Scope

GENERATION_KEY = "analytics:generation"
SECONDS = 2 * 60 * 60  # two hourly refreshes


def generation() -> str:
    """The refresh that the cached sections belong to ("0" before the first one)."""
    return str(cache.get(GENERATION_KEY) or "0")


def start_generation(now: datetime.datetime) -> None:
    """Called by the refresh once its rows are written: every cached section is stale."""
    cache.set(GENERATION_KEY, now.isoformat(), None)


def _key(name: str, scope: Scope) -> str:
    month = timezone.localtime(scope.now).date().replace(day=1)
    parts = (
        name,
        generation(),
        month.isoformat(),
        tuple(sorted(scope.program_ids)),
        tuple(sorted(scope.filters.as_params().items())),
        scope.min_group,
    )
    return "analytics:section:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached(name: str, scope: Scope, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The section `name` of `scope`, computed by `compute` at most once per generation."""
    key = _key(name, scope)
    section = cache.get(key)
    if section is None:
        section = compute()
        cache.set(key, section, SECONDS)
    return section
