"""The email of an outbox row: multipart text + HTML in the programme's name and colour, its
attachments (e.g. an ICS invitation), a stable Message-ID and one-click unsubscribe headers
(RFC 2369 List-Unsubscribe and RFC 8058 List-Unsubscribe-Post)."""

import base64
import re
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext

from tandem.core.links import absolute_url
from tandem.core.text import one_line
from tandem.notifications.models import OutboxMessage
from tandem.notifications.unsubscribe import unsubscribe_token
from tandem.notifications.wording import recipient_language

TANDEM_BLUE = "#0d6efd"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def is_plain_colour(colour: str) -> bool:
    """Whether `colour` is exactly #rrggbb (the only colour an email or an outbox row takes)."""
    return _COLOUR.fullmatch(colour) is not None


def programme_colour(colour: str) -> str:
    """The programme's colour (copied onto the outbox row) as #rrggbb, or Tandem blue without a
    programme. A value that is not a plain hex colour is ignored, so nothing odd reaches the HTML
    (programs refuses one too; this keeps the email safe whatever it is handed)."""
    return colour if is_plain_colour(colour) else TANDEM_BLUE


def unsubscribe_url(message: OutboxMessage) -> str:
    token = unsubscribe_token(user_id=message.recipient_id, category=message.category)
    return absolute_url(reverse("notifications:unsubscribe", args=[token]))


def unsubscribe_mailto(message: OutboxMessage) -> str:
    """mailto: fallback of List-Unsubscribe: the sender's address with the token as subject."""
    address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or "tandem@localhost"
    token = unsubscribe_token(user_id=message.recipient_id, category=message.category)
    return f"mailto:{address}?subject=unsubscribe%20{token}"


def outbox_email_build(message: OutboxMessage) -> EmailMultiAlternatives:
    """The email for `message` (its recipient loaded), framed in the recipient's language (the
    subject and text were worded in it when the message was enqueued)."""
    with recipient_language(message.recipient):
        return _email_build(message)


def _email_build(message: OutboxMessage) -> EmailMultiAlternatives:
    programme_name = message.program_name
    link = absolute_url(message.url)
    unsubscribe = unsubscribe_url(message)
    preferences = absolute_url(reverse("notifications:preferences"))
    text = message.text_body.rstrip("\n") + "\n"
    if link:
        text += f"\n{link}\n"
    text += (
        "\n--\n"
        + (f"{programme_name} · Tandem\n" if programme_name else "Tandem\n")
        + gettext("You receive this because of your notification settings: %(url)s")
        % {"url": preferences}
        + "\n"
        + gettext("Stop these emails: %(url)s") % {"url": unsubscribe}
        + "\n"
    )
    html = render_to_string(
        "notifications/email/message.html",
        {
            "subject": message.subject,
            "programme_name": programme_name,
            "colour": programme_colour(message.program_colour),
            "html_body": message.html_body,
            "text_body": message.text_body,
            "link": link,
            "preferences_url": preferences,
            "unsubscribe_url": unsubscribe,
            "language": get_language(),
        },
    )
    email = EmailMultiAlternatives(
        # Titles are checked for line breaks where they are typed; this keeps a row written
        # before that (or by a path that forgot) from being unsendable: a header is one line.
        subject=one_line(message.subject),
        body=text,
        to=[message.recipient.email],
        headers={
            "Message-ID": message.message_id,
            "List-Unsubscribe": f"<{unsubscribe}>, <{unsubscribe_mailto(message)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Tandem-Outbox-Key": one_line(message.key),
        },
    )
    email.attach_alternative(html, "text/html")
    for attachment in message.attachments:
        content: str | bytes = attachment["content"]
        if attachment.get("encoding") == "base64":
            content = base64.b64decode(attachment["content"])
        email.attach(attachment["filename"], content, attachment["mimetype"])
    return email
