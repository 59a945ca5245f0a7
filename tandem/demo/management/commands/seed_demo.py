from django.core.management.base import BaseCommand

from tandem.demo.seed import DEMO_PASSWORD, LOGINS, seed


class Command(BaseCommand):
    help = "Load the demo organisations (Northwind, Globex) through the services. Safe to re-run."

    def handle(self, *args: object, **options: object) -> None:
        report = seed(log=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(
            f"Demo data ready: {report.users_created} people, {report.programs_created} "
            f"programmes and {report.participants_created} enrolments created this run."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for email, who in LOGINS:
            self.stdout.write(f"  {email:<28} {who}")
