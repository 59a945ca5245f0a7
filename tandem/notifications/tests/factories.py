import factory

from tandem.notifications.models import Notification, NotificationCategory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    category = NotificationCategory.MEETINGS
    title = factory.Sequence(lambda n: f"Something happened {n}")
    body = "Details."
    url = "/"
