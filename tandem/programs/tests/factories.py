import datetime

import factory

from tandem.accounts.tests.factories import OrganizationFactory
from tandem.programs.models import (
    EnrollmentQuestion,
    Program,
    ProgramAccess,
    ProgramStatus,
    QuestionKind,
)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    description = "A year of monthly mentoring."
    status = ProgramStatus.PUBLISHED
    access = ProgramAccess.OPEN
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.managers.set(extracted)


class EnrollmentQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrollmentQuestion

    program = factory.SubFactory(ProgramFactory)
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    kind = QuestionKind.TEXT
    position = factory.Sequence(lambda n: n)
