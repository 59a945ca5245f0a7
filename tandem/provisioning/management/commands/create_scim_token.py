from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.accounts.models import Organization
from tandem.provisioning.services import scim_token_create


class Command(BaseCommand):
    help = "Print a new SCIM token for the organisation with this slug (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("--name", default="Command line", help="What will use it.")

    def handle(self, *args: object, **options: str) -> None:
        organization = Organization.objects.filter(slug=options["org_slug"].strip()).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {options['org_slug']!r}.")
        _, raw = scim_token_create(actor=None, organization=organization, name=options["name"])
        self.stdout.write(raw)
