"""Microsoft Teams through a Workflows webhook ("post to a chat when a webhook request is
received"): the person pastes the URL their workflow gives them, and Tandem posts an Adaptive
Card 1.5 in the message envelope the Workflows trigger takes. The legacy connector format
(MessageCard) is retired, so only the Adaptive Card is sent.

The call goes through the one SSRF guard (`core.outbound`): https, a public address pinned
once resolved, no redirects, and at most once (the row is marked sent before the request's
last byte; the receiver never reads a request that was not recorded).
"""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext

from tandem.core.errors import FieldError
from tandem.core.links import absolute_url
from tandem.core.outbound import Answer, post, url_errors

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
_TEXT_MAX = 3000


def adaptive_card(*, title: str, text: str, path: str) -> dict[str, object]:
    """The card: the title (bold, larger), the text (wrapped) and an "Open in Tandem" button
    with the page's absolute URL."""
    body: list[dict[str, object]] = [
        {
            "type": "TextBlock",
            "text": title or "Tandem",
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if text.strip():
        body.append({"type": "TextBlock", "text": text[:_TEXT_MAX], "wrap": True})
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "actions": [
            {
                "type": "Action.OpenUrl",
                "title": gettext("Open in Tandem"),
                "url": absolute_url(path or "/notifications/"),
            }
        ],
    }


def teams_message(*, title: str, text: str, path: str) -> dict[str, object]:
    """The body posted to the Workflows webhook: one message carrying the card."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": adaptive_card(title=title, text=text, path=path),
            }
        ],
    }


def teams_webhook_errors(url: str) -> list[FieldError]:
    """What is wrong with a Workflows webhook URL a person pasted: the SSRF guard's rules
    (https, a host, no credentials, no literal private address); hosts are not listed
    (tenants' Power Automate hosts differ by region and change)."""
    if not url.strip():
        return [
            FieldError("teams_webhook_url", gettext("Paste the URL your Teams workflow gives you."))
        ]
    return url_errors(url, field="teams_webhook_url")


def teams_post(*, url: str, body: bytes, commit: Callable[[], bool]) -> Answer | None:
    """POST the message at most once (see `core.outbound.post`)."""
    return post(
        url=url,
        body=body,
        headers={"User-Agent": "Tandem-Notifications/1"},
        commit=commit,
        timeout=float(settings.WEBHOOKS_TIMEOUT_SECONDS),
    )
