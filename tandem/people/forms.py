"""HTML forms for the people pages. They only shape input; the services decide what is valid."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy

from tandem.accounts.languages import language_choices
from tandem.core.forms import SingleLineField
from tandem.people import csvfile
from tandem.people.models import Seniority, Skill


def timezone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every IANA zone (zoneinfo.available_timezones), grouped by region ("Europe",
    "America", ...; zones without a region under "Other"), each labelled by its place, so a
    select can be searched by typing a city's first letters."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in csvfile.timezone_names():
        region, _, place = name.partition("/")
        if not place:
            region, place = "Other", name
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " · ")))
    return [(region, sorted(groups[region], key=lambda item: item[1])) for region in sorted(groups)]


class ProfileForm(forms.Form):
    job_title = SingleLineField(label=gettext_lazy("Job title"), max_length=150, required=False)
    department = SingleLineField(label=gettext_lazy("Department"), max_length=150, required=False)
    seniority = forms.TypedChoiceField(
        label=gettext_lazy("Seniority"),
        choices=[("", gettext_lazy("Prefer not to say")), *Seniority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    location = SingleLineField(
        label=gettext_lazy("Location"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("City or office, e.g. Lisbon."),
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Timezone"),
        help_text=gettext_lazy(
            "Grouped by region; type the first letters of your city to jump to it."
        ),
        error_messages={
            "invalid_choice": gettext_lazy(
                "'%(value)s' is not a known timezone. Choose one from the list."
            )
        },
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        max_length=600,
        required=False,
        help_text=gettext_lazy("Separate languages with commas."),
    )
    bio = forms.CharField(
        label=gettext_lazy("Bio"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    skills_offered = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Skills I can offer"),
    )
    skills_wanted = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Skills I want to develop"),
    )
    goals = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("What I want from mentoring"),
        help_text=gettext_lazy("In your own words."),
    )
    availability = forms.CharField(
        label=gettext_lazy("Availability"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "When you can usually meet, e.g. 'Tuesday and Thursday afternoons'."
        ),
    )
    mentor_capacity = forms.IntegerField(
        required=False,
        label=gettext_lazy("Mentor capacity (if you mentor)"),
        help_text=gettext_lazy(
            "How many mentees you could take at once, across programmes. Leave it as it is "
            "if you are here to be mentored."
        ),
    )

    # What the person reads Tandem in; `languages` above is what they speak, for matching.
    # Left out of a post (a script, an older page): the language stays as it is.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of Tandem"), choices=language_choices, required=False
    )

    def __init__(self, *args: object, skills: Iterable[Skill] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["timezone"].choices = timezone_choices()  # type: ignore[attr-defined]
        choices = [(skill.pk, skill.name) for skill in skills]
        self.fields["skills_offered"].choices = choices  # type: ignore[attr-defined]
        self.fields["skills_wanted"].choices = choices  # type: ignore[attr-defined]

    def languages_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["languages"].split(",") if part.strip()]


class SkillForm(forms.Form):
    name = SingleLineField(max_length=200, label=gettext_lazy("Skill name"))
    category = SingleLineField(
        label=gettext_lazy("Category"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("Optional, e.g. Leadership."),
    )


class SkillRenameForm(forms.Form):
    name = SingleLineField(max_length=200, label=gettext_lazy("New name"))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("HR export (CSV)"),
        help_text=gettext_lazy(
            "Columns: Email (required), First name, Last name, Job title, Department, Location, "
            "Timezone, Manager email, Hire date (YYYY-MM-DD or DD/MM/YYYY). Comma, semicolon "
            "or tab separated; UTF-8 or Windows/Latin-1."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )
