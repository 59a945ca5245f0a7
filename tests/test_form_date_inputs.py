"""Every date, time and date-time field of every form in Tandem renders its initial value in
the format the browser's <input type=date|time|datetime-local> reads: otherwise the field
shows empty and saving it says "This field is required" (a reschedule always failed)."""

import datetime
import importlib
import pkgutil
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.utils import translation

import tandem

# The HTML input type each field needs, and the value syntax that type reads.
NEEDS = {
    forms.DateTimeField: ("datetime-local", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"),
    forms.DateField: ("date", r"\d{4}-\d{2}-\d{2}"),
    forms.TimeField: ("time", r"\d{2}:\d{2}(:\d{2})?"),
}
SAMPLES = {
    forms.DateTimeField: datetime.datetime(2026, 12, 13, 9, 5),
    forms.DateField: datetime.date(2026, 12, 13),
    forms.TimeField: datetime.time(9, 5),
}
# The page languages Tandem may be shown in: none may change what the inputs need.
LANGUAGES = ["en-gb", "en-us", "fr", "de"]


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(tandem.__path__, "tandem."):
        name = module.name
        if ".tests" in name or ".migrations" in name or ".management" in name:
            continue
        importlib.import_module(name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _project_forms() -> list[type[forms.BaseForm]]:
    _import_every_module()
    return sorted(
        (cls for cls in _subclasses(forms.BaseForm) if cls.__module__.startswith("tandem.")),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _kind(field: forms.Field) -> type[forms.Field] | None:
    for kind in NEEDS:
        if isinstance(field, kind):
            return kind
    return None


def _date_fields() -> list[tuple[str, str, forms.Field, type[forms.Field]]]:
    found = []
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            kind = _kind(field)
            if kind is not None:
                found.append(
                    (f"{form_class.__module__}.{form_class.__qualname__}", name, field, kind)
                )
    return found


class _Input(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.attrs = dict(attrs)


DATE_FIELDS = _date_fields()


def test_the_walk_finds_the_forms_it_guards():
    # the forms the tester used are among those walked (so the walk itself works)
    names = {(form, name) for form, name, _, _ in DATE_FIELDS}
    assert ("tandem.meetings.forms.MeetingForm", "date") in names
    assert ("tandem.meetings.forms.MeetingForm", "time") in names
    assert ("tandem.goals.forms.GoalForm", "target_on") in names
    assert ("tandem.programs.forms.ProgramForm", "starts_on") in names


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("form", "name", "field", "kind"), DATE_FIELDS, ids=[f"{f}.{n}" for f, n, _, _ in DATE_FIELDS]
)
def test_every_date_and_time_input_renders_what_the_browser_reads(
    form, name, field, kind, language
):
    # given
    input_type, syntax = NEEDS[kind]
    # when
    with translation.override(language):
        html = field.widget.render(name, SAMPLES[kind], attrs={"id": f"id_{name}"})
    parser = _Input()
    parser.feed(html)
    # then
    assert parser.attrs.get("type") == input_type, f"{form}.{name}: {html}"
    value = parser.attrs.get("value") or ""
    assert re.fullmatch(syntax, value), f"{form}.{name} renders {value!r}, not {input_type}"
    # and what it renders is read back as the same value
    cleaned = field.clean(value)
    if isinstance(cleaned, datetime.datetime):
        cleaned = cleaned.replace(tzinfo=None)
    assert cleaned == SAMPLES[kind]
