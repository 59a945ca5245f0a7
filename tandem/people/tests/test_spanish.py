"""Issue 13, "Languages": the pages of accounts, people, privacy, sso and audit in Spanish, and
the choices that put a person there (their profile, the API, the organisation's default, the
signed-out switcher)."""

import pytest
from django.core import mail
from django.urls import reverse

from tandem.accounts.models import Organization, User
from tandem.accounts.services import sign_in_link_request
from tandem.audit import events as audit_events
from tandem.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# (url name, who opens it, Spanish that must appear, its English source that must not)
PAGES = [
    ("people:profile", "mentee", "Idioma de Tandem", "Save profile"),
    ("people:profile", "mentee", "Mi perfil", "My profile"),
    ("people:developer", "mentor", "Tokens personales de API", "Personal API tokens"),
    ("people:list", "admin", "Todos los departamentos", "All departments"),
    ("people:import", "admin", "Importar personas", "Import people"),
    ("people:skills", "manager", "Añadir una habilidad", "Add a skill"),
    ("accounts:members", "admin", "Personas con acceso", "People with access"),
    ("accounts:organization_settings", "admin", "Idioma para las personas nuevas", "Save settings"),
    ("privacy:exports", "member", "Pedir una exportación", "Request an export"),
    ("privacy:erase", "member", "Borrar mis datos", "Erase my data"),
    ("privacy:retention", "admin", "Conservación de datos", "Data retention"),
    ("sso:list", "admin", "Conectar un proveedor", "Connect a provider"),
    ("audit:list", "admin", "Buscar en el registro de auditoría", "Search the audit trail"),
    ("audit:settings", "admin", "Cuánto tiempo se conservan las entradas", "How long entries"),
    ("home", "mentee", "Mis programas", "Sign out"),
]


@pytest.mark.parametrize(("url_name", "actor", "spanish", "english"), PAGES)
def test_a_spanish_reader_sees_the_page_in_spanish(client, cast, url_name, actor, spanish, english):
    # given
    person: User = getattr(cast, actor)
    User.objects.filter(pk=person.pk).update(language="es")
    client.force_login(person)
    # when
    response = client.get(reverse(url_name))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es"' in html
    assert spanish in html
    assert english not in html


@pytest.mark.parametrize("url_name", ["accounts:login", "accounts:password_reset"])
def test_signed_out_pages_follow_the_switcher_cookie(client, url_name):
    # when: the footer's switcher posts to Django's set_language
    switched = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    response = client.get(reverse(url_name))
    # then
    assert switched.status_code == 302
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Cambiar idioma" in html
    assert "Forgotten your password?" not in html


def test_choosing_spanish_on_the_profile_takes_effect_on_the_next_page(client, cast):
    # given
    client.force_login(cast.mentee)
    # when
    saved = client.post(reverse("people:profile"), {"timezone": "Europe/Madrid", "language": "es"})
    following = client.get(saved["Location"])
    # then
    cast.mentee.refresh_from_db()
    assert saved.status_code == 302
    assert cast.mentee.language == "es"
    assert "Tu perfil se ha guardado." in following.content.decode()
    assert '<html lang="es"' in following.content.decode()


@pytest.mark.parametrize("language", ["de", "", "ES", "es-es"])
def test_a_language_tandem_does_not_offer_is_refused_and_nothing_changes(
    client, cast, api_as, language
):
    # when
    page = client.force_login(cast.mentee) or client.post(
        reverse("people:profile"), {"timezone": "Europe/Madrid", "language": language}
    )
    api = api_as(cast.mentee).patch(
        "/api/v1/me/profile", {"language": language, "job_title": "Changed"}
    )
    # then
    cast.mentee.refresh_from_db()
    # (an empty choice on the page means "leave it as it is")
    assert page.status_code == (400 if language else 302)
    assert api.status_code == 400
    assert [error["field"] for error in api.json()["errors"]] == ["language"]
    assert cast.mentee.language == "en-gb"
    assert cast.mentee.profile.job_title != "Changed"


def test_the_api_reads_and_writes_the_own_language(cast, api_as):
    # given
    client = api_as(cast.mentor)
    # when
    before = client.get("/api/v1/me/profile").json()["language"]
    changed = client.patch("/api/v1/me/profile", {"language": "es"})
    # then
    cast.mentor.refresh_from_db()
    assert before == "en-gb"
    assert changed.status_code == 200
    assert changed.json()["language"] == "es"
    assert cast.mentor.language == "es"


def test_the_organisation_default_is_saved_and_audited(client, cast):
    # given
    client.force_login(cast.admin)
    organization = cast.admin.organization
    size = organization.aggregate_min_group_size
    # when
    response = client.post(
        reverse("accounts:organization_settings"),
        {"aggregate_min_group_size": size, "default_language": "es"},
    )
    # then
    assert response.status_code == 302
    assert Organization.objects.get(pk=organization.pk).default_language == "es"
    entry = AuditEntry.objects.filter(
        organization_id=organization.pk, event=audit_events.SETTINGS_CHANGED
    ).get()
    assert entry.additional_data == {
        "settings": "organisation",
        "changes": {"default_language": ["en-gb", "es"]},
    }


def test_a_sign_in_link_is_written_in_the_recipient_language(cast):
    # given
    User.objects.filter(pk=cast.member.pk).update(language="es")
    # when
    sign_in_link_request(email=cast.member.email, address=None, base_url="http://testserver")
    # then
    [message] = mail.outbox
    assert message.subject == "Tu enlace para entrar en Tandem"
    assert "El enlace funciona una sola vez" in message.body
