import factory

from tandem.actions.models import ActionItem


class ActionItemFactory(factory.django.DjangoModelFactory):
    """An open action for the relationship's mentee (build real ones through the services)."""

    class Meta:
        model = ActionItem

    title = factory.Sequence(lambda n: f"Practise idea {n}")
    owner = factory.LazyAttribute(lambda item: item.relationship.mentee.user)
    created_by = factory.LazyAttribute(lambda item: item.relationship.mentor.user)
