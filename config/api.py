"""The one NinjaAPI: every app's router mounted under /api/v1/, one error contract."""

from tandem.accounts.api import router as accounts_router
from tandem.accounts.api_auth import API_AUTH
from tandem.actions.api import router as actions_router
from tandem.agreements.api import router as agreements_router
from tandem.analytics.api import router as analytics_router
from tandem.assessments.api import router as assessments_router
from tandem.audit.api import router as audit_router
from tandem.conversations.api import router as conversations_router
from tandem.core.problem import ProblemJsonAPI, install_failure_handlers, install_problem_handlers
from tandem.feedback.api import router as feedback_router
from tandem.goals.api import router as goals_router
from tandem.health.api import router as health_router
from tandem.journals.api import router as journals_router
from tandem.journeys.api import router as journeys_router
from tandem.matching.api import router as matching_router
from tandem.meetings.api import router as meetings_router
from tandem.notifications.api import router as notifications_router
from tandem.nudges.api import router as nudges_router
from tandem.outcomes.api import router as outcomes_router
from tandem.participants.api import router as participants_router
from tandem.participants.program_api import router as program_summaries_router
from tandem.people.api import router as people_router
from tandem.privacy.api import router as privacy_router
from tandem.programs.api import router as programs_router
from tandem.provisioning.api import router as provisioning_router
from tandem.relationships.api import router as relationships_router
from tandem.resources.api import router as resources_router
from tandem.surveys.api import router as surveys_router
from tandem.webhooks.api import router as webhooks_router
from tandem.workspace.api import router as workspace_router

api = ProblemJsonAPI(
    title="Tandem API",
    version="1",
    description=(
        "Tandem's JSON API. Authenticate with the browser session (send the CSRF token) or a "
        "personal API token: `Authorization: Bearer <token>`. Errors are problem+json "
        "(RFC 9457): `type`, `title`, `status`, `detail`, and `errors` listing each field "
        "(and row, for imports) that was wrong."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)
install_problem_handlers(api)
install_failure_handlers(api)

api.add_router("/", accounts_router)
api.add_router("/", audit_router)
api.add_router("/", people_router)
api.add_router("/programs", program_summaries_router)
api.add_router("/programs", programs_router)
api.add_router("/", participants_router)
api.add_router("/", matching_router)
api.add_router("/", notifications_router)
api.add_router("/", relationships_router)
api.add_router("/", workspace_router)
api.add_router("/", agreements_router)
api.add_router("/", goals_router)
api.add_router("/", meetings_router)
api.add_router("/", actions_router)
api.add_router("/", journals_router)
api.add_router("/", conversations_router)
api.add_router("/", feedback_router)
api.add_router("/", resources_router)
api.add_router("/", assessments_router)
api.add_router("/", surveys_router)
api.add_router("/", journeys_router)
api.add_router("/", nudges_router)
api.add_router("/", outcomes_router)
api.add_router("/", provisioning_router)
api.add_router("/", health_router)
api.add_router("/", analytics_router)
api.add_router("/", webhooks_router)
api.add_router("/", privacy_router)
