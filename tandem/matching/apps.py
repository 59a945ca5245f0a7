from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "tandem.matching"
    label = "matching"

    def ready(self) -> None:
        from tandem.audit.registry import audit_model
        from tandem.matching.models import MatchingSettings

        # A programme's matching settings in the audit trail (weights and rules are numbers
        # and choices, never anyone's words).
        audit_model(
            MatchingSettings,
            fields=[
                "weights",
                "rules",
                "allow_self_matching",
                "requests_need_approval",
                "accepted_requests_need_kickoff",
                "request_expiry_days",
                "suggestions_shown",
            ],
            organization=lambda row: row.program.organization_id,
        )
