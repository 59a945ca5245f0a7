"""The one NinjaAPI: every app's router mounted under /api/v1/, one error contract."""

from ninja import NinjaAPI

from tandem.accounts.api import router as accounts_router
from tandem.accounts.api_auth import API_AUTH
from tandem.core.problem import install_problem_handlers
from tandem.matching.api import router as matching_router
from tandem.participants.api import router as participants_router
from tandem.people.api import router as people_router
from tandem.programs.api import router as programs_router

api = NinjaAPI(
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

api.add_router("/", accounts_router)
api.add_router("/", people_router)
api.add_router("/programs", programs_router)
api.add_router("/", participants_router)
api.add_router("/", matching_router)
