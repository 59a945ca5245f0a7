"""Every write about notifications. Domain services call `notification_send` or `outbox_enqueue`
explicitly (no signals), inside their own transaction: the in-app copy and the outbox row commit
with the state they describe, or not at all. Emails leave only through the outbox
(`outbox_deliver_batch`, run by `outbox_deliver_task` and `manage.py deliver_outbox`)."""

import base64
import datetime
import hashlib
import json
import logging
import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from tandem.accounts.models import Role, User
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core import outbound
from tandem.core.delivery import DeliveryReport
from tandem.core.errors import FieldError, Forbidden, InvalidInput, NotFound
from tandem.core.json_rows import in_values, insert_rows
from tandem.core.links import site_host
from tandem.notifications.emails import is_plain_colour, outbox_email_build
from tandem.notifications.models import (
    CATEGORIES_WITHOUT_OFF,
    DEFAULT_DAILY_CAP,
    EXTRA_CHANNELS,
    MANAGER_CATEGORIES,
    ChannelSettings,
    ChatAddress,
    DeliveryChannel,
    Notification,
    NotificationCategory,
    NotificationChannel,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    QuietHours,
    default_channel,
    outbox_message_id,
)
from tandem.notifications.push import (
    PushNotConfigured,
    PushOutcome,
    PushTarget,
    push_endpoint_errors,
    push_payload,
    push_send,
)
from tandem.notifications.quiet import quiet_hours_end
from tandem.notifications.slack import SlackFailure, slack_direct_message, slack_user_lookup
from tandem.notifications.smtp_delivery import OutcomeUnknown, RefusedAfterCommit, SmtpSession
from tandem.notifications.teams import teams_message, teams_post, teams_webhook_errors
from tandem.notifications.unsubscribe import unsubscribe_read
from tandem.notifications.wording import Wording, recipient_language, worded

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


@dataclass(frozen=True, slots=True)
class OutboxProgram:
    """The programme an email is about, as the email shows it: the caller, which holds the
    programme, hands over its id, name and colour (programs sits above notifications, so the
    outbox cannot look them up). They are copied onto the row when it is written."""

    id: int
    name: str
    colour: str

    def stored(self) -> tuple[int, str, str]:
        """The row's program_id, program_name and program_colour: the name cut to its column,
        a colour that is not exactly #rrggbb left out (the email then uses Tandem's), the same
        on every database whatever the caller hands over."""
        return (self.id, self.name[:200], self.colour if is_plain_colour(self.colour) else "")


@dataclass(slots=True)
class OutboxItem:
    """One email (and in-app copy) to enqueue; see `outbox_enqueue` for the fields."""

    key: str
    rule: str
    recipient_id: int
    category: str
    subject: str
    text: str
    url: str = ""
    # The programme whose name and colour dress the email (None: Tandem's own).
    program: OutboxProgram | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    html: str | None = None


def mail_domain() -> str:
    """The domain of Tandem's Message-IDs (the site's host)."""
    return site_host()


def _stored_attachment(attachment: Attachment) -> dict[str, str]:
    if isinstance(attachment.content, bytes):
        content, encoding = base64.b64encode(attachment.content).decode("ascii"), "base64"
    else:
        content, encoding = attachment.content, "text"
    return {
        "filename": attachment.filename,
        "mimetype": attachment.mimetype,
        "content": content,
        "encoding": encoding,
    }


def _channels(
    user_ids: list[int], categories: set[str]
) -> dict[tuple[int, str], tuple[str, frozenset[str]]]:
    """(base channel, the extra channels chosen) per (person, category) that has a row."""
    return {
        (user_id, category): (
            channel,
            frozenset(
                name
                for name, wanted in zip(EXTRA_CHANNELS, (push, slack, teams), strict=True)
                if wanted
            ),
        )
        for user_id, category, channel, push, slack, teams in (
            NotificationPreference.objects.filter(
                user_id__in=in_values(user_ids), category__in=categories
            ).values_list("user_id", "category", "channel", "push", "slack", "teams")
        )
    }


def _channels_open(user_ids: list[int]) -> dict[int, frozenset[str]]:
    """The channels beside email each of `user_ids` may be sent through now, as their
    organisation's switches say (no settings row: web push only; Slack also needs a bot
    token). One query."""
    rows = (
        User.objects.filter(pk__in=in_values(user_ids))
        .annotate(
            no_token=ExpressionWrapper(
                Q(organization__channel_settings__slack_bot_token__isnull=True),
                output_field=BooleanField(),
            )
        )
        .values_list(
            "pk",
            "organization__channel_settings__push_enabled",
            "organization__channel_settings__slack_enabled",
            "no_token",
            "organization__channel_settings__teams_enabled",
        )
    )
    allowed: dict[int, frozenset[str]] = {}
    for user_id, push_on, slack_on, no_token, teams_on in rows:
        names = set()
        if push_on is None or push_on:
            names.add(DeliveryChannel.PUSH.value)
        if slack_on and not no_token:
            names.add(DeliveryChannel.SLACK.value)
        if teams_on:
            names.add(DeliveryChannel.TEAMS.value)
        allowed[user_id] = frozenset(names)
    return allowed


def channel_key(key: str, channel: str) -> str:
    """The outbox key of the `channel` row owed for `key` (the email row keeps `key`): still
    unique per key and channel, and within the column's 255 characters."""
    suffixed = f"{key}#{channel}"
    if len(suffixed) <= 255:
        return suffixed
    return f"{hashlib.sha256(key.encode()).hexdigest()}#{channel}"


def _quiet_hours(
    user_ids: list[int],
) -> dict[int, tuple[datetime.time, datetime.time, str | None]]:
    return {
        user_id: (start, end, zone)
        for user_id, start, end, zone in QuietHours.objects.filter(
            user_id__in=in_values(user_ids)
        ).values_list("user_id", "start", "end", "user__profile__timezone")
    }


def _kick_delivery(message_ids: list[int] | None) -> None:
    # Imported here: the task module imports this one.
    from tandem.notifications.tasks import outbox_deliver_task

    outbox_deliver_task.enqueue(worker_id=f"kick-{uuid.uuid4().hex[:12]}", message_ids=message_ids)


