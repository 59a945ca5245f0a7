"""Bridges between Django forms and the domain's errors, shared by every app's HTML views."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tandem.core.errors import DomainError
from tandem.core.text import single_line_problem

BOOTSTRAP_INPUT = "form-control"

# What the browser's <input type=date|time|datetime-local> reads and writes, whatever the
# page's language: anything else (Django's localised "13/12/2026") shows an empty field and
# posts nothing back. https://html.spec.whatwg.org/multipage/input.html#date-state-(type=date)
HTML_DATE_FORMAT = "%Y-%m-%d"
HTML_TIME_FORMAT = "%H:%M"
HTML_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """The browser's date picker, its initial value in ISO `yyyy-mm-dd`. Every form's date
    field uses this widget (`tandem/core/tests/test_date_inputs.py` walks them all)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_DATE_FORMAT)


class TimeInput(forms.TimeInput):
    """The browser's time picker, its initial value as `HH:MM` (24-hour)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_TIME_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    """The browser's local date-and-time picker, its initial value as `yyyy-mm-ddTHH:MM`."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_DATETIME_FORMAT)


def apply_bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget Bootstrap's classes and mark invalid fields for assistive technology."""
    for name, field in form.fields.items():
        widget = field.widget
        css = widget.attrs.get("class", "")
        if isinstance(
            widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
        ):
            css = css or "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = css or "form-select"
        else:
            css = css or BOOTSTRAP_INPUT
        if form.is_bound and name in form.errors:
            css += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"id_{name}_error"
        widget.attrs["class"] = css
    return form


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest on top."""
    placed = False
    for field_error in error.errors:
        name = field_error.field
        if name in form.fields:
            form.add_error(name, field_error.message)
            placed = True
    if not placed:
        form.add_error(None, error.detail)
    apply_bootstrap(form)


def validate_single_line(value: str) -> None:
    """Form validator: one line of text (see `tandem.core.text`)."""
    problem = single_line_problem(value)
    if problem:
        raise ValidationError(problem, code="single_line")


class SingleLineField(forms.CharField):
    """A CharField for titles and names: a line break or control character is a field error.
    (Leading and trailing whitespace, a pasted trailing newline among it, is stripped first.)"""

    default_validators = [validate_single_line]


class SingleLineAdminMixin:
    """For a Django admin class: the model fields named in `single_line_fields` get the
    single-line rule on its change form, as they do on the pages and the API (a field error,
    nothing saved)."""

    single_line_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and db_field.name in self.single_line_fields:
            field.validators.append(validate_single_line)
        return field
