"""Personal data providers: each app says what it holds about a person (GDPR article 15/20).

Every app owns its own data, so every app that stores rows about a person has a module
`tandem/<app>/personal_data.py` with:

- `COVERS`: the labels of its models ("journals.JournalEntry") whose rows it exports, so a test
  can prove that every model holding a person's rows has an owner who answers for it;
- `export(user) -> list[Section]`: that person's rows as plain dicts, private text decrypted,
  and never another person's private data.

Core knows no domain: it finds the modules by name among the installed apps (the way the
admin finds `admin.py`), in the order of `INSTALLED_APPS`, and holds nothing else.
"""

import datetime
import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

Row = dict[str, Any]


@dataclass(frozen=True)
class Section:
    """One file pair of an export: `name` is the file's stem (`journal` → journal.json and
    journal.csv), `description` the README's line about it, `rows` the plain rows."""

    name: str
    description: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Provider:
    """One app's answer: its label, the models it covers and its export function."""

    app_label: str
    covers: tuple[str, ...]
    export: Callable[[Any], list[Section]]


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
