"""The agreement rule: remind an active pair whose current agreement is not signed by both.

"Signed" is the agreements app's (`agreement_signed_exists`): the current version, signed by
both. An agreement edited after signing is unsigned again until both sign the new version.
"""

from collections.abc import Iterator

from django.utils.translation import gettext_noop

from tandem.agreements.selectors import agreement_signed_exists
from tandem.core.paths import PathOf
from tandem.nudges.rules.base import (
    Context,
    Nudge,
    RuleSettings,
    Unit,
    each_person,
    period_day,
    since_activation,
)
from tandem.nudges.rules.words import Words

# Where each message links to, reversed once from the owning app's URL name.
AGREEMENT_PAGE = PathOf("agreements:detail")


def agreement_unsigned(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active pairs whose current agreement is not signed by both, `timing` days after they
    started."""
    rule = settings.rule
    rows = (
        since_activation(context, settings, Unit.DAYS)
        .filter(~agreement_signed_exists())
        .values_list("pk", "activated_at")
    )
    for pk, activated_at in rows:
        for pair, user_id, partner in each_person(context, pk):
            yield Nudge(
                rule=rule.name,
                subject=str(pk),
                recipient_id=user_id,
                period=period_day(activated_at),
                program_id=pair.program_id,
                category=rule.category,
                title=Words(gettext_noop("Your mentoring agreement is not signed yet")),
                text=Words(
                    gettext_noop(
                        "You and %(partner)s have not both signed your agreement yet. Agreeing "
                        "how you will work together (how often you meet, what each of you "
                        "expects, what stays confidential) makes the rest easier."
                    ),
                    {"partner": partner},
                ),
                url=AGREEMENT_PAGE(pk),
            )
