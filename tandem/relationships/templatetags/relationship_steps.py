"""`next_step_for`: a pair's next step said to the person reading the page
(`relationships.lifecycle.next_actor`), for the hub, the home page's cards and the managers'
lists."""

from django import template

from tandem.accounts.models import User
from tandem.relationships.lifecycle import NextStep, next_actor
from tandem.relationships.models import Relationship

register = template.Library()


@register.filter
def next_step_for(relationship: Relationship, reader: User) -> NextStep | None:
    return next_actor(relationship, reader)
