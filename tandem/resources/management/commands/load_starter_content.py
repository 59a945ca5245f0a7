"""`python manage.py load_starter_content [--organization slug] [--directory path]`: load (or
refresh) the shipped resource library into one organisation, or into every one when omitted.

Idempotent; pieces an organisation edited are kept and listed. A broken file, or a translation
(`<directory>/<language>/<slug>.md`) that does not match its English piece, stops the command
with its file and line, and nothing is written (one transaction for the whole load)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tandem.accounts.languages import SOURCE_LANGUAGE, language_codes
from tandem.accounts.models import Organization
from tandem.resources.content_format import ContentError
from tandem.resources.services import CONTENT_DIR, starter_content_load, starter_content_read
from tandem.resources.translations import translations_read


class Command(BaseCommand):
    help = "Load the starter resource library into one organisation (--organization) or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="The organisation's slug (default: all)")
        parser.add_argument(
            "--directory",
            type=Path,
            default=CONTENT_DIR,
            help="The folder of <slug>.md files (default: the shipped content)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if options["organization"]:
            organizations = organizations.filter(slug=options["organization"])
            if not organizations.exists():
                raise CommandError(f"No organisation with slug {options['organization']!r}.")
        try:
            pieces = starter_content_read(directory=options["directory"])
            for language in language_codes():
                if language != SOURCE_LANGUAGE:
                    translations_read(
                        language=language, sources=pieces, directory=options["directory"]
                    )
            with transaction.atomic():
                reports = [
                    starter_content_load(organization=organization, pieces=pieces)
                    for organization in organizations
                ]
        except ContentError as error:
            raise CommandError(f"Nothing loaded: {error}") from error
        for report in reports:
            self.stdout.write(str(report))
        self.stdout.write(f"{len(pieces)} starter pieces, {len(reports)} organisation(s).")
