"""The one way a view, endpoint or service gets hold of a participant: through its guard."""

from django.db import connection

from tandem.accounts.models import User
from tandem.core.errors import Forbidden, NotFound
from tandem.participants.models import Participant
from tandem.programs.permissions import can_manage_program


def participant_access(
    *, actor: User, participant_id: int, manage: bool = False, for_update: bool = False
) -> Participant:
    """The participant `participant_id` as `actor` may use it, or an error.

    The person themself and the managers of its programme (organisation admins included) see
    it; anyone else, and anything in another organisation, is NotFound (404). When `manage` is
    asked for, the person themself is Forbidden (403): they see their row but may not decide
    on it. `for_update` locks the row (call it inside a transaction).
    """
    queryset = Participant.objects.select_related("program", "user").filter(
        pk=participant_id, program__organization_id=actor.organization_id or 0
    )
    if for_update:
        # The participant's row alone (not its programme's or user's, which the join reads),
        # FOR NO KEY UPDATE where the database has it, as in `core.transactions.locking`.
        queryset = queryset.select_for_update(
            of=("self",), no_key=connection.features.has_select_for_no_key_update
        )
    participant = queryset.first()
    if participant is None or actor.organization_id is None:
        raise NotFound("No such participant.")
    if can_manage_program(actor, participant.program):
        return participant
    if participant.user_id == actor.pk:
        if manage:
            raise Forbidden("Only this programme's managers and organisation admins can do that.")
        return participant
    raise NotFound("No such participant.")