# The columns `_enqueue` writes in each row, in the order of its tuples; the others are the
# same for every row and go in `same=` (every column is written: the table has no database
# defaults).
_OUTBOX_FIELDS = (
    "key",
    "channel",
    "rule",
    "category",
    "recipient_id",
    "program_id",
    "program_name",
    "program_colour",
    "subject",
    "text_body",
    "html_body",
    "url",
    "attachments",
    "status",
    "not_before",
    "message_id",
)
_CATEGORIES = frozenset(NotificationCategory.values)
_NO_PROGRAM: tuple[None, str, str] = (None, "", "")
_NOTIFICATION_FIELDS = ("user_id", "category", "title", "body", "url")
# A kick names its rows up to this many; past it, the task delivers whatever is due (the same
# rows, and a task argument that stays small).
_KICK_IDS_MAX = 1000


@dataclass(frozen=True)
class _Enqueued:
    # The new pending email rows (the rows of other channels are not counted here).
    pending: list[int]
    notifications: list[int]


def _enqueue(items: Sequence[OutboxItem], *, recipients_active: bool = False) -> _Enqueued:
    """Write the outbox rows of `items` whose key is new, then the in-app copies of the new
    ones: the preferences and quiet hours of every recipient read in two queries, then one
    INSERT … ON CONFLICT DO NOTHING for the outbox and one INSERT for the copies, whatever the
    number of items (see `core.json_rows`). `recipients_active` says the caller checked each
    recipient's account (it held the User); otherwise one query leaves out deactivated ones.
    Returns the ids of the new pending rows and of the copies."""
    for item in items:
        if item.category not in _CATEGORIES:
            raise InvalidInput.for_field(
                "category", f"'{item.category}' is not a notification category."
            )
    if not items:
        return _Enqueued([], [])
    # The outbox never writes to a deactivated account, whoever the caller is; callers that
    # hold the User have checked it, the batch path (ids only) has not.
    inactive = (
        set()
        if recipients_active
        else set(
            User.objects.filter(
                pk__in=in_values(sorted({item.recipient_id for item in items})), is_active=False
            ).values_list("pk", flat=True)
        )
    )
    people = [item for item in items if item.recipient_id not in inactive]
    if not people:
        return _Enqueued([], [])
    user_ids = sorted({item.recipient_id for item in people})
    chosen = _channels(user_ids, {item.category for item in people})
    quiet = _quiet_hours(user_ids)
    # Read only when someone wants a channel beside email: the common batch pays no query.
    open_channels = _channels_open(user_ids) if any(extra for _, extra in chosen.values()) else {}
    now = timezone.now()
    domain = mail_domain()
    # Plain strings hoisted out of the loop: it runs once per message (351,000 in the benchmark).
    email, pending_status, skipped_status, off = (
        NotificationChannel.EMAIL.value,
        OutboxStatus.PENDING.value,
        OutboxStatus.SKIPPED.value,
        NotificationChannel.OFF.value,
    )
    nothing: frozenset[str] = frozenset()
    rows = []
    written: dict[str, tuple[OutboxItem, str, str, datetime.datetime]] = {}
    for item in people:
        channel, extra = chosen.get((item.recipient_id, item.category)) or (
            default_channel(item.category),
            nothing,
        )
        emailed = channel == email
        beside = (
            sorted(extra & open_channels.get(item.recipient_id, nothing))
            if extra and channel != off
            else []
        )
        window = quiet.get(item.recipient_id) if emailed or beside else None
        not_before = (
            now
            if window is None
            else quiet_hours_end(now=now, timezone_name=window[2], start=window[0], end=window[1])
        )
        written[item.key] = (item, channel, email, not_before)
        program = item.program
        stored_program = program.stored() if program is not None else _NO_PROGRAM
        rows.append(
            (
                item.key,
                email,
                item.rule,
                item.category,
                item.recipient_id,
                *stored_program,
                item.subject[:200],
                # A skipped row only remembers the key (idempotence), not the content.
                item.text if emailed else "",
                (item.html or "") if emailed else "",
                item.url,
                [_stored_attachment(a) for a in item.attachments] if emailed else [],
                pending_status if emailed else skipped_status,
                not_before,
                outbox_message_id(item.key, domain),
            )
        )
        for extra_channel in beside:
            key = channel_key(item.key, extra_channel)
            written[key] = (item, channel, extra_channel, not_before)
            # The text is kept: a message that fails for good falls back to an email of it.
            rows.append(
                (
                    key,
                    extra_channel,
                    item.rule,
                    item.category,
                    item.recipient_id,
                    *stored_program,
                    item.subject[:200],
                    item.text,
                    "",
                    item.url,
                    [],
                    pending_status,
                    not_before,
                    outbox_message_id(key, domain),
                )
            )
    inserted = insert_rows(
        OutboxMessage,
        _OUTBOX_FIELDS,
        rows,
        same={
            "attempts": 0,
            "max_attempts": OutboxMessage._meta.get_field("max_attempts").default,
            "next_attempt_at": now,
            "claimed_by": "",
            "claimed_until": None,
            "sent_at": None,
            "last_error": "",
            "created_at": now,
        },
        ignore_conflicts=True,
        returning=("id", "key"),
    )
    pending: list[int] = []
    due_now: list[int] = []
    copies = []
    for message_id, key in sorted(inserted):
        item, channel, delivery, not_before = written[key]
        if delivery != email:
            if not_before <= now:
                due_now.append(message_id)
            continue
        if channel == NotificationChannel.EMAIL:
            pending.append(message_id)
            if not_before <= now:
                due_now.append(message_id)
        if channel != NotificationChannel.OFF:
            copies.append(
                (
                    item.recipient_id,
                    item.category,
                    item.subject[:200],
                    item.text,
                    item.url,
                )
            )
    notifications = (
        insert_rows(
            Notification,
            _NOTIFICATION_FIELDS,
            copies,
            same={"created_at": now, "read_at": None},
            returning=("id",),
        )
        if copies
        else []
    )
    if due_now:
        kicked = due_now if len(due_now) <= _KICK_IDS_MAX else None
        # Robust: the kick only hurries delivery (the scheduler kicks every due row each
        # minute), so a queue that is down (Redis restarting) must not turn a write that has
        # committed into a 500 the client would retry (the soak, bench/soak.py, found it).
        transaction.on_commit(lambda: _kick_delivery(kicked), robust=True)
    return _Enqueued(pending, [row[0] for row in notifications])


