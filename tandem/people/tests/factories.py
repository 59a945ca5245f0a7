import factory

from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.people.models import Profile, Skill


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    job_title = factory.Faker("job")
    department = "Engineering"
    location = "London"
    timezone = "Europe/London"
