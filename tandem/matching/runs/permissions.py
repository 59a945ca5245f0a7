"""The one way a view, endpoint or service gets hold of a bulk matching run: its guard.

A run is scoped to the caller's organisation and then to the programme's guard
(`program_access(..., manage=True)`): runs are for the programme's managers and the
organisation's admins only.
"""

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import NotFound
from tandem.matching.models import MatchRun
from tandem.programs.permissions import program_access


def match_run_access(*, actor: User, run_id: int, for_update: bool = False) -> MatchRun:
    """The run `run_id` as `actor` may manage it, with its programme loaded, or an error.

    Another organisation's run is NotFound (404); a run of a programme the actor may see but not
    manage is Forbidden (403), as the programme's guard decides. `for_update` locks the run row
    (call it inside a transaction).
    """
    found = (
        MatchRun.objects.filter(pk=run_id, program__organization_id=organization_id_of(actor))
        .values_list("program_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("No such matching run.")
    program = program_access(actor=actor, program_id=found, manage=True)
    queryset = MatchRun.objects.filter(pk=run_id)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    run = queryset.select_related("created_by", "published_by").get()
    run.program = program
    return run
