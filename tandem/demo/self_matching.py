"""Self-matching in the demo: a mentee with no mentor to try "Find a mentor" with (the seeker,
`SEEKER_EMAIL`), and a request waiting for the named mentor's answer, so both sides of a
request can be seen at once. Written through matching's services; safe to run again."""

from tandem.accounts.models import User
from tandem.core.errors import DomainError
from tandem.matching.models import MatchRequest
from tandem.matching.requests.selectors import open_request_q
from tandem.matching.requests.services import match_request_create
from tandem.participants import services as participants
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program

SEEKER_EMAIL = "seeker@northwind.example"
NAMED_MENTOR_EMAIL = "mentor@northwind.example"
REQUEST_NOTE = (
    "Hello! I lead a small team for the first time and would value your view on giving "
    "feedback that lands. Could we try a few sessions?"
)


def seed_self_matching(*, program: Program, manager: User) -> int:
    """A request from an approved mentee without a mentor to the named mentor (who is given
    a free place for it); how many requests were made (0 when one is already waiting)."""
    mentor = Participant.objects.select_related("user").get(
        program=program, user__email=NAMED_MENTOR_EMAIL, role=ParticipantRole.MENTOR
    )
    if MatchRequest.objects.filter(open_request_q(), mentor=mentor).exists():
        return 0
    if (mentor.capacity or 0) < mentor.matched_count + 2:
        # one place for the request, one left for the seeker to ask for
        participants.participant_set_capacity(
            actor=manager, participant_id=mentor.pk, capacity=mentor.matched_count + 2
        )
    candidates = (
        Participant.objects.select_related("user")
        .filter(
            program=program,
            role=ParticipantRole.MENTEE,
            status=ParticipantStatus.ACTIVE,
            matched_count=0,
        )
        .exclude(user__email=SEEKER_EMAIL)
        .order_by("pk")
    )
    for mentee in candidates:
        try:
            match_request_create(
                actor=mentee.user,
                program_id=program.pk,
                mentor_participant_id=mentor.pk,
                note=REQUEST_NOTE,
            )
        except DomainError:  # a pair the programme's rules rule out: the next mentee asks
            continue
        return 1
    return 0
