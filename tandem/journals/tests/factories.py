import factory

from tandem.journals.models import JournalEntry


class JournalEntryFactory(factory.django.DjangoModelFactory):
    """An entry written straight to the table (tests of reads); writes go through services."""

    class Meta:
        model = JournalEntry

    text = factory.Sequence(lambda n: f"Private thought number {n}")
    mood = ""
    tags = factory.LazyFunction(list)
