"""The agreement rule: remind an active pair that has not signed its agreement."""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from tandem.agreements.models import AgreementVersion
from tandem.nudges.rules.base import (
    Context,
    Nudge,
    RuleSettings,
    Unit,
    each_person,
    period_day,
    since_activation,
)


def agreement_unsigned(context: Context, settings: RuleSettings) -> Iterator[Nudge]:
    """Active pairs with no signed agreement `timing` days after they started."""
    rule = settings.rule
    rows = (
        since_activation(context, settings, Unit.DAYS)
        .filter(~Exists(AgreementVersion.objects.filter(agreement__relationship=OuterRef("pk"))))
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
                title="Your mentoring agreement is not signed yet",
                text=(
                    f"You and {partner} have not both signed your agreement yet. Agreeing how "
                    "you will work together (how often you meet, what each of you expects, "
                    "what stays confidential) makes the rest easier."
                ),
                url=f"/relationships/{pk}/agreement/",
            )
