"""`{{ moment|local_time:viewer_zone }}`: the viewer's time, labelled with their zone; with
another person's zone name, their time. A builtin of every template (settings)."""

import datetime

from django import template

from tandem.core.local_time import local_text

register = template.Library()


@register.filter
def local_time(moment: datetime.datetime | None, zone_name: str | None = None) -> str:
    if not isinstance(moment, datetime.datetime):
        return ""
    return local_text(moment, zone_name or None)
