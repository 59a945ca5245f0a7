import datetime

import pytest
from django.utils import timezone

from tandem.nudges.rules import RULES_BY_NAME
from tandem.nudges.services import SettingChange, nudge_settings_update, nudges_due


def later(**delta: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def keys(rule: str, now: datetime.datetime) -> list[str]:
    """The outbox keys the rule finds due at `now`, sorted."""
    return sorted(nudge.key for nudge in nudges_due(now=now, rule=rule))


def configure(cast, rule: str, *, enabled: bool = True, timing: int | None = None) -> None:
    """Change one rule for the cast's programme the way its manager does."""
    nudge_settings_update(
        actor=cast.manager,
        program_id=cast.program.pk,
        changes=[
            SettingChange(
                rule=rule,
                is_enabled=enabled,
                timing=RULES_BY_NAME[rule].default if timing is None else timing,
            )
        ],
    )


@pytest.fixture
def today() -> datetime.date:
    return timezone.now().date()