@transaction.atomic
def outbox_enqueue(
    *,
    key: str,
    rule: str,
    recipient: User,
    category: str,
    subject: Wording,
    text: Wording,
    url: str = "",
    program: OutboxProgram | None = None,
    attachments: Sequence[Attachment] = (),
    html: str | None = None,
) -> OutboxMessage | None:
    """Owe `recipient` one message, once per `key` ("<rule>:<subject>:<recipient_id>:<period>").

    Call it inside the transaction that changes the state the message is about. It applies the
    recipient's preference for `category`: off writes no in-app copy and no email, in-app only
    writes the in-app `Notification`, email writes both and a pending `OutboxMessage` whose
    `not_before` is the end of the recipient's quiet hours. Every case records the key (a row with
    status skipped when no email is due), so a second call with the same key does nothing and
    returns None; the insert relies on the unique key, never on a check first. Returns the pending
    outbox row, or None when there is no email to send (duplicate key, inactive recipient, or a
    preference without email). Delivery is kicked once the caller's transaction commits.

    `text` is the plain-text body (also the in-app body); `html`, when given, is the HTML body
    and is trusted markup: render it from a template with autoescaping. Without it the HTML
    part shows `text`, escaped. Either way the email adds the programme's name and colour, the
    link to `url`, and the unsubscribe footer.

    `subject` and `text` are worded in the recipient's language (`wording.Wording`).
    """
    if not recipient.is_active:
        return None
    with recipient_language(recipient):
        subject, text = worded(subject), worded(text)
    enqueued = _enqueue(
        [
            OutboxItem(
                key=key,
                rule=rule,
                recipient_id=recipient.pk,
                category=category,
                subject=subject,
                text=text,
                url=url,
                program=program,
                attachments=attachments,
                html=html,
            )
        ],
        recipients_active=True,
    )
    return OutboxMessage.objects.get(pk=enqueued.pending[0]) if enqueued.pending else None


@transaction.atomic
def outbox_enqueue_many(items: list[OutboxItem]) -> int:
    """`outbox_enqueue` for a batch (the scheduler's): a bounded number of queries whatever the
    batch size (preferences and quiet hours of every recipient read at once, one bulk insert,
    one read-back, one bulk insert of in-app copies; IN lists chunked by 10,000). Returns how many
    emails were newly enqueued (pending rows); repeated keys add nothing."""
    return len(_enqueue(items).pending)


def notification_send(
    *,
    recipients: Iterable[User],
    category: str,
    subject: Wording,
    body: Wording,
    url: str = "",
    attachments: Sequence[Attachment] = (),
) -> int:
    """Tell each recipient something now: an in-app notification unless they turned the category
    off, and an email (with `attachments`, e.g. an ICS invitation) through the outbox when they
    chose email. Every call is a new message (its keys are unique to the call).

    The email leaves once the caller's transaction commits. Returns how many in-app
    notifications were written.

    `subject` and `body` are worded for each recipient in their own language: pass a lazy
    translation or a function (`wording.Wording`) where recipients may read different ones.
    """
    if category not in NotificationCategory.values:
        raise InvalidInput.for_field("category", f"'{category}' is not a notification category.")
    call = uuid.uuid4().hex
    people = [user for user in recipients if user.is_active]
    items = []
    for person in people:
        with recipient_language(person):
            items.append(
                OutboxItem(
                    key=f"send:{category}:{person.pk}:{call}",
                    rule="send",
                    recipient_id=person.pk,
                    category=category,
                    subject=worded(subject),
                    text=worded(body),
                    url=url,
                    attachments=attachments,
                )
            )
    enqueued = _enqueue(items, recipients_active=True)
    return len(enqueued.notifications)


