from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.accounts.models import User
from tandem.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Print a new personal API token for the user with this email (for scripts and tests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user has the email {options['email']}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; reactivate them first.")
        _, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
