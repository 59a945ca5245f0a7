"""The one way a view, endpoint or service gets hold of a survey or an invitation."""

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.programs.permissions import program_access
from tandem.surveys.models import Survey, SurveyInvitation


def survey_access(*, actor: User, survey_id: int, manage: bool = True) -> Survey:
    """The survey `survey_id` for its programme's managers and the organisation's admins.
    Another organisation's survey is NotFound; a member of the organisation who may not manage
    the programme is Forbidden (as `program_access`)."""
    survey = (
        Survey.objects.filter(pk=survey_id, program__organization_id=actor.organization_id or 0)
        .only("pk", "program_id")
        .first()
    )
    if survey is None:
        raise NotFound("No such survey.")
    program = program_access(actor=actor, program_id=survey.program_id, manage=manage)
    found = Survey.objects.get(pk=survey.pk)
    found.program = program
    return found


def invitation_access(
    *, actor: User, invitation_id: int, for_update: bool = False
) -> SurveyInvitation:
    """The invitation `invitation_id` for the person it was sent to; NotFound for anyone
    else — the partner, a manager, another organisation: answers are private to their author.
    `for_update` locks the bare row (inside a transaction)."""
    queryset = SurveyInvitation.objects.filter(
        pk=invitation_id,
        user_id=actor.pk or 0,
        relationship__program__organization_id=actor.organization_id or 0,
    )
    if for_update:
        # The bare row only: a join would lock the relationship and programme rows too.
        list(SurveyInvitation.objects.select_for_update().filter(pk=invitation_id).values("pk"))
    invitation = queryset.select_related(
        "survey__program", "version", "relationship__mentor__user", "relationship__mentee__user"
    ).first()
    if invitation is None or not actor.is_active:
        raise NotFound("No such survey invitation.")
    return invitation
