"""Messages in the recipient's language: one event told to an English and a Spanish reader
gives an English and a Spanish email (subject, body and frame), and every category's email and
settings page read in Spanish."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send, outbox_deliver_batch, outbox_enqueue


@pytest.fixture(autouse=True)
def _source_language_after_each_test():
    # A signed-in request activates its reader's language for the rest of the thread
    # (PersonLanguageMiddleware does not deactivate it): leave the next test in the default.
    yield
    translation.deactivate()


pytestmark = pytest.mark.django_db


def _delivered() -> dict[str, mail.EmailMessage]:
    outbox_deliver_batch(worker_id="test")
    return {message.to[0]: message for message in mail.outbox}


def test_one_event_reaches_each_recipient_in_their_own_language(django_capture_on_commit_callbacks):
    # given an English and a Spanish reader of the same organisation
    english = UserFactory(language="en-gb", email="en@example.com")
    spanish = UserFactory(language="es", email="es@example.com", organization=english.organization)

    # when one event is told to both, worded per recipient
    with django_capture_on_commit_callbacks(execute=False):
        notification_send(
            recipients=[english, spanish],
            category=NotificationCategory.MEETINGS,
            subject=gettext_lazy("Notification settings"),
            body=lambda: gettext("Quiet hours must end at another time."),
            url="/notifications/",
        )
    emails = _delivered()

    # then each email is in its reader's language: subject, body and the frame around it
    assert emails["en@example.com"].subject == "Notification settings"
    assert emails["es@example.com"].subject == "Configuración de notificaciones"
    assert "Quiet hours must end at another time." in emails["en@example.com"].body
    assert "Las horas de silencio deben terminar a otra hora." in emails["es@example.com"].body
    assert "Stop these emails:" in emails["en@example.com"].body
    assert "Dejar de recibir estos correos:" in emails["es@example.com"].body
    assert "Stop these emails" not in emails["es@example.com"].body
    html = emails["es@example.com"].alternatives[0][0]
    assert '<html lang="es">' in html
    assert "Abrir en Tandem" in html
    assert "Darte de baja de estos correos" in html


@pytest.mark.parametrize("category", NotificationCategory.values)
def test_every_category_frames_a_spanish_email_in_spanish(
    category, django_capture_on_commit_callbacks
):
    # given a Spanish reader who wants email for this category
    reader = UserFactory(language="es", email="lector@example.com")

    # when a message of the category reaches them
    with django_capture_on_commit_callbacks(execute=False):
        outbox_enqueue(
            key=f"test:{category}:{reader.pk}",
            rule="test",
            recipient=reader,
            category=category,
            subject="Asunto",
            text="Texto.",
            url="/notifications/",
        )
    if category == NotificationCategory.MONTHLY_REPORT:
        assert mail.outbox == []  # opt-in only: nothing sent, nothing to frame
        return
    message = _delivered()["lector@example.com"]

    # then nothing around it is left in English
    html = message.alternatives[0][0]
    for english in ("Open in Tandem", "notification settings", "Unsubscribe from these emails"):
        assert english not in html
    assert "Stop these emails" not in message.body
    assert "Abrir en Tandem" in html


def test_the_settings_page_reads_in_spanish(client):
    # given a Spanish reader, signed in
    reader = UserFactory(language="es")
    client.force_login(reader)

    # when they open their notification settings and their notifications
    settings_page = client.get("/notifications/preferences/")
    list_page = client.get("/notifications/")

    # then the pages, the category labels included, are Spanish
    assert settings_page.status_code == 200
    assert list_page.status_code == 200
    text = settings_page.content.decode()
    assert "Configuración de notificaciones" in text
    assert "Horas de silencio" in text
    assert "Tus relaciones de mentoría (inicio, pausa, fin)" in text
    assert "Save settings" not in text
    assert "Your mentoring relationships" not in text
    assert "Aún no hay notificaciones." in list_page.content.decode()


def test_a_refused_setting_is_explained_in_spanish(client):
    # given a Spanish reader
    reader = UserFactory(language="es")
    client.force_login(reader)

    # when they give quiet hours that start and end at once
    response = client.post(
        "/notifications/preferences/", {"quiet_start": "22:00", "quiet_end": "22:00"}
    )

    # then the refusal is in Spanish and nothing was saved
    assert response.status_code == 400
    assert "Las horas de silencio deben terminar a otra hora." in response.content.decode()
