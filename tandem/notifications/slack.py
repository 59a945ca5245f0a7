"""Slack direct messages through the official SDK (`slack_sdk.WebClient`), with the bot token of
the person's organisation: find the person by email (`users.lookupByEmail`, once: the id is
cached on their `ChatAddress`), open the direct message (`conversations.open`) and post the
message (`chat.postMessage`) as Block Kit blocks with a plain-text fallback.

The client's `base_url` is `settings.SLACK_API_BASE_URL` (Slack's own by default), so tests
point it at a loopback server. The SDK's own retries are off: the outbox retries a row with its
backoff (or at the time a rate limit's Retry-After names), so every attempt is one row attempt.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tandem.core.links import absolute_url

TIMEOUT_SECONDS = 10
# Slack's limits: a section's text 3000 characters, a header's 150, a button's label 75.
_SECTION_MAX = 3000
_HEADER_MAX = 150

# Errors that name something about this message, person or token that a retry cannot fix.
PERMANENT_ERRORS = frozenset(
    {
        "users_not_found",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
    }
)
# The person's cached id is wrong (they left the workspace, or the token is another
# workspace's): forget it, and retry, which looks them up again (an unknown email is then
# permanent: `users_not_found`).
STALE_USER_ERRORS = frozenset({"user_not_found", "user_disabled", "cannot_dm_bot"})


@dataclass
class SlackFailure(Exception):
    """Slack refused or could not be reached. `error` is Slack's code (or the HTTP status, or
    the connection's problem); `retry_after` the seconds a rate limit asks to wait."""

    error: str
    permanent: bool
    retry_after: int | None = None
    stale_user: bool = False

    def __str__(self) -> str:
        return f"slack: {self.error}"


def slack_client(token: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=str(settings.SLACK_API_BASE_URL),
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def slack_blocks(*, title: str, text: str, path: str) -> list[dict[str, object]]:
    """The Block Kit message: the title as a header, the text as a section, and a button that
    opens the page in Tandem (an absolute URL: the message is read in Slack)."""
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:_HEADER_MAX] or "Tandem"}}
    ]
    if text.strip():
        blocks.append(
            {"type": "section", "text": {"type": "plain_text", "text": text[:_SECTION_MAX]}}
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": gettext("Open in Tandem")},
                    "url": absolute_url(path or "/notifications/"),
                    "action_id": "open_in_tandem",
                }
            ],
        }
    )
    return blocks


def _failure(error: Exception) -> SlackFailure:
    if isinstance(error, SlackApiError):
        response = error.response
        if response.status_code == 429 or response.get("error") == "ratelimited":
            raw = response.headers.get("Retry-After") or response.headers.get("retry-after")
            retry_after = int(raw) if raw and str(raw).isdigit() else 60
            return SlackFailure(error="ratelimited", permanent=False, retry_after=retry_after)
        if response.status_code != 200:
            # Slack's side failed (5xx) or a proxy answered: its body is no API answer.
            return SlackFailure(
                error=f"HTTP {response.status_code}", permanent=response.status_code in (400, 404)
            )
        code = str(response.get("error") or "unknown_error")
        return SlackFailure(
            error=code,
            permanent=code in PERMANENT_ERRORS,
            stale_user=code in STALE_USER_ERRORS,
        )
    # A refused connection, a timeout, a malformed answer: Slack may be back later.
    return SlackFailure(error=repr(error)[:300], permanent=False)


def slack_user_lookup(*, token: str, email: str) -> str:
    """The Slack user id of the person with `email` in the token's workspace."""
    try:
        response = slack_client(token).users_lookupByEmail(email=email)
    except Exception as error:
        raise _failure(error) from error
    return str(response["user"]["id"])


def slack_direct_message(*, token: str, user_id: str, title: str, text: str, path: str) -> str:
    """Post the message to the direct message with `user_id`. Returns the message's ts."""
    client = slack_client(token)
    try:
        opened = client.conversations_open(users=[user_id])
        channel = str(opened["channel"]["id"])
        posted = client.chat_postMessage(
            channel=channel,
            # The fallback: notifications, screen readers and clients without blocks read it.
            text=f"{title}\n{text}".strip()[:_SECTION_MAX],
            blocks=slack_blocks(title=title, text=text, path=path),
            unfurl_links=False,
        )
    except Exception as error:
        raise _failure(error) from error
    return str(posted.get("ts") or "")