@transaction.atomic
def notification_preferences_update(
    *,
    actor: User,
    channels: dict[str, str],
    quiet_hours: tuple[datetime.time | None, datetime.time | None] | None = None,
    push: dict[str, bool] | None = None,
    slack: dict[str, bool] | None = None,
    teams: dict[str, bool] | None = None,
    teams_webhook_url: str | None = None,
) -> None:
    """Set the caller's channel per category, web push, Slack and Teams on or off per category
    (`push`, `slack`, `teams`), and, when `quiet_hours` is given, their quiet hours ((start,
    end) in their profile's timezone; (None, None) clears them). Unknown categories or
    channels, an empty window, "off" for a category that refuses it, a channel beside "off",
    Slack or Teams while the organisation has them off, Teams without the caller's webhook URL,
    or a webhook URL the SSRF guard refuses change nothing. `teams_webhook_url` (None: leave
    it; "": forget it) is set first, as `teams_webhook_set` does."""
    extras = {
        DeliveryChannel.PUSH.value: push or {},
        DeliveryChannel.SLACK.value: slack or {},
        DeliveryChannel.TEAMS.value: teams or {},
    }
    errors = (
        [
            FieldError(
                category,
                gettext("'%(category)s' is not a notification category.") % {"category": category},
            )
            for category in channels
            if category not in NotificationCategory.values
        ]
        + [
            FieldError(
                category,
                gettext("'%(channel)s' is not a channel (email, in_app or off).")
                % {"channel": channel},
            )
            for category, channel in channels.items()
            if channel not in NotificationChannel.values
        ]
        + [
            FieldError(category, gettext("This category cannot be turned off; choose in-app only."))
            for category, channel in channels.items()
            if category in CATEGORIES_WITHOUT_OFF and channel == NotificationChannel.OFF
        ]
        + [
            FieldError(
                category, gettext("Only programme managers and organisation admins receive this.")
            )
            for category in channels
            if category in MANAGER_CATEGORIES
            and actor.role not in (Role.ORG_ADMIN, Role.PROGRAM_MANAGER)
        ]
    )
    current = dict(
        NotificationPreference.objects.filter(user=actor).values_list("category", "channel")
    )
    open_channels = _channels_open([actor.pk]).get(actor.pk, frozenset())
    if teams_webhook_url is not None and teams_webhook_url.strip():
        errors += teams_webhook_errors(teams_webhook_url.strip())
    has_teams_url = (
        bool(teams_webhook_url.strip())
        if teams_webhook_url is not None
        else ChatAddress.objects.filter(user=actor, teams_webhook_url__isnull=False).exists()
    )
    for name, wanted_by_category in extras.items():
        for category, wanted in wanted_by_category.items():
            if category not in NotificationCategory.values:
                errors.append(
                    FieldError(
                        name,
                        gettext("'%(category)s' is not a notification category.")
                        % {"category": category},
                    )
                )
                continue
            if not wanted:
                continue
            if (
                channels.get(category, current.get(category) or default_channel(category))
                == NotificationChannel.OFF
            ):
                errors.append(
                    FieldError(
                        f"{name}_{category}",
                        gettext(
                            "Turned off: nothing reaches you for this category, %(channel)s "
                            "neither."
                        )
                        % {"channel": name},
                    )
                )
            elif name != DeliveryChannel.PUSH and name not in open_channels:
                errors.append(
                    FieldError(
                        f"{name}_{category}",
                        gettext(
                            "Your organisation does not send notifications through %(channel)s."
                        )
                        % {"channel": name.title()},
                    )
                )
            elif name == DeliveryChannel.TEAMS and not has_teams_url:
                errors.append(
                    FieldError(
                        f"{name}_{category}",
                        gettext("Give your Teams workflow's webhook URL first."),
                    )
                )
    if quiet_hours is not None:
        start, end = quiet_hours
        if (start is None) != (end is None):
            errors.append(
                FieldError(
                    "quiet_end" if end is None else "quiet_start",
                    gettext("Give both times, or neither for no quiet hours."),
                )
            )
        elif start is not None and start == end:
            errors.append(FieldError("quiet_end", gettext("Quiet hours must end at another time.")))
    if errors:
        raise InvalidInput(gettext("Some notification settings are not valid."), errors=errors)
    if teams_webhook_url is not None:
        teams_webhook_set(actor=actor, url=teams_webhook_url)
    touched = set(channels).union(*extras.values())
    for category in sorted(touched):
        channel = channels.get(category, current.get(category) or default_channel(category))
        defaults: dict[str, object] = {"channel": channel}
        for name, wanted_by_category in extras.items():
            if category in wanted_by_category:
                defaults[name] = wanted_by_category[category]
            if channel == NotificationChannel.OFF:
                defaults[name] = False
        NotificationPreference.objects.update_or_create(
            user=actor, category=category, defaults=defaults
        )
    if quiet_hours is not None:
        quiet_hours_set(actor=actor, start=quiet_hours[0], end=quiet_hours[1])


def notification_mark_read(*, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the caller's notifications read (all unread ones when no ids). Returns how many."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def quiet_hours_set(
    *, actor: User, start: datetime.time | None, end: datetime.time | None
) -> QuietHours | None:
    """Set the caller's quiet hours (in their profile's timezone), or clear them when either time
    is missing. An empty window (start == end) is refused."""
    if start is None or end is None:
        QuietHours.objects.filter(user=actor).delete()
        return None
    if start == end:
        raise InvalidInput.for_field("quiet_end", gettext("Quiet hours must end at another time."))
    if start.tzinfo is not None or end.tzinfo is not None:
        raise InvalidInput.for_field(
            "quiet_start", gettext("Give wall-clock times without a timezone.")
        )
    quiet, _ = QuietHours.objects.update_or_create(
        user=actor, defaults={"start": start, "end": end}
    )
    return quiet


@transaction.atomic
def notification_unsubscribe(*, token: str) -> tuple[User, str]:
    """The one-click unsubscribe of a signed link: the category of the token stops emailing its
    person (it becomes in-app only, so nothing is lost from the notification centre). Idempotent;
    an invalid token raises NotFound and changes nothing. Returns (person, category)."""
    user_id, category = unsubscribe_read(token)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(gettext("This unsubscribe link is not valid."))
    NotificationPreference.objects.update_or_create(
        user=user, category=category, defaults={"channel": NotificationChannel.IN_APP}
    )
    return user, category


# --- Delivery -----------------------------------------------------------------------------

# Seconds to wait after the 1st, 2nd, ... failed attempt (the last one repeats).
BACKOFF_SECONDS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600)
LEASE_SECONDS = 5 * 60


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after `attempts` failed attempts."""
    return datetime.timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def _due(now: datetime.datetime) -> Q:
    # "sending" with an expired lease: a worker died mid-message (before its commit, so the
    # server discarded it) and the row is owed again.
    return (
        Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        & Q(next_attempt_at__lte=now, not_before__lte=now)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def _claim(
    *, worker_id: str, limit: int, lease: datetime.timedelta, message_ids: list[int] | None
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows to `worker_id`. On PostgreSQL the rows are locked with SKIP
    LOCKED, so concurrent workers pass over each other's; on SQLite one conditional UPDATE
    claims them (SQLite runs one writer at a time). Returns the claimed rows."""
    now = timezone.now()
    until = now + lease
    due = OutboxMessage.objects.filter(_due(now))
    if message_ids is not None:
        due = due.filter(pk__in=message_ids)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:limit]
            )
            OutboxMessage.objects.filter(pk__in=ids).update(
                claimed_by=worker_id, claimed_until=until
            )
    else:
        OutboxMessage.objects.filter(
            _due(now), pk__in=due.order_by("id").values("id")[:limit]
        ).update(claimed_by=worker_id, claimed_until=until)
    return list(
        OutboxMessage.objects.filter(claimed_by=worker_id, claimed_until=until)
        .select_related("recipient")
        .order_by("id")
    )


def _mine(row: OutboxMessage, worker_id: str) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        pk=row.pk, claimed_by=worker_id, claimed_until=row.claimed_until
    )


