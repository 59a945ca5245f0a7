"""The author's download of their own journal, as Markdown or JSON, in their timezone.

The caller passes entries from `selectors.journal_entry_list_for_export`, which reads only
the caller's own entries."""

import datetime
import json
import zoneinfo
from collections.abc import Sequence

from django.db import models
from django.http import HttpResponse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.journals.models import JournalEntry
from tandem.people.selectors import profile_zone_get


class ExportFormat(models.TextChoices):
    MARKDOWN = "md", "Markdown"
    JSON = "json", "JSON"


def _partner_name(entry: JournalEntry, author: User) -> str:
    relationship = entry.relationship
    partner = (
        relationship.mentee.user
        if relationship.mentor.user_id == author.pk
        else relationship.mentor.user
    )
    return display_name(partner)


def _local(moment: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    return None if moment is None else timezone.localtime(moment, zone).isoformat()


def journal_export_json(*, author: User, entries: Sequence[JournalEntry]) -> str:
    zone = profile_zone_get(user=author)
    return json.dumps(
        {
            "author": author.email,
            "exported_at": _local(timezone.now(), zone),
            "timezone": str(zone),
            "entries": [
                {
                    "id": entry.pk,
                    "relationship_id": entry.relationship_id,
                    "programme": entry.relationship.program.name,
                    "partner": _partner_name(entry, author),
                    "created_at": _local(entry.created_at, zone),
                    "updated_at": _local(entry.updated_at, zone),
                    "mood": entry.mood or None,
                    "tags": list(entry.tags),
                    "meeting": entry.meeting.title if entry.meeting else None,
                    "shared_with_partner": entry.shared_with_partner,
                    "text": entry.text,
                }
                for entry in entries
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def journal_export_markdown(*, author: User, entries: Sequence[JournalEntry]) -> str:
    zone = profile_zone_get(user=author)
    lines = [
        f"# My mentoring journal — {display_name(author)}",
        "",
        f"Exported {timezone.localtime(timezone.now(), zone):%Y-%m-%d %H:%M} ({zone}).",
        "",
    ]
    if not entries:
        lines += ["No entries yet.", ""]
    for entry in entries:
        written = timezone.localtime(entry.created_at, zone)
        lines += [
            f"## {written:%Y-%m-%d %H:%M} · {entry.relationship.program.name} "
            f"with {_partner_name(entry, author)}",
            "",
        ]
        facts = []
        if entry.mood:
            facts.append(f"Mood: {entry.get_mood_display()}")
        if entry.tags:
            facts.append("Tags: " + ", ".join(entry.tags))
        if entry.meeting is not None:
            facts.append(f"Meeting: {entry.meeting.title}")
        if entry.shared_with_partner:
            facts.append("Shared with my partner")
        if facts:
            lines += [" · ".join(facts), ""]
        lines += [entry.text, ""]
    return "\n".join(lines)


def journal_export_response(
    *, actor: User, entries: Sequence[JournalEntry], export_format: str
) -> HttpResponse:
    """A download of `entries` (the caller's own) in `export_format` ("md" or "json")."""
    stamp = timezone.localdate()
    if export_format == ExportFormat.JSON:
        content = journal_export_json(author=actor, entries=entries)
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        filename = f"tandem-journal-{stamp:%Y-%m-%d}.json"
    else:
        content = journal_export_markdown(author=actor, entries=entries)
        response = HttpResponse(content, content_type="text/markdown; charset=utf-8")
        filename = f"tandem-journal-{stamp:%Y-%m-%d}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
