"""Single sign-on pages: "Continue with SSO" from the sign-in page, the provider's callback,
and the organisation admin's provider pages (add, edit, disable, try sign-in, require SSO).
Thin: every write is a service, every read a selector; a non-admin gets a 404."""

from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError

from tandem.accounts.requests import AuthenticatedRequest
from tandem.accounts.views import END_SESSION_URL_KEY
from tandem.core.csp import POLICY, allow_forms_to_leave
from tandem.core.errors import DomainError, Forbidden, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.links import absolute_url
from tandem.sso import oidc, saml, selectors, services
from tandem.sso.forms import IdentityProviderForm, SsoEmailForm, SsoSettingsForm
from tandem.sso.models import IdentityProvider, ProviderKind
from tandem.sso.permissions import identity_provider_access, require_sso_admin

PENDING_KEY = "sso_pending"
SIGN_OUT_SALT = "tandem.sso.saml_sign_out"
PURPOSE_SIGN_IN = "sign_in"
PURPOSE_TRY = "try"


def _client(provider: IdentityProvider) -> oidc.ClientSettings:
    return oidc.ClientSettings(
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
    )


def _redirect_uri(request: HttpRequest) -> str:
    return absolute_url(reverse("sso:callback"), request=request)


def _service_provider(request: HttpRequest, provider: IdentityProvider) -> saml.ServiceProvider:
    def url(name: str) -> str:
        return absolute_url(reverse(name, args=[provider.pk]), request=request)

    return saml.ServiceProvider(
        entity_id=url("sso:saml_metadata"),
        acs_url=url("sso:saml_acs"),
        slo_url=url("sso:saml_slo"),
        idp_metadata=provider.idp_metadata,
        private_key=provider.sp_private_key,
        certificate=provider.sp_certificate,
    )


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "sso/refused.html", {"reason": message}, status=400)


def _start(
    request: HttpRequest, provider: IdentityProvider, *, purpose: str, login_hint: str = ""
) -> HttpResponse:
    try:
        if provider.kind == ProviderKind.SAML:
            url, request_id = saml.authentication_request(
                _service_provider(request, provider), login_hint=login_hint
            )
            kept: dict[str, Any] = {"request_id": request_id}
        else:
            url, pending = oidc.authorization_request(
                _client(provider), redirect_uri=_redirect_uri(request), login_hint=login_hint
            )
            kept = asdict(pending)
    except (oidc.SignInRefused, ValueError) as error:
        services.sso_sign_in_failed_record(provider=provider, reason=str(error))
        return _refused(request, str(error))
    request.session[PENDING_KEY] = {"provider": provider.pk, "purpose": purpose, **kept}
    return redirect(url)


@require_POST
def sso_discover(request: HttpRequest) -> HttpResponse:
    """The sign-in page's "Continue with SSO": the provider of the email's domain."""
    form = SsoEmailForm(request.POST)
    provider = selectors.identity_provider_for_email(form.data.get("email", ""))
    if not form.is_valid() or provider is None:
        messages.error(
            request,
            gettext(
                "Single sign-on is not set up for that email's domain: sign in with your "
                "password or a sign-in link."
            ),
        )
        return redirect("accounts:login")
    return _start(request, provider, purpose=PURPOSE_SIGN_IN, login_hint=form.cleaned_data["email"])


def _pending_provider(
    request: HttpRequest, kind: str
) -> tuple[dict[str, Any], IdentityProvider] | HttpResponse:
    """The sign-in this session started (popped: it finishes once) and its provider, or the
    page refusing it."""
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict):
        return _refused(request, "This sign-in was not started here, or has already finished.")
    provider = (
        IdentityProvider.objects.select_related("organization")
        .filter(pk=pending["provider"], kind=kind)
        .first()
    )
    if provider is None:
        return _refused(request, "This identity provider no longer exists.")
    if pending["purpose"] == PURPOSE_TRY:
        # Only an admin of the provider's organisation sees what it sent.
        if not request.user.is_authenticated:
            raise Http404
        try:
            identity_provider_access(actor=request.user, provider_id=provider.pk)
        except (Forbidden, NotFound) as error:
            raise Http404 from error
    elif not provider.is_enabled:
        return _refused(request, "This identity provider is disabled.")
    return pending, provider