def is_permanent_failure(error: BaseException) -> bool:
    """Whether sending the same message again can only fail the same way, so retrying is
    pointless (and, before this, retried a broken message five times over hours):

    - the message cannot be built or rendered as MIME: BadHeaderError (a line break in the
      subject), an invalid address, malformed content (ValueError, TypeError, UnicodeError);
    - the server refused this message or its recipient with a 5xx reply (RFC 5321: permanent).

    Everything else (4xx, a dropped connection, a timeout, the sender or the login refused,
    which are the server's or the configuration's problem, not this message's) is retried."""
    if isinstance(error, ValueError | TypeError | UnicodeError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError | RefusedAfterCommit):
        return 500 <= error.smtp_code < 600
    return False


def _record_failure(
    row: OutboxMessage,
    worker_id: str,
    error: str,
    report: DeliveryReport,
    *,
    status: str,
    permanent: bool = False,
    retry_at: datetime.datetime | None = None,
) -> bool:
    """Back to pending after a backoff (or at `retry_at`, when the other side named a time),
    or failed after `max_attempts` or at once when the error is permanent (only while ours).
    True when the row failed for good."""
    now = timezone.now()
    final = permanent or row.attempts >= row.max_attempts
    changed = (
        _mine(row, worker_id)
        .filter(status=status)
        .update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            next_attempt_at=now if final else (retry_at or now + backoff(row.attempts)),
            claimed_by="",
            claimed_until=None,
            sent_at=None,
            last_error=error[:2000],
        )
    )
    if changed and final:
        report.failed += 1
    elif changed:
        report.retrying += 1
    else:
        report.lost_lease += 1
    return bool(changed and final)


def _deliver_one(
    row: OutboxMessage,
    *,
    worker_id: str,
    lease: datetime.timedelta,
    session: SmtpSession | None,
    backend: Any,
    report: DeliveryReport,
) -> None:
    until = timezone.now() + lease
    if not (
        _mine(row, worker_id)
        .filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        .update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, claimed_until=until)
    ):
        report.lost_lease += 1
        return
    row.status, row.attempts, row.claimed_until = OutboxStatus.SENDING, row.attempts + 1, until
    try:
        email = outbox_email_build(row)
    except Exception as error:
        _record_failure(
            row,
            worker_id,
            f"build: {error!r}",
            report,
            status=OutboxStatus.SENDING,
            permanent=is_permanent_failure(error),
        )
        return

    committed = False

    def commit() -> bool:
        nonlocal committed
        committed = bool(
            _mine(row, worker_id)
            .filter(status=OutboxStatus.SENDING)
            .update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
        )
        return committed

    try:
        if session is not None:
            accepted = session.send(email, commit)
        else:
            # Not SMTP (locmem in tests, console in the demo): mark, then hand over. The MIME
            # message is rendered and its addresses parsed first, as SmtpSession.send does before
            # its commit, so a header Django refuses (BadHeaderError) or an address it cannot
            # parse fails the row before it is marked sent.
            email.message()
            for address in email.recipients():
                sanitize_address(address, email.encoding or "utf-8")
            accepted = commit()
            if accepted:
                email.connection = backend
                email.send()
    except OutcomeUnknown as error:
        logger.warning("Outbox %s: outcome unknown after commit (%s); kept as sent.", row.pk, error)
        report.sent += 1
        return
    except Exception as error:
        # After the commit only an explicit refusal (nothing was accepted) gets here.
        status = OutboxStatus.SENT if committed else OutboxStatus.SENDING
        _record_failure(
            row,
            worker_id,
            repr(error),
            report,
            status=status,
            permanent=is_permanent_failure(error),
        )
        return
    if accepted:
        report.sent += 1
    else:
        report.lost_lease += 1


def _fallback_to_email(row: OutboxMessage) -> str | None:
    """Owe the email of a message its channel could not deliver, once (its key is the row's
    with "#email"), unless the person gets this category by email anyway (then that row
    exists). The in-app copy was written with the row."""
    channel = (
        NotificationPreference.objects.filter(user_id=row.recipient_id, category=row.category)
        .values_list("channel", flat=True)
        .first()
    ) or default_channel(row.category)
    if channel == NotificationChannel.EMAIL:
        return None
    key = channel_key(row.key, DeliveryChannel.EMAIL)
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=key,
                channel=DeliveryChannel.EMAIL,
                rule=row.rule,
                category=row.category,
                recipient_id=row.recipient_id,
                program_id=row.program_id,
                program_name=row.program_name,
                program_colour=row.program_colour,
                subject=row.subject,
                text_body=row.text_body,
                url=row.url,
                next_attempt_at=now,
                not_before=now,
                message_id=outbox_message_id(key, mail_domain()),
            )
        ],
        ignore_conflicts=True,
    )
    return key


_OFF_PHRASES = {
    DeliveryChannel.PUSH.value: "web push is turned off for the organisation",
    DeliveryChannel.SLACK.value: "Slack is turned off for the organisation (or has no bot token)",
    DeliveryChannel.TEAMS.value: "Teams is turned off for the organisation",
}


def _channel_allowance(row: OutboxMessage) -> tuple[str, str]:
    """(why `row` may not be sent now, "" when it may; the organisation's Slack bot token):
    the organisation turned the row's channel off (Slack without a token counts as off), or
    the person reached the daily cap of messages beside email."""
    settings_row = (
        ChannelSettings.objects.filter(organization=row.recipient.organization_id)
        .values_list(
            "push_enabled", "slack_enabled", "teams_enabled", "slack_bot_token", "daily_cap"
        )
        .first()
    )
    push_on, slack_on, teams_on, token, cap = settings_row or (
        True,
        False,
        False,
        None,
        DEFAULT_DAILY_CAP,
    )
    enabled = {
        DeliveryChannel.PUSH.value: push_on,
        DeliveryChannel.SLACK.value: slack_on and bool(token),
        DeliveryChannel.TEAMS.value: teams_on,
    }.get(row.channel, False)
    if not enabled:
        return f"off: {_OFF_PHRASES.get(row.channel, row.channel)}", ""
    sent_today = (
        OutboxMessage.objects.filter(
            recipient_id=row.recipient_id,
            status=OutboxStatus.SENT,
            sent_at__gte=timezone.now() - datetime.timedelta(days=1),
        )
        .exclude(channel=DeliveryChannel.EMAIL)
        .count()
    )
    if sent_today >= cap:
        return f"cap: the daily cap of {cap} messages beside email is reached", ""
    return "", token or ""


