"""Every write about nudges: a programme's settings, the evaluation of every rule into the
outbox, and the scheduler's lease.

`nudges_evaluate` runs each rule's set-based query (see the `rules` package) and writes what
is due to the notifications outbox through `outbox_enqueue_many`, one transaction per rule.
The outbox's unique key (rule, subject, recipient, period) is what makes evaluating twice —
on one host or on several at once — enqueue each message once.
"""

import time
import uuid
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from tandem.accounts.models import User
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import FieldError, InvalidInput
from tandem.core.json_rows import in_values
from tandem.notifications.models import OutboxMessage, OutboxStatus
from tandem.notifications.services import OutboxItem, outbox_enqueue_many
from tandem.notifications.tasks import outbox_deliver_task
from tandem.notifications.wording import recipient_languages
from tandem.nudges.models import LEASE_NAME, NudgeSetting, SchedulerLease
from tandem.nudges.rules import RULES, RULES_BY_NAME, Context, Nudge, Rule, RuleSettings
from tandem.nudges.rules.words import in_active_language
from tandem.nudges.selectors import NudgeSettingRow, nudge_settings_for_program
from tandem.programs.permissions import program_access
from tandem.programs.selectors import programs_for_email


@dataclass(frozen=True)
class SettingChange:
    rule: str
    is_enabled: bool
    timing: int


@dataclass
class EvaluationReport:
    """What one evaluation found due and how much of it was new in the outbox."""

    now: datetime
    due: dict[str, int] = field(default_factory=dict)
    enqueued: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_due(self) -> int:
        return sum(self.due.values())

    @property
    def total_enqueued(self) -> int:
        return sum(self.enqueued.values())


# --- settings ----------------------------------------------------------------------------


# The units a timing is counted in, as `_check_change` names them (marked for translation).
UNIT_WORDS = (
    gettext_noop("hours"),
    gettext_noop("days"),
    gettext_noop("weeks"),
    gettext_noop("weekday"),
)


def _check_change(change: SettingChange, seen: set[str]) -> list[FieldError]:
    rule = RULES_BY_NAME.get(change.rule)
    if rule is None:
        return [
            FieldError(
                change.rule, gettext("'%(rule)s' is not a nudge rule.") % {"rule": change.rule}
            )
        ]
    if change.rule in seen:
        return [FieldError(change.rule, gettext("This rule is listed twice."))]
    seen.add(change.rule)
    if not rule.minimum <= change.timing <= rule.maximum:
        return [
            FieldError(
                f"{rule.name}.timing",
                gettext("Choose between %(minimum)s and %(maximum)s (%(unit)s).")
                % {"minimum": rule.minimum, "maximum": rule.maximum, "unit": gettext(rule.unit)},
            )
        ]
    return []


@transaction.atomic
def nudge_settings_update(
    *, actor: User, program_id: int, changes: list[SettingChange]
) -> list[NudgeSettingRow]:
    """Turn rules on or off and set their timing for one programme (its managers and the
    organisation's admins). Rules not listed keep their setting. An unknown rule or a timing
    out of the rule's range raises InvalidInput naming it, and changes nothing."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    seen: set[str] = set()
    errors = [error for change in changes for error in _check_change(change, seen)]
    if errors:
        raise InvalidInput(gettext("Some nudge settings are not valid."), errors=errors)
    before = {row.rule.name: row for row in nudge_settings_for_program(program=program)}
    NudgeSetting.objects.bulk_create(
        [
            NudgeSetting(
                program=program,
                rule=change.rule,
                is_enabled=change.is_enabled,
                # The default is kept as "no choice", so a better default in code reaches it.
                timing=None
                if change.timing == RULES_BY_NAME[change.rule].default
                else change.timing,
            )
            for change in changes
        ],
        update_conflicts=True,
        unique_fields=["program", "rule"],
        update_fields=["is_enabled", "timing", "updated_at"],
    )
    after = nudge_settings_for_program(program=program)
    changed = {
        row.rule.name: {
            "is_enabled": [before[row.rule.name].is_enabled, row.is_enabled],
            "timing": [before[row.rule.name].timing, row.timing],
        }
        for row in after
        if (before[row.rule.name].is_enabled, before[row.rule.name].timing)
        != (row.is_enabled, row.timing)
    }
    if changed:
        audit_record(
            actor=actor,
            event=audit_events.SETTINGS_CHANGED,
            organization_id=program.organization_id,
            target=program,
            data={"settings": "nudges", "changes": changed},
        )
    return after


# --- evaluation --------------------------------------------------------------------------


def _outbox_items(nudges: list[Nudge]) -> list[OutboxItem]:
    # One query for every programme the nudges are about: their name and colour dress the emails.
    programs = programs_for_email(program_ids=[nudge.program_id for nudge in nudges])
    # One query for the recipients who read another language than the source one; each of
    # their messages is worded in it (a rule writes `Words`, which read as the source).
    languages = recipient_languages(nudge.recipient_id for nudge in nudges)
    items = []
    for nudge in nudges:
        subject, text = str(nudge.title), str(nudge.text)
        language = languages.get(nudge.recipient_id)
        if language is not None:
            with translation.override(language):
                subject, text = in_active_language(nudge.title), in_active_language(nudge.text)
        items.append(
            OutboxItem(
                key=nudge.key,
                rule=nudge.rule,
                recipient_id=nudge.recipient_id,
                category=nudge.category,
                subject=subject,
                text=text,
                url=nudge.url,
                program=programs.get(nudge.program_id),
                attachments=nudge.attachments,
            )
        )
    return items


def _settings_by_rule(*rules: str) -> dict[str, list[tuple[int, bool, int | None]]]:
    """Every programme's choices, in one query (bounded by programmes times rules)."""
    rows: dict[str, list[tuple[int, bool, int | None]]] = defaultdict(list)
    chosen = NudgeSetting.objects.all()
    if rules:
        chosen = chosen.filter(rule__in=rules)
    for rule, program_id, is_enabled, timing in chosen.values_list(
        "rule", "program_id", "is_enabled", "timing"
    ):
        rows[rule].append((program_id, is_enabled, timing))
    return rows