def sso_callback(request: HttpRequest) -> HttpResponse:
    """Where an OpenID Connect provider sends the browser back: finish the flow started in
    this session."""
    found = _pending_provider(request, ProviderKind.OIDC)
    if isinstance(found, HttpResponse):
        return found
    pending, provider = found
    trying = pending["purpose"] == PURPOSE_TRY
    try:
        claims, id_token = oidc.complete_sign_in(
            _client(provider),
            redirect_uri=_redirect_uri(request),
            pending=oidc.PendingSignIn(
                state=pending["state"],
                nonce=pending["nonce"],
                code_verifier=pending["code_verifier"],
            ),
            query={key: request.GET.get(key, "") for key in ("state", "code", "error")},
        )
    except oidc.SignInRefused as error:
        services.sso_sign_in_failed_record(provider=provider, reason=str(error))
        return _refused(request, str(error))
    if trying:
        return _try_result(request, provider, claims)
    response = _sign_in(request, provider, claims)
    if _signed_in(response):
        end_session = oidc.end_session_url(
            provider.issuer,
            id_token=id_token,
            post_logout_redirect_uri=absolute_url(reverse("accounts:login"), request=request),
        )
        if end_session:
            request.session[END_SESSION_URL_KEY] = end_session
    return response


def _try_result(
    request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any]
) -> HttpResponse:
    return render(
        request,
        "sso/try_result.html",
        {"provider": provider, "claims": sorted(_shown_claims(claims).items())},
    )


def _signed_in(response: HttpResponse) -> bool:
    return response.status_code == 302


def _sign_in(
    request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any]
) -> HttpResponse:
    """Both kinds end here: the one service that links or creates the account."""
    try:
        user = services.sso_sign_in_complete(provider=provider, claims=claims)
    except services.SsoRefused as refusal:
        services.sso_sign_in_failed_record(
            provider=provider, reason=refusal.reason, email=refusal.email
        )
        return _refused(request, refusal.message)
    login(request, user, backend="tandem.accounts.backends.ThrottledModelBackend")
    return redirect("home")


# --- SAML 2.0 ---------------------------------------------------------------------------------

BOUNCED_FIELD = "tandem_same_site"


