from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "tandem.programs"
    label = "programs"

    def ready(self) -> None:
        from tandem.audit.registry import audit_model
        from tandem.programs.models import Program

        # A programme's settings and lifecycle in the audit trail (its description is long
        # prose and is left out; the fields below say what changed).
        audit_model(
            Program,
            fields=[
                "name",
                "purpose",
                "format",
                "status",
                "is_ongoing",
                "starts_on",
                "ends_on",
                "enrollment_opens_on",
                "enrollment_closes_on",
                "duration_months",
                "cadence",
                "default_mentor_capacity",
                "max_circle_size",
                "access",
                "colour",
            ],
            organization=lambda row: row.organization_id,
        )
