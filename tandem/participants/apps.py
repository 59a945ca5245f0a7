from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "tandem.participants"
    label = "participants"