# The identity provider POSTs from its own site, and the session cookie (SameSite=Lax) does not
# travel with a cross-site POST: the first arrival answers a page that posts the same response
# again from Tandem's own page (a same-site POST, with the cookie). Exempt from CSRF because the
# provider cannot know Tandem's token; the response's signature and InResponseTo (the request
# kept in this session) are what bind it to this browser.
@csrf_exempt
@require_POST
def saml_acs(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The assertion consumer service (HTTP-POST binding) of one SAML provider."""
    saml_response = request.POST.get("SAMLResponse", "")
    if PENDING_KEY not in request.session and not request.POST.get(BOUNCED_FIELD):
        return render(
            request,
            "sso/saml_bounce.html",
            {"saml_response": saml_response, "bounced_field": BOUNCED_FIELD},
        )
    found = _pending_provider(request, ProviderKind.SAML)
    if isinstance(found, HttpResponse):
        return found
    pending, provider = found
    if provider.pk != provider_id:
        return _refused(request, "This response is for another identity provider.")
    service_provider = _service_provider(request, provider)
    try:
        assertion = saml.validated_assertion(
            service_provider, saml_response=saml_response, request_id=pending["request_id"]
        )
    except oidc.SignInRefused as error:
        services.sso_sign_in_failed_record(provider=provider, reason=str(error))
        return _refused(request, str(error))
    try:
        services.saml_assertion_use(
            provider=provider,
            assertion_id=assertion.assertion_id,
            expires_at=assertion.expires_at,
        )
    except services.SsoRefused as refusal:
        services.sso_sign_in_failed_record(provider=provider, reason=refusal.reason)
        return _refused(request, refusal.message)
    if pending["purpose"] == PURPOSE_TRY:
        return _try_result(request, provider, assertion.claims)
    response = _sign_in(request, provider, assertion.claims)
    if _signed_in(response):
        saml_session = services.saml_session_record(
            provider=provider,
            user=request.user,  # type: ignore[arg-type]  # signed in just above
            session_key=str(request.session.session_key),
            name_id=assertion.name_id,
            name_id_format=assertion.name_id_format,
            session_index=assertion.session_index,
        )
        if saml.idp_metadata_read(provider.idp_metadata).slo_url:
            # Signing out of Tandem comes back here (saml_sign_out) to send a fresh, signed
            # LogoutRequest: one made now would be stale by then.
            token = signing.dumps(saml_session.pk, salt=SIGN_OUT_SALT)
            request.session[END_SESSION_URL_KEY] = absolute_url(
                reverse("sso:saml_sign_out", args=[provider.pk, token]), request=request
            )
    return response


@require_GET
def saml_metadata(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Tandem's service provider metadata for one SAML provider (public: the provider's admin
    uploads it or points the provider at this URL, which is also the entity id)."""
    provider = IdentityProvider.objects.filter(pk=provider_id, kind=ProviderKind.SAML).first()
    if provider is None:
        raise Http404
    xml = saml.sp_metadata(_service_provider(request, provider))
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_GET
def saml_sign_out(request: HttpRequest, provider_id: int, token: str) -> HttpResponse:
    """After Tandem's sign-out ended a SAML-signed-in session: send the browser to the
    provider's single logout URL with a signed LogoutRequest for that sign-in (once)."""
    try:
        saml_session_id = signing.loads(
            token, salt=SIGN_OUT_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except signing.BadSignature:
        return redirect("accounts:login")
    saml_session = selectors.saml_session_awaiting_sign_out(
        provider_id=provider_id, saml_session_id=int(saml_session_id)
    )
    if saml_session is None:
        return redirect("accounts:login")
    try:
        url, request_id = saml.logout_request(
            _service_provider(request, saml_session.provider),
            name_id=saml_session.name_id,
            name_id_format=saml_session.name_id_format,
            session_index=saml_session.session_index,
        )
    except (SAMLError, ValueError):
        url = request_id = ""
    if not url:
        return redirect("accounts:login")
    services.saml_session_logout_sent(saml_session_id=saml_session.pk, request_id=request_id)
    return redirect(url)


# Like the ACS: the provider's POST is cross-site (no session cookie, no CSRF token); the
# signature, issuer and destination are what make a logout message count.
@csrf_exempt
def saml_slo(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Single logout at Tandem, by the HTTP-Redirect (GET) or HTTP-POST binding: either the
    provider's LogoutRequest (it signed the person out there: end their sessions here and
    answer with a signed LogoutResponse) or its LogoutResponse to Tandem's own request."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    provider = selectors.saml_provider_get(provider_id=provider_id)
    if provider is None:
        raise Http404
    params = request.GET if request.method == "GET" else request.POST
    binding = BINDING_HTTP_REDIRECT if request.method == "GET" else BINDING_HTTP_POST
    received = {
        "binding": binding,
        "relay_state": params.get("RelayState", ""),
        "sigalg": params.get("SigAlg", ""),
        "signature": params.get("Signature", ""),
    }
    service_provider = _service_provider(request, provider)
    try:
        if params.get("SAMLRequest"):
            logout_request = saml.logout_request_verified(
                service_provider, saml_request=params["SAMLRequest"], **received
            )
            ended = services.saml_sessions_end(
                provider=provider,
                name_id=logout_request.name_id,
                session_indexes=logout_request.session_indexes,
            )
            answer = saml.logout_response(service_provider, logout_request, signed_out=ended > 0)
            return _send(request, answer)
        if params.get("SAMLResponse"):
            request_id = saml.logout_response_verified(
                service_provider, saml_response=params["SAMLResponse"], **received
            )
            if not services.saml_session_logout_confirmed(provider=provider, request_id=request_id):
                raise saml.LogoutRefused("This answers no sign-out Tandem asked for.")
            messages.success(request, f"You are signed out of {provider.display_name} too.")
            return redirect("accounts:login")
    except saml.LogoutRefused as error:
        services.saml_sign_out_failed_record(provider=provider, reason=str(error))
        return _refused(request, str(error))
    return _refused(request, "This is not a SAML logout message.")


def _send(request: HttpRequest, message: saml.OutgoingMessage) -> HttpResponse:
    """A message to the identity provider: a redirect, or a form the browser posts there (the
    page allows that one form target beside Tandem)."""
    if not message.fields:
        return redirect(message.url)
    response = render(request, "sso/saml_post.html", {"url": message.url, "fields": message.fields})
    parts = urlsplit(message.url)
    response["Content-Security-Policy"] = POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}"
    )
    return response


def _shown_claims(claims: dict[str, Any]) -> dict[str, str]:
    # What the admin needs to map roles and attributes: every claim, as text.
    return {str(name): str(value) for name, value in claims.items()}


# --- the organisation admin's pages -----------------------------------------------------------


def _admin_only(request: AuthenticatedRequest) -> None:
    try:
        require_sso_admin(request.user)
    except Forbidden as error:
        raise Http404 from error


def _provider(request: AuthenticatedRequest, provider_id: int) -> IdentityProvider:
    _admin_only(request)
    try:
        return identity_provider_access(actor=request.user, provider_id=provider_id)
    except NotFound as error:
        raise Http404 from error


