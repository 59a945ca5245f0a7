"""The names of the audit events that are not a model change (`services.audit_record`).

Model changes recorded by django-auditlog are named `<model>.created|changed|deleted`
(`user.changed` for a role, `invitation.created`, `apitoken.created`, `apitoken.changed` for a
revocation, `program.changed`, `matchingsettings.changed`, ...).
"""

SIGN_IN_SUCCEEDED = "sign_in.succeeded"
SIGN_IN_FAILED = "sign_in.failed"
USER_ACTIVATED = "user.activated"
USER_DEACTIVATED = "user.deactivated"
PASSWORD_RESET_REQUESTED = "password_reset.requested"  # noqa: S105 (an event name)
PASSWORD_RESET_COMPLETED = "password_reset.completed"  # noqa: S105 (an event name)
API_TOKEN_USED = "api_token.used"  # noqa: S105 (an event name)
SETTINGS_CHANGED = "settings.changed"
PEOPLE_IMPORTED = "people.imported"
OUTCOMES_IMPORTED = "outcomes.imported"
EXPORT_DOWNLOADED = "export.downloaded"
MATCH_RUN_PUBLISHED = "match_run.published"
RELATIONSHIP_ENDED = "relationship.ended"
RELATIONSHIP_COMPLETED = "relationship.completed"
SSO_SIGN_IN_SUCCEEDED = "sso_sign_in.succeeded"
SSO_SIGN_IN_FAILED = "sso_sign_in.failed"
SSO_SIGN_OUT_SUCCEEDED = "sso_sign_out.succeeded"
SSO_SIGN_OUT_FAILED = "sso_sign_out.failed"
SSO_SETTINGS_CHANGED = "sso.settings_changed"
IDENTITY_PROVIDER_CHANGED = "identity_provider.changed"
DATA_EXPORT_REQUESTED = "data_export.requested"
DATA_EXPORT_DOWNLOADED = "data_export.downloaded"
ERASURE_REQUESTED = "erasure.requested"
ERASURE_CANCELLED = "erasure.cancelled"
ERASURE_DONE = "erasure.done"

ALL = (
    SIGN_IN_SUCCEEDED,
    SIGN_IN_FAILED,
    USER_ACTIVATED,
    USER_DEACTIVATED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_RESET_COMPLETED,
    API_TOKEN_USED,
    SETTINGS_CHANGED,
    PEOPLE_IMPORTED,
    OUTCOMES_IMPORTED,
    EXPORT_DOWNLOADED,
    MATCH_RUN_PUBLISHED,
    RELATIONSHIP_ENDED,
    RELATIONSHIP_COMPLETED,
    SSO_SIGN_IN_SUCCEEDED,
    SSO_SIGN_IN_FAILED,
    SSO_SIGN_OUT_SUCCEEDED,
    SSO_SIGN_OUT_FAILED,
    SSO_SETTINGS_CHANGED,
    IDENTITY_PROVIDER_CHANGED,
    DATA_EXPORT_REQUESTED,
    DATA_EXPORT_DOWNLOADED,
    ERASURE_REQUESTED,
    ERASURE_CANCELLED,
    ERASURE_DONE,
)