def _fail_beside_email(
    row: OutboxMessage,
    worker_id: str,
    error: str,
    report: DeliveryReport,
    fallbacks: list[str],
    *,
    permanent: bool,
    status: str = OutboxStatus.SENDING,
    retry_at: datetime.datetime | None = None,
) -> None:
    """Record a failure of a row beside email; when it failed for good, owe its email once."""
    if _record_failure(
        row, worker_id, error, report, status=status, permanent=permanent, retry_at=retry_at
    ):
        fallbacks.append(_fallback_to_email(row) or "")


def _mark_sent(row: OutboxMessage, worker_id: str, report: DeliveryReport) -> None:
    if (
        _mine(row, worker_id)
        .filter(status=OutboxStatus.SENDING)
        .update(
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            claimed_by="",
            claimed_until=None,
            last_error="",
        )
    ):
        report.sent += 1
    else:
        report.lost_lease += 1


def _deliver_beside_email(
    row: OutboxMessage,
    *,
    worker_id: str,
    lease: datetime.timedelta,
    report: DeliveryReport,
    fallbacks: list[str],
) -> None:
    """Deliver a row of a channel beside email (web push, Slack, Teams). The organisation's
    switch is read again (turned off since: fall back to email), the daily cap applied (over
    it: skipped, the in-app copy stays), then the channel's sender runs. A failure retries
    with the email backoff (a rate limit at the time it names); once it fails for good the
    email is owed once (`_fallback_to_email`) and the row stays failed for the admin's list."""
    until = timezone.now() + lease
    if not (
        _mine(row, worker_id)
        .filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        .update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, claimed_until=until)
    ):
        report.lost_lease += 1
        return
    row.status, row.attempts, row.claimed_until = OutboxStatus.SENDING, row.attempts + 1, until
    refusal, token = _channel_allowance(row)
    if refusal.startswith("cap:"):
        # Over the cap the person still has the in-app copy: no email on top.
        _mine(row, worker_id).update(
            status=OutboxStatus.SKIPPED, claimed_by="", claimed_until=None, last_error=refusal
        )
        report.failed += 1
        return
    if refusal:
        _fail_beside_email(row, worker_id, refusal, report, fallbacks, permanent=True)
        return
    if row.channel == DeliveryChannel.SLACK:
        _send_slack(row, token, worker_id=worker_id, report=report, fallbacks=fallbacks)
    elif row.channel == DeliveryChannel.TEAMS:
        _send_teams(row, worker_id=worker_id, report=report, fallbacks=fallbacks)
    else:
        _send_push(row, worker_id=worker_id, report=report, fallbacks=fallbacks)


def _send_push(
    row: OutboxMessage, *, worker_id: str, report: DeliveryReport, fallbacks: list[str]
) -> None:
    """Push `row` to every browser its recipient subscribed. Sent when at least one push
    service accepted it; subscriptions a push service calls gone are deleted; no
    subscription fails at once. Marked sent after the push services answered (at least
    once: the tag collapses a repeat on the screen)."""
    targets = [
        PushTarget(subscription_id=pk, endpoint=endpoint, p256dh=p256dh, auth=auth)
        for pk, endpoint, p256dh, auth in PushSubscription.objects.filter(
            user_id=row.recipient_id
        ).values_list("pk", "endpoint", "p256dh", "auth")
    ]
    if not targets:
        _fail_beside_email(
            row,
            worker_id,
            "no browser is subscribed to web push",
            report,
            fallbacks,
            permanent=True,
        )
        return
    try:
        outcome = push_send(
            targets=targets,
            payload=push_payload(title=row.subject, body=row.text_body, path=row.url, tag=row.key),
        )
    except PushNotConfigured as not_configured:
        outcome = PushOutcome(delivered=0, gone=[], errors=[str(not_configured)])
    if outcome.gone:
        PushSubscription.objects.filter(pk__in=outcome.gone).delete()
    if outcome.delivered:
        _mark_sent(row, worker_id, report)
        return
    problem = "; ".join(outcome.errors) or "every subscription is gone"
    # Only gone subscriptions: retrying cannot help.
    _fail_beside_email(row, worker_id, problem, report, fallbacks, permanent=not outcome.errors)


def _send_slack(
    row: OutboxMessage,
    token: str,
    *,
    worker_id: str,
    report: DeliveryReport,
    fallbacks: list[str],
) -> None:
    """Direct-message `row` to its recipient in the organisation's Slack workspace: their id
    is looked up by email once and cached on their `ChatAddress` (forgotten when Slack says
    it is stale). Marked sent after Slack answered (at least once, like push: Slack's API has
    no idempotency key)."""
    user_id = (
        ChatAddress.objects.filter(user_id=row.recipient_id)
        .values_list("slack_user_id", flat=True)
        .first()
    ) or ""
    try:
        if not user_id:
            user_id = slack_user_lookup(token=token, email=row.recipient.email)
            ChatAddress.objects.update_or_create(
                user_id=row.recipient_id, defaults={"slack_user_id": user_id}
            )
        slack_direct_message(
            token=token, user_id=user_id, title=row.subject, text=row.text_body, path=row.url
        )
    except SlackFailure as failure:
        if failure.stale_user:
            ChatAddress.objects.filter(user_id=row.recipient_id).update(slack_user_id="")
        retry_at = (
            timezone.now() + datetime.timedelta(seconds=failure.retry_after)
            if failure.retry_after is not None
            else None
        )
        _fail_beside_email(
            row,
            worker_id,
            str(failure),
            report,
            fallbacks,
            permanent=failure.permanent,
            retry_at=retry_at,
        )
        return
    _mark_sent(row, worker_id, report)


# Answers of a Workflows webhook that a retry cannot change: the request or the URL is wrong,
# or the workflow was deleted or turned off.
_TEAMS_PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410, 413})


