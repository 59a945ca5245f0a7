from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.nudges.services import scheduler_lease_take


@pytest.fixture
def scheduler_running(db: None) -> Callable[..., None]:
    """`scheduler_running(ago=…)`: a scheduler took the lease (for two minutes) `ago` seconds
    back, as `run_scheduler` does each interval."""

    def take(ago: float = 0) -> None:
        scheduler_lease_take(
            holder="scheduler-under-test",
            now=timezone.now() - timedelta(seconds=ago),
            seconds=120,
        )

    return take