def _settings_from(form: IdentityProviderForm) -> services.ProviderSettings:
    data = form.cleaned_data
    return services.ProviderSettings(
        display_name=data["display_name"],
        email_domains=data["email_domains"],
        issuer=data["issuer"],
        client_id=data["client_id"],
        client_secret=data["client_secret"] or None,
        role_claim=data["role_claim"],
        role_values=data["role_values"],
        default_role=data["default_role"],
        department_claim=data["department_claim"],
        job_title_claim=data["job_title_claim"],
        kind=data["kind"],
        idp_metadata=data["idp_metadata_file"] or data["idp_metadata"],
        idp_metadata_url=data["idp_metadata_url"],
        asserts_verified_emails=data["asserts_verified_emails"],
    )


def _initial(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "display_name": provider.display_name,
        "email_domains": ", ".join(provider.email_domains),
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "role_claim": provider.role_claim,
        "role_values": "\n".join(f"{k} = {v}" for k, v in provider.role_values.items()),
        "default_role": provider.default_role,
        "department_claim": provider.department_claim,
        "job_title_claim": provider.job_title_claim,
        "kind": provider.kind,
        "idp_metadata_url": provider.idp_metadata_url,
        "asserts_verified_emails": provider.asserts_verified_emails,
    }


def _settings_form(request: AuthenticatedRequest, data: Any = None) -> SsoSettingsForm:
    organization = request.user.organization
    form = SsoSettingsForm(
        data,
        admins=selectors.break_glass_candidates(actor=request.user),
        initial={
            "sso_required": organization.sso_required if organization else False,
            "break_glass_admin": organization.sso_break_glass_admin_id if organization else None,
        },
    )
    apply_bootstrap(form)
    return form


@login_required
def provider_list(request: AuthenticatedRequest) -> HttpResponse:
    _admin_only(request)
    form = IdentityProviderForm(
        request.POST or None,
        request.FILES or None,
        initial={"department_claim": "department", "job_title_claim": "job_title"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.identity_provider_create(
                actor=request.user, values=_settings_from(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                gettext("%(name)s is connected.") % {"name": provider.display_name},
            )
            return redirect("sso:detail", provider.pk)
    apply_bootstrap(form)
    return render(
        request,
        "sso/list.html",
        {
            "nav_section": "people",
            "form": form,
            "settings_form": _settings_form(request),
            "providers": selectors.identity_provider_list_for_admin(actor=request.user),
            "redirect_uri": _redirect_uri(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def provider_detail(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    form = IdentityProviderForm(
        request.POST or None, request.FILES or None, initial=_initial(provider)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_provider_update(
                actor=request.user, provider_id=provider.pk, values=_settings_from(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("Provider saved."))
            return redirect("sso:detail", provider.pk)
    apply_bootstrap(form)
    response = render(
        request,
        "sso/detail.html",
        {
            "nav_section": "people",
            "provider": provider,
            "form": form,
            "redirect_uri": _redirect_uri(request),
            "service_provider": (
                _service_provider(request, provider) if provider.kind == ProviderKind.SAML else None
            ),
        },
        status=400 if form.errors else 200,
    )
    # "Try sign-in" posts here, then goes on to the identity provider.
    return allow_forms_to_leave(response)


@login_required
@require_POST
def provider_disable(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    services.identity_provider_set_enabled(
        actor=request.user, provider_id=provider.pk, is_enabled=False
    )
    messages.success(
        request,
        gettext("%(name)s is disabled: it signs nobody in.") % {"name": provider.display_name},
    )
    return redirect("sso:detail", provider.pk)


@login_required
@require_POST
def provider_enable(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = _provider(request, provider_id)
    services.identity_provider_set_enabled(
        actor=request.user, provider_id=provider.pk, is_enabled=True
    )
    messages.success(request, gettext("%(name)s is enabled.") % {"name": provider.display_name})
    return redirect("sso:detail", provider.pk)


@login_required
@require_POST
def provider_try(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    """Run the flow and show the claims received, without signing anyone in."""
    provider = _provider(request, provider_id)
    return _start(request, provider, purpose=PURPOSE_TRY)


@login_required
@require_POST
def sso_settings(request: AuthenticatedRequest) -> HttpResponse:
    _admin_only(request)
    form = _settings_form(request, request.POST)
    if form.is_valid():
        try:
            services.organization_sso_update(
                actor=request.user,
                sso_required=form.cleaned_data["sso_required"],
                break_glass_admin_id=form.cleaned_data["break_glass_admin"],
            )
        except DomainError as error:
            messages.error(request, " ".join(e.message for e in error.errors) or error.detail)
        else:
            messages.success(request, gettext("Single sign-on settings saved."))
    else:
        messages.error(request, gettext("Choose a break-glass admin from the list."))
    return redirect("sso:list")