def _due(*, context: Context, rule: Rule, settings: RuleSettings) -> list[Nudge]:
    return list(rule.evaluate(context, settings))


def nudges_due(*, now: datetime, rule: str) -> list[Nudge]:
    """What the rule named `rule` finds due at `now`, every programme's settings applied
    (nothing written; for tests and for looking before enqueueing)."""
    found = RULES_BY_NAME[rule]
    return _due(
        context=Context(now),
        rule=found,
        settings=RuleSettings(found, _settings_by_rule(rule)[rule]),
    )


def _write(nudges: list[Nudge]) -> int:
    """Write `nudges` to the outbox, leaving out the keys it has; returns how many emails are
    new. Runs inside the caller's transaction."""
    if not nudges:
        return 0
    # Most of what is due was due a minute ago too: leave out the keys the outbox has (one
    # query, the keys as one parameter). Only a shortcut: the unique key decides.
    known = set(
        OutboxMessage.objects.filter(
            key__in=in_values([nudge.key for nudge in nudges])
        ).values_list("key", flat=True)
    )
    fresh = [nudge for nudge in nudges if nudge.key not in known]
    return outbox_enqueue_many(_outbox_items(fresh)) if fresh else 0


def _write_committed(nudges: list[Nudge]) -> int:
    """`_write` in its own transaction, on a writer thread's own connection, closed after (a
    pool thread has no end of its own to close it at; a connection a rule is cheap)."""
    try:
        with transaction.atomic():
            return _write(nudges)
    finally:
        connections.close_all()


def nudges_evaluate(
    *, now: datetime, rules: tuple[Rule, ...] = RULES, overlap: bool = False
) -> EvaluationReport:
    """Evaluate every rule over every programme at `now` and write what is due to the outbox.

    Each rule runs in its own transaction: its query (or fixed few), one look-up of the keys
    already in the outbox, and the outbox's fixed few statements for the new ones. The query
    count does not depend on the number of relationships or of due messages. Messages already
    in the outbox (same key) are not enqueued again, so running this twice, or on two hosts at
    once, is safe.

    With `overlap` (the scheduler, the benchmark), two writer threads, each with its own
    database connection, write the rules' messages while the next rules are evaluated: the
    database inserts while Python builds, which at 100,000 relationships is most of the time.
    It writes in line instead inside a transaction (a test's: another connection could not see
    its uncommitted rows) and on SQLite (one writer at a time; a reader waits out its commits).
    """
    started = time.perf_counter()
    report = EvaluationReport(now=now)
    chosen = _settings_by_rule()
    # One context for every rule: the directory of pairs is read once.
    context = Context(now)
    db = transaction.get_connection()
    if not overlap or db.in_atomic_block or db.vendor == "sqlite":
        for rule in rules:
            with transaction.atomic():
                nudges = _due(
                    context=context, rule=rule, settings=RuleSettings(rule, chosen[rule.name])
                )
                report.enqueued[rule.name] = _write(nudges)
            report.due[rule.name] = len(nudges)
    else:
        # Two writers: while one waits for the database, the other builds its rows.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="nudges-writer") as writer:
            writes: list[tuple[str, Future[int]]] = []
            for rule in rules:
                nudges = _due(
                    context=context, rule=rule, settings=RuleSettings(rule, chosen[rule.name])
                )
                report.due[rule.name] = len(nudges)
                writes.append((rule.name, writer.submit(_write_committed, nudges)))
            for name, write in writes:
                report.enqueued[name] = write.result()
    report.seconds = time.perf_counter() - started
    return report


# --- the scheduler's lease ---------------------------------------------------------------


def scheduler_lease_take(*, holder: str, now: datetime, seconds: int) -> bool:
    """Take (or extend) the scheduler's lease for `seconds` unless another holder has an
    unexpired one. One conditional UPDATE decides, so two hosts cannot both win it."""
    SchedulerLease.objects.get_or_create(
        name=LEASE_NAME, defaults={"holder": "", "expires_at": now}
    )
    taken = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(expires_at__lte=now) | Q(holder=holder))
        .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return taken == 1


def scheduler_lease_release(*, holder: str, now: datetime) -> None:
    """Give the lease back (if `holder` still has it) so another host may run at once."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(expires_at=now)


def nudges_deliver_pending(*, now: datetime) -> bool:
    """Kick the outbox's delivery when emails are waiting and due (a retry whose time came, a
    message held by quiet hours that ended). The task claims rows under a lease, so a kick too
    many is harmless. Returns whether it kicked."""
    waiting = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=now, not_before__lte=now
    ).exists()
    if waiting:
        worker_id = f"scheduler-{uuid.uuid4().hex[:12]}"
        transaction.on_commit(lambda: outbox_deliver_task.enqueue(worker_id=worker_id))
    return waiting
