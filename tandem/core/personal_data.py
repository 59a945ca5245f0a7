"""Personal data providers: each app says what it holds about a person (GDPR article 15/20).

Every app owns its own data, so every app that stores rows about a person has a module
`tandem/<app>/personal_data.py` with:

- `COVERS`: the labels of its models ("journals.JournalEntry") whose rows it exports, so a test
  can prove that every model holding a person's rows has an owner who answers for it;
- `export(user) -> list[Section]`: that person's rows as plain dicts, private text decrypted,
  and never another person's private data;
- `erase(user) -> ErasureReport` (GDPR article 17): delete the person's private rows, and
  pseudonymise what others also own (the rows stay, the person's words in them stay for the
  partner, but nothing names them). Optional for an app that only exports; a test requires it
  of every app whose covered models hold a person's rows. It runs inside the erasure's one
  transaction and sees the person as they were (accounts pseudonymises the account last).

Core knows no domain: it finds the modules by name among the installed apps (the way the
admin finds `admin.py`), in the order of `INSTALLED_APPS`, and holds nothing else.
"""

import datetime
import html
import importlib
import importlib.util
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

Row = dict[str, Any]


@dataclass(frozen=True)
class Section:
    """One file pair of an export: `name` is the file's stem (`journal` → journal.json and
    journal.csv), `description` the README's line about it, `rows` the plain rows."""

    name: str
    description: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class ErasureReport:
    """What one erasure did, per model label: rows deleted, rows kept with the person
    pseudonymised (their link or their name taken out). Counts only, never content: the
    report is kept with the erasure request."""

    deleted: Counter[str] = field(default_factory=Counter)
    pseudonymised: Counter[str] = field(default_factory=Counter)

    def delete(self, queryset: QuerySet[Any]) -> "ErasureReport":
        """Delete `queryset`, counting every row that went (cascades included)."""
        _, per_model = queryset.delete()
        self.deleted.update({label: count for label, count in per_model.items() if count})
        return self

    def kept(self, label: str, count: int) -> "ErasureReport":
        if count:
            self.pseudonymised[label] += count
        return self

    def merge(self, other: "ErasureReport") -> "ErasureReport":
        self.deleted.update(other.deleted)
        self.pseudonymised.update(other.pseudonymised)
        return self

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "deleted": dict(sorted(self.deleted.items())),
            "pseudonymised": dict(sorted(self.pseudonymised.items())),
        }


@dataclass(frozen=True)
class Provider:
    """One app's answer: its label, the models it covers, its export function and (when the
    app holds rows to erase) its erase function."""

    app_label: str
    covers: tuple[str, ...]
    export: Callable[[Any], list[Section]]
    erase: Callable[[Any], ErasureReport] | None = None


MODULE_NAME = "personal_data"


def _module_of(app_name: str) -> ModuleType | None:
    dotted = f"{app_name}.{MODULE_NAME}"
    # Core's own module of that name is this registry, not a provider.
    if dotted == __name__ or importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def personal_data_providers() -> list[Provider]:
    """Every installed app's provider, in `INSTALLED_APPS` order."""
    providers = []
    for config in apps.get_app_configs():
        module = _module_of(config.name)
        if module is None:
            continue
        providers.append(
            Provider(
                app_label=config.label,
                covers=tuple(module.COVERS),
                export=module.export,
                erase=getattr(module, "erase", None),
            )
        )
    return providers


def plain(value: object) -> object:
    """A value as JSON and CSV can hold it: dates as ISO 8601, everything else as it is."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return value


def rows_of(queryset: QuerySet[Any], fields: Sequence[str]) -> list[Row]:
    """`fields` of every row of `queryset`, in primary-key order, as plain dicts. Values go
    through each field's converters, so encrypted columns come out decrypted."""
    return [
        {name: plain(value) for name, value in row.items()}
        for row in queryset.order_by("pk").values(*fields)
    ]


def label_of(model: type[Model]) -> str:
    """The label `COVERS` uses for a model ("journals.JournalEntry")."""
    return model._meta.label


FORMER_MEMBER = "Former member"


def identifiers_of(user: Any) -> list[str]:
    """What names a person in text others hold: their email and their name as shown and as
    typed. Longest first, so the full name goes before a part of it."""
    names = {user.email, getattr(user, "display_name", ""), getattr(user, "full_name", "")}
    return sorted((name for name in names if name and name.strip()), key=len, reverse=True)


def html_forms(identifiers: Sequence[str]) -> list[str]:
    """`identifiers` as an HTML body may hold them besides as typed: escaped the way Django's
    templates and `html.escape` do (O'Brien as O&#x27;Brien, & as &amp;), and the way
    markupsafe and older escaping did (&#39;, &#34;), quotes left alone in a text node.
    Longest first, like `identifiers_of`."""
    forms = set(identifiers)
    for identifier in identifiers:
        escaped = html.escape(identifier)
        forms |= {
            escaped,
            html.escape(identifier, quote=False),
            escaped.replace("&#x27;", "&#39;").replace("&quot;", "&#34;"),
        }
    return sorted(forms, key=len, reverse=True)


def scrub(text: str, identifiers: Sequence[str], alias: str = FORMER_MEMBER) -> str:
    """`text` with every identifier (any case) replaced by `alias`."""
    for identifier in identifiers:
        text = re.sub(re.escape(identifier), alias, text, flags=re.IGNORECASE)
    return text


def scrub_rows(
    queryset: QuerySet[Any],
    fields: Sequence[str],
    identifiers: Sequence[str],
    alias: str = FORMER_MEMBER,
    *,
    html_fields: Sequence[str] = (),
) -> int:
    """Replace the person's identifiers in `fields` of the rows of `queryset` that name them
    (someone else's notification, an event's summary): the row stays, the name goes. Returns
    how many rows changed. Text columns only (a database search finds the rows); those of
    `fields` also in `html_fields` hold HTML, where the identifiers are also sought escaped
    (`html_forms`): a name with an apostrophe or an ampersand is written so there."""

    if not identifiers:
        return 0
    sought = {
        name: html_forms(identifiers) if name in html_fields else list(identifiers)
        for name in fields
    }
    naming = Q()
    for name in fields:
        for identifier in sought[name]:
            naming |= Q(**{f"{name}__icontains": identifier})
    changed = 0
    for row in queryset.filter(naming).order_by("pk"):
        for name in fields:
            setattr(row, name, scrub(getattr(row, name), sought[name], alias))
        type(row).objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in fields})
        changed += 1
    return changed
