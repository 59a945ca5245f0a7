"""The activity rules: a pair gone quiet is nudged, and later its managers are told."""

import datetime
from collections.abc import Iterator

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from tandem.core.paths import PathOf
from tandem.health.selectors import health_at_risk
from tandem.nudges.rules.base import (
    Context,
    Nudge,
    Pair,
    RuleSettings,
    Unit,
    active_pairs,
    after,
    datetime_output_field,
    managers_by_program,
)
from tandem.nudges.rules.words import Day, Words

# Where each message links to, reversed once from the owning app's URL name.
PAIR_PAGE = PathOf("workspace:detail")
PROGRAM_HEALTH_PAGE = PathOf("health:program")


def _inactive_pairs(
    context: Context, settings: RuleSettings, *, at_risk: bool = False
) -> list[tuple[int, Pair, datetime.datetime, str]]:
    """Active pairs with nothing on their timeline for `timing` weeks, since when, and (with
    `at_risk`: only the pairs whose stored health is at risk) the health's sentence."""
    quiet = (
        active_pairs(settings)
        .annotate(since=Coalesce("last_activity_at", "activated_at"))
        .filter(since__isnull=False)
        .alias(
            due=settings.per_program(
                lambda weeks: context.now - after(Unit.WEEKS, weeks), datetime_output_field()
            )
        )
        .filter(since__lte=F("due"))
    )
    rows: list[tuple[int, datetime.datetime, str]] = (
        list(quiet.filter(health_at_risk()).values_list("pk", "since", "health__sentence"))
        if at_risk
        else [(pk, since, "") for pk, since in quiet.values_list("pk", "since")]
    )
    return [
        (pk, pair, since, sentence)
        for pk, since, sentence in rows
        if (pair := context.pair(pk)) is not None
    ]


def inactivity(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Both people of an active pair with no activity for `timing` weeks; the period is the
    date of their last activity, so a pair that goes quiet again is nudged again."""
    rule = settings.rule
    for pk, pair, since, _sentence in _inactive_pairs(context, settings):
        for user_id, _own, partner in pair.people:
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=since.date().isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("It has been a while since you and %(partner)s were in touch"),
                    {"partner": partner},
                ),
                text=Words(
                    gettext_noop(
                        "Nothing has happened in your mentoring with %(partner)s since "
                        "%(since)s. A short message or a 20-minute call is enough to pick up the "
                        "thread."
                    ),
                    {"partner": partner, "since": Day(since)},
                ),
                url=PAIR_PAGE(pk),
            )


def inactivity_escalation(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """The programme's managers, when a pair has had no activity for `timing` weeks (later
    than the pair's own nudge) and its stored health is at risk (`health.selectors.
    health_at_risk`: the one "at risk" managers see, on the health list and in the digest).
    Says who, since when and the health's reasons, never what the pair wrote."""
    rule = settings.rule
    pairs = _inactive_pairs(context, settings, at_risk=True)
    managers = managers_by_program({pair.program_id for _, pair, _, _ in pairs})
    for pk, pair, since, sentence in pairs:
        for manager_id in managers.get(pair.program_id, []):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=manager_id,
                period=since.date().isoformat(),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(
                    gettext_noop("A pair in %(programme)s has gone quiet"),
                    {"programme": pair.program_name},
                ),
                text=Words(
                    gettext_noop(
                        "%(mentor)s and %(mentee)s have had no activity since %(since)s and their "
                        "health is at risk (%(reasons)s). They were nudged already; a word from "
                        "you may help."
                    ),
                    {
                        "mentor": pair.mentor_name,
                        "mentee": pair.mentee_name,
                        "since": Day(since),
                        "reasons": sentence,
                    },
                ),
                url=f"{PROGRAM_HEALTH_PAGE(pair.program_id)}?bucket=at_risk",
            )
