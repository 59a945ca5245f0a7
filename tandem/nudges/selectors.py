"""Every read about nudges: a programme's settings, rule by rule, with the defaults filled in."""

from dataclasses import dataclass
from datetime import datetime

from tandem.nudges.models import LEASE_NAME, NudgeSetting, SchedulerLease
from tandem.nudges.rules import RULES, Rule
from tandem.programs.models import Program


@dataclass(frozen=True)
class NudgeSettingRow:
    """One rule as a programme has it: the rule's description and the programme's choice."""

    rule: Rule
    is_enabled: bool
    timing: int

    @property
    def is_default(self) -> bool:
        return self.is_enabled and self.timing == self.rule.default


def nudge_settings_for_program(*, program: Program) -> list[NudgeSettingRow]:
    """Every rule, in the table's order, as `program` has set it (the caller holds the
    programme through its guard). One query."""
    chosen = {setting.rule: setting for setting in NudgeSetting.objects.filter(program=program)}
    rows = []
    for rule in RULES:
        setting = chosen.get(rule.name)
        rows.append(
            NudgeSettingRow(
                rule=rule,
                is_enabled=setting.is_enabled if setting else True,
                timing=setting.timing
                if setting is not None and setting.timing is not None
                else rule.default,
            )
        )
    return rows


def scheduler_lease_expires_at() -> datetime | None:
    """When the scheduler's lease runs out, or None if no scheduler ever took it. A running
    scheduler renews it every interval for two, so a time in the past means none is running
    (or it stopped and gave it back). One query."""
    return (
        SchedulerLease.objects.filter(name=LEASE_NAME).values_list("expires_at", flat=True).first()
    )
