"""Print a new VAPID key pair for web push, as environment lines to paste into the
deployment's settings."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.notifications.push import vapid_key_pair


class Command(BaseCommand):
    help = "Generate a VAPID key pair for web push (VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = vapid_key_pair()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write("VAPID_SUBJECT=mailto:you@example.org  # a contact for push services")