def _send_teams(
    row: OutboxMessage, *, worker_id: str, report: DeliveryReport, fallbacks: list[str]
) -> None:
    """Post `row` as an Adaptive Card to the recipient's Teams Workflows webhook, at most
    once: the row is marked sent before the request's last byte (`core.outbound.post`). A
    refused answer after that puts it back to pending (retry) or failed."""
    url = (
        ChatAddress.objects.filter(user_id=row.recipient_id)
        .values_list("teams_webhook_url", flat=True)
        .first()
    )
    if not url:
        _fail_beside_email(
            row, worker_id, "no Teams webhook URL is set", report, fallbacks, permanent=True
        )
        return
    body = json.dumps(
        teams_message(title=row.subject, text=row.text_body, path=row.url), separators=(",", ":")
    ).encode()

    def commit() -> bool:
        return bool(
            _mine(row, worker_id)
            .filter(status=OutboxStatus.SENDING)
            .update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
        )

    try:
        answer = teams_post(url=url, body=body, commit=commit)
    except outbound.TargetRefused as refused:
        _fail_beside_email(row, worker_id, f"teams: {refused}", report, fallbacks, permanent=True)
        return
    except outbound.NotSent as not_sent:
        _fail_beside_email(row, worker_id, f"teams: {not_sent}", report, fallbacks, permanent=False)
        return
    except outbound.OutcomeUnknown as unknown:
        # Sent in full, no answer: kept as sent (at most once).
        logger.warning("Outbox %s: Teams outcome unknown (%s); kept as sent.", row.pk, unknown)
        _mine(row, worker_id).update(claimed_by="", claimed_until=None)
        report.sent += 1
        return
    if answer is None:
        report.lost_lease += 1
        return
    if 200 <= answer.status < 300:
        _mine(row, worker_id).update(claimed_by="", claimed_until=None)
        report.sent += 1
        return
    _fail_beside_email(
        row,
        worker_id,
        f"teams: the webhook answered HTTP {answer.status}",
        report,
        fallbacks,
        permanent=answer.status in _TEAMS_PERMANENT_STATUSES,
        status=OutboxStatus.SENT,
    )


def outbox_deliver_batch(
    *,
    worker_id: str,
    limit: int = 100,
    lease_seconds: int = LEASE_SECONDS,
    message_ids: list[int] | None = None,
) -> DeliveryReport:
    """Claim up to `limit` due outbox rows (pending or abandoned, past `next_attempt_at` and the
    recipient's quiet hours, lease free or expired) for `worker_id`, and deliver each: mark it
    sending, build the email, send it, mark it sent. Every mark is conditional on still holding
    the lease, so two workers never both send a row. Over SMTP "sent" is committed before the
    server's final acceptance (see `smtp_delivery`): a crash can lose a message in a window of
    microseconds but never send it twice. A failure goes back to pending after a backoff
    (`BACKOFF_SECONDS`), and to failed with `last_error` after `max_attempts`, or at once when
    it is permanent (`is_permanent_failure`: a message that can never be sent).

    Run it outside a transaction (each mark commits on its own). `message_ids` limits the batch
    to those rows (the kick after an enqueue)."""
    lease = datetime.timedelta(seconds=lease_seconds)
    rows = _claim(worker_id=worker_id, limit=limit, lease=lease, message_ids=message_ids)
    report = DeliveryReport(claimed=len(rows))
    if not rows:
        return report
    backend = get_connection()
    session = SmtpSession(backend) if isinstance(backend, SmtpBackend) else None
    fallbacks: list[str] = []
    try:
        for row in rows:
            # The one place a message is dressed for its channel (the email's frame, the
            # chat card's button): in its recipient's language. The subject and text were
            # written in that language when enqueued (`recipient_language`).
            with recipient_language(row.recipient):
                if row.channel != DeliveryChannel.EMAIL:
                    _deliver_beside_email(
                        row, worker_id=worker_id, lease=lease, report=report, fallbacks=fallbacks
                    )
                    continue
                _deliver_one(
                    row,
                    worker_id=worker_id,
                    lease=lease,
                    session=session,
                    backend=backend,
                    report=report,
                )
    finally:
        if session is not None:
            session.close()
    if any(fallbacks):
        # The emails owed for pushes that failed for good are due now: kick them rather than
        # wait for the next poll.
        owed = list(
            OutboxMessage.objects.filter(
                key__in=[key for key in fallbacks if key], status=OutboxStatus.PENDING
            ).values_list("pk", flat=True)
        )
        if owed:
            _kick_delivery(owed)
    return report


def outbox_due_count() -> int:
    """How many outbox rows are due now (the command loops while there are)."""
    return OutboxMessage.objects.filter(_due(timezone.now())).count()


@transaction.atomic
def outbox_retry(*, message_ids: list[int]) -> int:
    """Give failed outbox rows a fresh set of attempts, due now (other statuses are left alone).
    Returns how many."""
    return OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )


# --- Skipping -----------------------------------------------------------------------------


@transaction.atomic
def outbox_skip_pending(*, reason: str, after_id: int = 0) -> int:
    """Never send the pending outbox rows after the row `after_id`: mark them skipped with
    `reason` as their last error. Their keys stay known, so nothing enqueues them again, and
    their in-app copies stay. Rows a worker holds (sending) are left to it. Returns how many."""
    return OutboxMessage.objects.filter(pk__gt=after_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SKIPPED,
        last_error=reason[:2000],
        claimed_by="",
        claimed_until=None,
    )


class OutboxSkipWritten:
    """See `outbox_skip_written`; `skipped` says how many rows it skipped once it closed."""

    def __init__(self, *, reason: str) -> None:
        self.reason = reason
        self.after_id = 0
        self.skipped = 0

    def __enter__(self) -> "OutboxSkipWritten":
        last = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first()
        self.after_id = last or 0
        return self

    def __exit__(self, *_: object) -> None:
        # Also when the block failed: what it wrote and committed is still not to be sent.
        self.skipped = outbox_skip_pending(reason=self.reason, after_id=self.after_id)


