"""Nudges over HTTP: thin — guard, then a service or selector, then a schema."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.nudges import selectors, services
from tandem.nudges.schemas import NudgeSettingOut, NudgeSettingsIn
from tandem.programs.permissions import program_access

router = Router(tags=["nudges"])


def setting_out(row: selectors.NudgeSettingRow) -> dict[str, Any]:
    rule = row.rule
    return {
        "rule": rule.name,
        "label": rule.label,
        "description": rule.description,
        "recipients": rule.recipients,
        "category": str(rule.category),
        "is_enabled": row.is_enabled,
        "timing": row.timing,
        "default_timing": rule.default,
        "unit": str(rule.unit),
        "timing_label": rule.timing_label,
        "minimum": rule.minimum,
        "maximum": rule.maximum,
    }


@router.get(
    "/programs/{program_id}/nudges",
    response=list[NudgeSettingOut],
    summary="A programme's nudge rules: on or off, and their timing (its managers)",
)
def nudge_settings_get(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return [setting_out(row) for row in selectors.nudge_settings_for_program(program=program)]


@router.put(
    "/programs/{program_id}/nudges",
    response=list[NudgeSettingOut],
    summary="Change a programme's nudge rules; rules not listed keep their setting",
)
def nudge_settings_update(request: HttpRequest, program_id: Id, payload: NudgeSettingsIn) -> object:
    rows = services.nudge_settings_update(
        actor=caller(request),
        program_id=program_id,
        changes=[services.SettingChange(**item.dict()) for item in payload.settings],
    )
    return [setting_out(row) for row in rows]
