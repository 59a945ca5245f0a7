"""`fit_on`: a score's label on the programme's scale (`tandem.matching.fit.fit_of`), for
pages that have the score and the scale's top but no `Fit` yet (a run's pairs)."""

from django import template

from tandem.matching.fit import Fit, fit_of

register = template.Library()


@register.filter
def fit_on(score: float | None, max_score: float | None) -> Fit | None:
    if score is None or not max_score:
        return None
    return fit_of(float(score), max_score=float(max_score))
