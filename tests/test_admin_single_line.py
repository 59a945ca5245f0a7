"""The Django admin's change forms keep the single-line rule (`tandem.core.text`) on the titles
and names they edit, as the pages and the API do: a line break or control character is a
field error and nothing is saved; one line is accepted. Every registered admin that edits
such a field is covered (`SingleLineAdminMixin.single_line_fields`)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.accounts.models import Organization, User
from tandem.actions.models import ActionItem
from tandem.core.forms import SingleLineAdminMixin
from tandem.core.text import SINGLE_LINE_MESSAGE
from tandem.goals.models import Goal, Milestone
from tandem.people.models import Profile, Skill
from tandem.people.tests.factories import ProfileFactory, SkillFactory

DB = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What each model's admin must keep to one line.
EXPECTED = {
    Organization: {"name"},
    User: {"first_name", "last_name"},
    Skill: {"name", "category"},
    Profile: {"job_title", "department", "location"},
}
CASES = [(model, name) for model, names in EXPECTED.items() for name in sorted(names)]

breaks = st.sampled_from(["\n", "\r\n", "\t", "\x00", "\x1b", "\x85", "\u2028", "\u2029"])
words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20)


def test_every_admin_that_edits_a_title_or_name_keeps_it_to_one_line():
    declared = {
        model: set(model_admin.single_line_fields)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SingleLineAdminMixin)
    }
    assert declared == EXPECTED


@pytest.fixture
def objects(cast):
    profile = ProfileFactory(user=cast.mentor)
    return {
        Organization: cast.org,
        User: cast.mentor,
        Skill: SkillFactory(organization=cast.org),
        Profile: profile,
    }


def _form(model, obj, superuser, changes):
    model_admin = admin.site._registry[model]
    request = RequestFactory().post("/")
    request.user = superuser
    form_class = model_admin.get_form(request, obj, change=True)
    unbound = form_class(instance=obj)
    data = {}
    for name in unbound.fields:
        value = unbound[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None and value is not False:
            data[name] = value
    data.update(changes)
    return form_class(data=data, instance=obj)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@tandem.test", password="x-Strong-pass-1")


@DB
@pytest.mark.parametrize(("model", "name"), CASES)
@given(before=words, after=words, line_break=breaks)
def test_a_line_break_is_a_field_error_and_nothing_changes(
    objects, superuser, model, name, before, after, line_break
):
    # given
    obj = objects[model]
    stored = model.objects.values_list(name, flat=True).get(pk=obj.pk)
    # when
    form = _form(model, obj, superuser, {name: f"{before}{line_break}{after}"})
    # then
    assert not form.is_valid()
    assert SINGLE_LINE_MESSAGE in form.errors[name]
    assert model.objects.values_list(name, flat=True).get(pk=obj.pk) == stored


@DB
@pytest.mark.parametrize(("model", "name"), CASES)
@given(value=words)
def test_one_line_is_accepted(objects, superuser, model, name, value):
    form = _form(model, objects[model], superuser, {name: value})
    assert name not in form.errors


def test_goals_milestones_and_actions_have_no_admin_form_to_guard():
    # They are the pair's own words: not in the admin at all (tests/test_admin_privacy.py),
    # so there is no change form to guard. Registering one must add it to EXPECTED.
    assert not any(admin.site.is_registered(model) for model in (Goal, Milestone, ActionItem))
