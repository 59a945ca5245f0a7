"""The one way a view, endpoint or service gets hold of a match request: through its guard."""

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import NotFound
from tandem.matching.models import MatchRequest
from tandem.programs.permissions import can_manage_program


def match_request_access(*, actor: User, request_id: int, for_update: bool = False) -> MatchRequest:
    """The match request `request_id` as `actor` may see it, or NotFound (404).

    Its mentee, its mentor and the programme's managers (organisation admins included) see
    it; anyone else, and anything in another organisation, gets NotFound. What each of them
    may *do* with it is the service's business (a 403 names who may). `for_update` locks the
    request's row (call it inside a transaction).
    """
    queryset = MatchRequest.objects.select_related(
        "program", "mentee__user", "mentor__user"
    ).filter(pk=request_id, program__organization_id=organization_id_of(actor))
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    match_request = queryset.first()
    if match_request is None:
        raise NotFound("No such match request.")
    if actor.pk in (match_request.mentee.user_id, match_request.mentor.user_id):
        return match_request
    if can_manage_program(actor, match_request.program):
        return match_request
    raise NotFound("No such match request.")
