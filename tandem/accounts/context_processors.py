from django.http import HttpRequest

from tandem.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the navigation bar needs to know about the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None}
    return {
        "nav_role": user.role,
        "nav_is_org_admin": user.role == Role.ORG_ADMIN,
        "nav_can_manage": user.role in {Role.ORG_ADMIN, Role.PROGRAM_MANAGER},
    }
