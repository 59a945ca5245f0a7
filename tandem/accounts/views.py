"""Sign-in, password reset, invitations and the admin's access page. Thin: services do the work."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tandem.accounts import selectors, services
from tandem.accounts.client_address import client_address
from tandem.accounts.forms import (
    InvitationAcceptForm,
    LoginForm,
    OrganizationSettingsForm,
    PasswordResetForm,
    SignInLinkForm,
)
from tandem.accounts.models import Role
from tandem.accounts.requests import AuthenticatedRequest
from tandem.core.csp import allow_forms_to_leave
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.links import absolute_url


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if user is None:
                form.add_error(None, "That email and password do not match an account.")
            else:
                login(request, user)
                next_url = request.POST.get("next") or request.GET.get("next")
                if next_url and url_has_allowed_host_and_scheme(
                    next_url, {request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(next_url)
                return redirect("home")
    apply_bootstrap(form)
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )
    # "Continue with SSO" posts here, then goes on to the identity provider.
    return allow_forms_to_leave(response)


def sign_in_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time sign-in link by email. The answer never says whether it was sent."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_in_link_request(
            email=form.cleaned_data["email"],
            address=client_address(request),
            base_url=absolute_url("/", request=request),
        )
        return redirect("accounts:sign_in_link_sent")
    apply_bootstrap(form)
    return render(
        request,
        "accounts/sign_in_link_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def sign_in_link_use(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button; only pressing it (a POST) spends the link."""
    try:
        if request.method == "POST":
            user = services.sign_in_link_redeem(token=token)
        else:
            user = services.sign_in_link_check(token=token)
    except DomainError as error:
        return render(
            request, "accounts/sign_in_link_invalid.html", {"reason": error.detail}, status=400
        )
    if request.method == "POST":
        login(request, user, backend="tandem.accounts.backends.ThrottledModelBackend")
        return redirect("home")
    return render(request, "accounts/sign_in_link_confirm.html", {"email": user.email})


# Where single sign-on (tandem/sso) asks to be sent after signing out: the identity
# provider's end-session URL (RP-initiated logout), kept in the session at SSO sign-in so that
# accounts needs no knowledge of SSO.
END_SESSION_URL_KEY = "sso_end_session_url"


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        end_session_url = request.session.get(END_SESSION_URL_KEY)
        response = super().post(request, *args, **kwargs)
        if isinstance(end_session_url, str) and end_session_url.startswith(("https://", "http://")):
            # A page that moves on by itself, not a redirect: the sign-out form is on every
            # page, whose `form-action 'self'` would make the browser refuse a redirect to
            # another site (tandem/core/csp.py); a navigation from a page is not a form's.
            return render(request, "accounts/signing_out.html", {"continue_url": end_session_url})
        return response


# Django sends the reset email itself, not the notifications outbox: the link is a secret the
# outbox would store and copy in-app, and no notification preference may turn it off.
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = PasswordResetForm

    def get_form(self, form_class=None):
        return apply_bootstrap(super().get_form(form_class))

    def form_valid(self, form):
        address = client_address(self.request)
        allowed = services.password_reset_rate_limit_take(
            email=form.cleaned_data["email"], address=address
        )
        services.password_reset_requested(email=form.cleaned_data["email"], address=address)
        if allowed:
            # The link is built the one way (`tandem.core.links`), on the host asked at.
            base = absolute_url("/", request=self.request).rstrip("/")
            self.extra_email_context = {"site_url": base}
            response = super().form_valid(form)
            services.password_reset_sso_notice(email=form.cleaned_data["email"], base_url=base)
            return response
        # The same answer as a sent email, so the limit does not tell whether it exists.
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class=None):
        return apply_bootstrap(super().get_form(form_class))

    def form_valid(self, form):
        services.password_reset_complete(
            user=form.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except DomainError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": error.detail}, status=400
        )
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="tandem.accounts.backends.ThrottledModelBackend")
            messages.success(
                request,
                gettext("Welcome to %(organization)s on Tandem.")
                % {"organization": invitation.organization.name},
            )
            return redirect("people:profile")
    apply_bootstrap(form)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


def _org_admin_only(request: AuthenticatedRequest) -> None:
    if request.user.role != Role.ORG_ADMIN:
        raise Http404


@login_required
def organization_settings(request: AuthenticatedRequest) -> HttpResponse:
    """The organisation admin's settings page (the minimum group of managers' aggregates)."""
    _org_admin_only(request)
    actor = request.user
    organization = selectors.organization_get(actor=actor)
    form = OrganizationSettingsForm(
        request.POST or None,
        initial={
            "aggregate_min_group_size": organization.aggregate_min_group_size,
            "default_language": organization.default_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_settings_update(
                actor=actor,
                organization=organization,
                aggregate_min_group_size=form.cleaned_data["aggregate_min_group_size"],
                default_language=form.cleaned_data["default_language"] or None,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Organisation settings saved."))
            return redirect("accounts:organization_settings")
    apply_bootstrap(form)
    return render(
        request,
        "accounts/organization_settings.html",
        {"nav_section": "people", "form": form, "organization": organization},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    _org_admin_only(request)
    invitation = selectors.invitation_get_in_org(actor=request.user, invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            gettext("Invitation for %(email)s withdrawn.") % {"email": invitation.email},
        )
    return redirect("accounts:members")
