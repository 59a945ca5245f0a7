import factory
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.tests.factories import ProgramFactory


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..program.organization")
    )
    role = ParticipantRole.MENTEE
    status = ParticipantStatus.ACTIVE
    capacity = factory.LazyAttribute(lambda p: 2 if p.role == ParticipantRole.MENTOR else None)
    enrolled_at = factory.LazyFunction(timezone.now)