def outbox_skip_written(*, reason: str) -> OutboxSkipWritten:
    """`with outbox_skip_written(reason=…):` sends none of the emails the block enqueues: when it
    closes, every row written inside it and still pending is skipped (`outbox_skip_pending`).
    For a one-process job such as the demo seed, which writes months of history on a moved
    clock, so `created_at` cannot tell its rows apart: ids do, so run it while nothing else
    writes to the outbox. Delivery must not run meanwhile (a queued kick finds nothing due)."""
    return OutboxSkipWritten(reason=reason)


@transaction.atomic
def outbox_record_covered(*, items: Sequence[OutboxItem], reason: str) -> None:
    """Record the keys of `items` as told without telling anyone: rows with status skipped and
    `reason` as last error, no email and no in-app copy, for messages another one covers (a
    circle's announcement to its mentor covers the announcement of each pair in it). Keys
    already in the outbox are left alone (one INSERT that ignores them)."""
    if not items:
        return
    now = timezone.now()
    domain = mail_domain()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=item.key,
                rule=item.rule,
                category=item.category,
                recipient_id=item.recipient_id,
                # Never rendered (skipped): the programme's id for the record is enough.
                program_id=item.program.id if item.program is not None else None,
                subject=item.subject[:200],
                url=item.url,
                status=OutboxStatus.SKIPPED,
                next_attempt_at=now,
                not_before=now,
                last_error=reason[:2000],
                message_id=outbox_message_id(item.key, domain),
            )
            for item in items
        ],
        ignore_conflicts=True,
    )


# --- Web push subscriptions and the organisation's channel switches -------------------------


@transaction.atomic
def push_subscription_add(
    *, actor: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Remember one of the caller's browsers for web push (again: the same endpoint keeps one
    row, with the browser's current keys). The endpoint must be an https URL (http only to a
    loopback host where private targets are allowed: development and tests)."""
    errors = push_endpoint_errors(endpoint)
    for name, value in (("p256dh", p256dh), ("auth", auth)):
        try:
            base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError:
            errors.append(FieldError(name, gettext("Not a base64url key.")))
        if not value or len(value) > 200:
            errors.append(FieldError(name, gettext("Give the browser's key (base64url).")))
    if errors:
        raise InvalidInput(gettext("This push subscription is not valid."), errors=errors)
    subscription, _ = PushSubscription.objects.update_or_create(
        user=actor, endpoint=endpoint, defaults={"p256dh": p256dh, "auth": auth}
    )
    return subscription


@transaction.atomic
def push_subscription_remove(*, actor: User, endpoint: str) -> int:
    """Forget the caller's browser at `endpoint` (only the caller's own). Returns how many."""
    deleted, _ = PushSubscription.objects.filter(user=actor, endpoint=endpoint).delete()
    return deleted


@transaction.atomic
def channel_settings_update(
    *,
    actor: User,
    push_enabled: bool | None = None,
    slack_enabled: bool | None = None,
    teams_enabled: bool | None = None,
    slack_bot_token: str | None = None,
    daily_cap: int | None = None,
) -> ChannelSettings:
    """Turn web push, Slack or Teams on or off for the caller's organisation, set or replace
    its Slack bot token (never shown again; "" removes it), or set the daily cap of messages
    beside email per person (1 to 500). Organisation admins only. A new token belongs to a
    workspace whose user ids differ, so the people's cached Slack ids are forgotten."""
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden(gettext("Only organisation admins change the notification channels."))
    errors = []
    if daily_cap is not None and not 1 <= daily_cap <= 500:
        errors.append(FieldError("daily_cap", gettext("Give a number from 1 to 500.")))
    token = slack_bot_token.strip() if slack_bot_token is not None else None
    if token and (not token.startswith("xoxb-") or len(token) > 255 or " " in token):
        errors.append(
            FieldError(
                "slack_bot_token",
                gettext("Give the Slack app's bot token (it starts with xoxb-)."),
            )
        )
    if errors:
        raise InvalidInput(gettext("These channel settings are not valid."), errors=errors)
    settings_row, _ = ChannelSettings.objects.select_for_update().get_or_create(
        organization_id=actor.organization_id
    )
    changed = []
    # What the audit trail keeps: each value before and after, but of the token only whether
    # one was set, replaced or removed (its value is a secret).
    audited: dict[str, list[object]] = {}
    for name, value in (
        ("push_enabled", push_enabled),
        ("slack_enabled", slack_enabled),
        ("teams_enabled", teams_enabled),
        ("daily_cap", daily_cap),
    ):
        if value is not None:
            before = getattr(settings_row, name)
            if before != value:
                audited[name] = [before, value]
            setattr(settings_row, name, value)
            changed.append(name)
    if token is not None:
        had_token = bool(settings_row.slack_bot_token)
        if token != (settings_row.slack_bot_token or ""):
            audited["slack_bot_token"] = [
                "set" if had_token else "none",
                "replaced" if token and had_token else "set" if token else "removed",
            ]
        settings_row.slack_bot_token = token or None
        changed.append("slack_bot_token")
        ChatAddress.objects.filter(user__organization=actor.organization_id).exclude(
            slack_user_id=""
        ).update(slack_user_id="")
    if changed:
        settings_row.save(update_fields=changed)
    if audited:
        audit_record(
            actor=actor,
            event=audit_events.SETTINGS_CHANGED,
            organization_id=actor.organization_id,
            data={"settings": "notification_channels", "changes": audited},
        )
    return settings_row


@transaction.atomic
def teams_webhook_set(*, actor: User, url: str | None) -> ChatAddress | None:
    """Set the caller's Teams Workflows webhook URL (https, a public host: the SSRF guard's
    rules), or forget it (None or ""; their Teams choices are then turned off, since nothing
    could reach them)."""
    url = (url or "").strip()
    if not url:
        ChatAddress.objects.filter(user=actor).update(teams_webhook_url=None)
        NotificationPreference.objects.filter(user=actor, teams=True).update(teams=False)
        return ChatAddress.objects.filter(user=actor).first()
    errors = teams_webhook_errors(url)
    if errors:
        raise InvalidInput(gettext("This Teams webhook URL cannot be used."), errors=errors)
    address, _ = ChatAddress.objects.update_or_create(
        user=actor, defaults={"teams_webhook_url": url}
    )
    return address
